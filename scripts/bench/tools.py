#!/usr/bin/env python3
"""Small measuring helpers for bench.sh.

  tools.py startup HEALTH_PORT -- CMD...   start CMD, poll GET /__sessproxy/health every 2 ms,
                                            print "startup_ms=… rss_kib=… hwm_kib=… pid=…", then
                                            leave CMD running (its pid is printed) — bench.sh stops it.
  tools.py timed -- CMD...                  run CMD, print "wall_ms=… maxrss_kib=… exit=…"
  tools.py cpu PID                          utime+stime (clock ticks) of PID and its descendants
"""
import http.client
import os
import resource
import subprocess
import sys
import time


def cpu_ticks(pid):
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def startup(port, cmd):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=sys.stderr)  # not our stdout: $(…) would wait for it
    deadline = start + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            print(f"startup_ms=-1 exit={proc.returncode}")
            sys.exit(1)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/__sessproxy/health")
            r = conn.getresponse()
            r.read()
            conn.close()
            if r.status == 200:
                break
        except OSError:
            pass
        time.sleep(0.002)
    elapsed = (time.monotonic() - start) * 1000
    print(f"startup_ms={elapsed:.1f} rss_kib={status_kib(proc.pid, 'VmRSS')} hwm_kib={status_kib(proc.pid, 'VmHWM')} pid={proc.pid}", flush=True)
    os._exit(0)  # leave the child running; bench.sh owns it from here


def timed(cmd):
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = (time.monotonic() - start) * 1000
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"wall_ms={elapsed:.1f} maxrss_kib={rss} exit={proc.returncode}")


def main():
    what = sys.argv[1]
    if what == "cpu":
        print(cpu_ticks(int(sys.argv[2])))
    elif what == "startup":
        startup(int(sys.argv[2]), sys.argv[sys.argv.index("--") + 1:])
    elif what == "timed":
        timed(sys.argv[sys.argv.index("--") + 1:])
    else:
        sys.exit(f"unknown: {what}")


if __name__ == "__main__":
    main()
