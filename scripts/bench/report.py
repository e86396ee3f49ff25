#!/usr/bin/env python3
"""Prints bench.sh's table and ratios from its results file (one record a line:
`KIND key=value ...`). A target measured in several rounds shows the median of its rounds; a
ratio is taken within each round and the median round is reported, with every round's figure."""
import statistics
import sys

TARGETS = [
    ("direct", "direct upstream (nginx return)"),
    ("nginx", "nginx reverse proxy"),
    ("mitm-record", "mitmdump reverse, -w"),
    ("mitm-replay", "mitmdump server replay"),
    ("sp-record", "sessproxy record"),
    ("sp-replay", "sessproxy replay"),
]


def load(path):
    rows = []
    for line in open(path):
        parts = line.split()
        if not parts:
            continue
        rec = {"kind": parts[0]}
        for p in parts[1:]:
            k, _, v = p.partition("=")
            rec[k] = v
        rows.append(rec)
    return rows


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def fmt(v, digits=0):
    if v is None:
        return "n/a"
    return f"{v:,.{digits}f}"


def main():
    rows = load(sys.argv[1])
    runs = {}
    for r in rows:
        if r["kind"] == "run":
            runs.setdefault((r["target"], r["phase"]), {})[int(r.get("round", 1))] = r
    cpus = {}
    for r in rows:
        if r["kind"] == "cpu":
            cpus.setdefault(r["target"], {})[int(r.get("round", 1))] = r
    extra = {r["kind"]: r for r in rows if r["kind"] not in ("run", "cpu")}

    def median(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def per_round(target, phase, key):
        return {n: num(r.get(key)) for n, r in runs.get((target, phase), {}).items()}

    def get(target, phase, key):
        return median(per_round(target, phase, key).values())

    def errors(target):
        total = 0
        for phase in ("c1", "c32"):
            for r in runs.get((target, phase), {}).values():
                total += sum(int(r.get(k, 0)) for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
        return total

    def cpu_round(c):
        reqs = num(c.get("requests")) or 0
        return num(c["ticks"]) * 1e6 / num(c["hz"]) / reqs if reqs else None

    def cpu_us(target):
        return median(cpu_round(c) for c in cpus.get(target, {}).values())

    def round_ratios(a, b):
        """a ÷ b within each round both were measured in."""
        return {n: a[n] / b[n] for n in sorted(a) if a.get(n) and b.get(n)}

    print()
    header = f"{'target':<32} {'c1 p50 µs':>10} {'c1 p99 µs':>10} {'c32 req/s':>10} {'c32 p50 µs':>10} {'c32 p99 µs':>10} {'CPU µs/req':>10} {'errors':>7}"
    print(header)
    print("-" * len(header))
    for key, label in TARGETS:
        print(f"{label:<32} {fmt(get(key, 'c1', 'p50_us')):>10} {fmt(get(key, 'c1', 'p99_us')):>10} "
              f"{fmt(get(key, 'c32', 'rps')):>10} {fmt(get(key, 'c32', 'p50_us')):>10} {fmt(get(key, 'c32', 'p99_us')):>10} "
              f"{fmt(cpu_us(key), 1):>10} {errors(key):>7}")
    print("(CPU µs/req: utime+stime of the proxy process tree — for 'direct', of the upstream nginx — over the c=32 run ÷ requests)")

    print()
    print("Ratios (all measured in this run; each within one round, the median round shown)")

    def ratio_line(label, value, target, better):
        if value is None:
            print(f"  {label:<62} n/a (missing figure, or nginx − direct < 5 µs: too noisy; re-run on a quieter machine)")
            return
        ok = value <= target if better == "le" else value >= target
        sign = "≤" if better == "le" else "≥"
        print(f"  {label:<62} {value:8.2f}   target {sign} {target:<5} {'PASS' if ok else 'MISS'}")

    def ratio_of_rounds(label, ratios, target, better):
        value = median(ratios.values())
        ratio_line(label, value, target, better)
        if len(ratios) > 1:
            print(f"  {'':<4}(rounds: {', '.join(f'{v:.2f}' for v in ratios.values())})")

    ratio_of_rounds("c=1 p99 latency: sessproxy record ÷ nginx",
                    round_ratios(per_round("sp-record", "c1", "p99_us"), per_round("nginx", "c1", "p99_us")), 4, "le")
    d50, n50, s50 = get("direct", "c1", "p50_us"), get("nginx", "c1", "p50_us"), get("sp-record", "c1", "p50_us")
    if None not in (d50, n50, s50):
        print(f"  {'':<4}(information — c=1 p50 added over direct: nginx {n50 - d50:.0f} µs, sessproxy record {s50 - d50:.0f} µs, "
              f"sessproxy replay {fmt((get('sp-replay', 'c1', 'p50_us') or 0) - d50)} µs)")

    ratio_of_rounds("throughput: sessproxy record ÷ mitmdump record",
                    round_ratios(per_round("sp-record", "c32", "rps"), per_round("mitm-record", "c32", "rps")), 10, "ge")
    ratio_of_rounds("throughput: sessproxy replay ÷ mitmdump replay",
                    round_ratios(per_round("sp-replay", "c32", "rps"), per_round("mitm-replay", "c32", "rps")), 10, "ge")
    sc, nc = cpu_us("sp-record"), cpu_us("nginx")
    if sc and nc:
        print(f"  {'CPU per request: sessproxy record ÷ nginx (information)':<62} {sc / nc:8.2f}")
    rc, mc = cpu_us("sp-replay"), cpu_us("mitm-replay")
    if rc and mc:
        print(f"  {'CPU per request: mitmdump replay ÷ sessproxy replay (info)':<62} {mc / rc:8.2f}")

    print()
    r = extra.get("recordcheck")
    if r:
        print(f"Record completeness: wrk completed {r['wrk_requests']} requests to sessproxy record; "
              f"cassette rows {r['rows']} (health: recorded {r.get('health_recorded', '?')}, failures {r.get('health_failures', '?')}); "
              f"rows − wrk = {int(r['rows']) - int(r['wrk_requests'])} (in-flight at wrk's stop are answered and recorded but not counted by wrk: "
              f"expected 0…{r['inflight_max']}) → {r['verdict']}")
    r = extra.get("big")
    if r:
        print(f"Replay start-up, {r['exchanges']}-exchange cassette ({r['size_mib']} MiB): {r.get('startup_median_ms', r['startup_ms'])} ms "
              f"until /__sessproxy/health answers (median of {r.get('startup_runs_ms', r['startup_ms'])} ms); "
              f"VmRSS {int(r['rss_kib']) / 1024:.1f} MiB (peak {int(r['hwm_kib']) / 1024:.1f} MiB); first replayed request: HTTP {r['probe_status']}")
    if r:
        ratio_line("replay start-up on the 100k cassette, ms (median)", num(r.get("startup_median_ms", r["startup_ms"])), 200, "le")
    r = extra.get("inspect")
    if r:
        print(f"Inspect, same cassette: first page of rows {r['first_ms']} ms; filters {r['filters_ms']} ms "
              f"({r['filter_names']}); VmRSS {int(r['rss_kib']) / 1024:.1f} MiB")
        ratio_line("inspect: first rows, ms", num(r["first_ms"]), 1000, "le")
        ratio_line("inspect: slowest filter, ms", num(r["filter_max_ms"]), 300, "le")
    r = extra.get("fleet")
    if r:
        print(f"Fleet store, the same cassette in PostgreSQL ({r['rows']} rows): push {(num(r['push_ms']) or 0) / 1000:.1f} s "
              f"(exit {r['push_exit']}, peak RSS {int(r['push_maxrss_kib']) / 1024:.1f} MiB), again {(num(r['repush_ms']) or 0) / 1000:.1f} s; "
              f"replay from the fleet recording: {r['startup_median_ms']} ms until health answers (median of {r['startup_runs_ms']} ms), "
              f"VmRSS {int(r['rss_kib']) / 1024:.1f} MiB; first replayed request: HTTP {r['probe_status']}")
        ratio_line("fleet: push of 100k exchanges, s", (num(r["push_ms"]) or 0) / 1000 or None, 60, "le")
        ratio_line("fleet: replay start-up from 100k in PostgreSQL, ms", num(r["startup_median_ms"]), 1000, "le")
    r = extra.get("big-prime")
    if r:
        print(f"  (first open of that cassette, computing and storing the match keys of rewritten rows: {r['startup_ms']} ms)")
    r = extra.get("diff")
    if r:
        print(f"sessproxy diff, two {r['exchanges']}-exchange cassettes: {float(r['wall_ms']) / 1000:.2f} s wall, "
              f"peak RSS {int(r['maxrss_kib']) / 1024:.1f} MiB, exit {r['exit']} (1 = differences found, as expected)")
    r = extra.get("meta")
    if r:
        print(f"Runs: warm-up {r['warmup']} s, c=1 t=1 {r['duration']} s, c=32 t=2 {r['duration']} s per target and round, "
              f"{r.get('rounds', 1)} interleaved rounds of the compared targets (the table shows their medians); load average at start {r['load']}")
        if "cores" in r:
            print(f"Machine: {r['cores']} cores, idle driver {r.get('idle', 'unknown')}, guest halt polling {r.get('halt_poll_ns', 'n/a')} ns")


if __name__ == "__main__":
    main()
