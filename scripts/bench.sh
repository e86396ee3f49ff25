#!/usr/bin/env bash
# sessproxy benchmarks, with reference proxies measured in the same run on 127.0.0.1.
#
# One fast upstream (nginx `return 200` with a fixed ~640 B Klarna create-session answer) and six
# targets in front of the same wrk load (a ~3.3 KB create-session POST with 10 order lines,
# billing address and attachment.body):
#   1. direct upstream            4. mitmdump server replay of 3's flows
#   2. nginx reverse proxy        5. sessproxy record (redaction on, every exchange committed)
#   3. mitmdump reverse, -w FILE  6. sessproxy replay of 5's cassette
# Each target: warm-up (c=32, 1 s), c=1 t=1 (p50/p99 latency), c=32 t=2 (req/s, p99), and the
# proxy's own CPU time per request from /proc/PID/stat (utime+stime, whole process tree, over the
# c=32 run). The targets compared by a ratio run side by side and are measured in interleaved
# rounds (nginx, mitmdump record, sessproxy record; then mitmdump replay, sessproxy replay;
# BENCH_ROUNDS of each, default 3): the machine's speed drifts within minutes, so each ratio is
# taken within a round and the report gives the median round, with every round's figure. Then: replay start-up time (median of three starts) and RSS on a generated
# 100k-exchange cassette, `sessproxy inspect` on it (first rows, filters), that cassette pushed
# into a throwaway PostgreSQL and replayed from there (push time, start-up), and `sessproxy diff`
# wall time on two generated 10k-exchange cassettes.
#
# Read the ratios, not the absolute numbers: every figure is compared only with figures from the
# same run. c=1 latencies move with machine load (2 shared cores: wrk, the upstream and the proxy
# all compete), so compare them within one run and re-run when the load average is high; the
# CPU-per-request column is the steadier figure.
#
# Needs root or preinstalled tools: nginx and wrk (Debian packages, installed with apt-get when
# missing), mitmproxy (PyPI, installed into the git-ignored venv .build-bench-venv when missing),
# sqlite3 and curl. Builds sessproxy in release into the git-ignored scratch path .build-bench,
# unless SESSPROXY_BINARY names a binary. Takes about 4 minutes after the build (2 cores).
#
# Knobs: BENCH_DURATION (s per measured run, default 5), BENCH_WARMUP (s, default 1), BENCH_ROUNDS,
# BENCH_BIG_EXCHANGES (default 100000), BENCH_DIFF_EXCHANGES (default 10000), BENCH_KEEP=1 keeps
# the work directory (cassettes, flows, logs). Note on mitmdump replay: in reverse mode the
# replayed request's host:port is the (dead) replay upstream, not the recorded one, so host and
# port are left out of the match (server_replay_ignore_host/port); method, path and body still match.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH=$ROOT/scripts/bench
SCRIPT_START=$(date +%s)
DUR=${BENCH_DURATION:-5}
ROUNDS=${BENCH_ROUNDS:-3}
WARM=${BENCH_WARMUP:-1}
BIG=${BENCH_BIG_EXCHANGES:-100000}
DIFFN=${BENCH_DIFF_EXCHANGES:-10000}

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---- tools -------------------------------------------------------------------------------------
apt_missing=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || apt_missing+=(nginx)
command -v wrk >/dev/null 2>&1 || apt_missing+=(wrk)
command -v sqlite3 >/dev/null 2>&1 || apt_missing+=(sqlite3)
command -v curl >/dev/null 2>&1 || apt_missing+=(curl)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_missing+=(postgresql)
command -v openssl >/dev/null 2>&1 || apt_missing+=(openssl)
if ((${#apt_missing[@]})); then
    say "installing ${apt_missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${apt_missing[@]}" >/dev/null 2>&1 \
        || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${apt_missing[@]}" >/dev/null; } \
        || die "could not install ${apt_missing[*]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

VENV=$ROOT/.build-bench-venv
if [[ -n ${MITMDUMP:-} ]]; then
    :
elif [[ -x $VENV/bin/mitmdump ]]; then
    MITMDUMP=$VENV/bin/mitmdump
elif command -v mitmdump >/dev/null 2>&1; then
    MITMDUMP=$(command -v mitmdump)
else
    # A venv, so that mitmproxy's pinned dependencies (cryptography, flask…) don't replace the
    # machine's own.
    say "installing mitmproxy (pip, into $VENV)"
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q mitmproxy >/dev/null || die "pip install mitmproxy failed"
    MITMDUMP=$VENV/bin/mitmdump
fi

if [[ -n ${SESSPROXY_BINARY:-} ]]; then
    BIN=$SESSPROXY_BINARY
else
    say "building sessproxy (release, scratch path .build-bench)"
    swift build -c release --product sessproxy --scratch-path "$ROOT/.build-bench" >&2
    BIN=$ROOT/.build-bench/release/sessproxy
fi
[[ -x $BIN ]] || die "no sessproxy binary at $BIN"
MEASURE_START=$(date +%s)

# ---- work directory, processes -----------------------------------------------------------------
WORK=$(mktemp -d /tmp/sessproxy-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
PG_DIR=
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -n $PG_DIR ]]; then "$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR/cluster"; rm -rf "$PG_DIR"; fi
    wait 2>/dev/null || true
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$WORK/config
export SESSPROXY_REDACTION_KEY=bench
export SESSPROXY_LOG_LEVEL=error
export PYTHONDONTWRITEBYTECODE=1
RESULTS=$WORK/results
: >"$RESULTS"
HZ=$(getconf CLK_TCK)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { # PORT [SECONDS]
    local tries=$(( ${2:-30} * 20 ))
    for _ in $(seq 1 "$tries"); do
        if (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    die "nothing listening on port $1"
}
wait_health() {
    for _ in $(seq 1 600); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$1/__sessproxy/health" 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    die "sessproxy on port $1 never answered its health check"
}
stop() { # PID: SIGTERM, wait for it to finish (sessproxy flushes, mitmdump writes its flows)
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cpu_ticks() { python3 "$BENCH/tools.py" cpu "$1"; }

python3 "$BENCH/payload.py" "$WORK"
CREATE_RESPONSE=$(cat "$WORK/create-response.json")
READ_RESPONSE=$(cat "$WORK/read-response.json")
URL_PATH=/payments/v1/sessions

# ---- nginx: the upstream and the reference reverse proxy --------------------------------------
nginx_conf() { # DIR WORKERS HTTP-BODY
    local dir=$1 user=""
    mkdir -p "$dir"
    [[ $EUID == 0 ]] && user="user root;"
    cat >"$dir/nginx.conf" <<CONF
$user
worker_processes $2;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    client_body_buffer_size 16k;
    client_max_body_size 1m;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
$3
}
CONF
}

UP=$(free_port)
nginx_conf "$WORK/nginx-up" 1 "
    server {
        listen 127.0.0.1:$UP;
        default_type application/json;
        location = $URL_PATH { return 200 '$CREATE_RESPONSE'; }
        location $URL_PATH/ {
            if (\$request_method = POST) { return 204; }
            return 200 '$READ_RESPONSE';
        }
        location / { return 404 '{\"error_code\":\"NOT_FOUND\",\"error_messages\":[\"no such path\"]}'; }
    }"
"$NGINX" -p "$WORK/nginx-up/" -c "$WORK/nginx-up/nginx.conf" -g 'daemon off;' 2>"$WORK/nginx-up/stderr" &
UP_PID=$!; PIDS+=("$UP_PID")
wait_port "$UP"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$WORK/create.json" "http://127.0.0.1:$UP$URL_PATH")
[[ $code == 200 ]] || die "upstream answered $code to the create POST"

NGP=$(free_port)
nginx_conf "$WORK/nginx-proxy" auto "
    upstream klarna {
        server 127.0.0.1:$UP;
        keepalive 64;
        keepalive_requests 10000000;
    }
    server {
        listen 127.0.0.1:$NGP;
        location / {
            proxy_pass http://klarna;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"

# ---- measuring one target -----------------------------------------------------------------------
wrk_run() { # TARGET PHASE PORT THREADS CONNS SECONDS ROUND → appends a run record, echoes requests
    local out=$WORK/wrk-$1-$2-$7.txt line
    wrk -t"$4" -c"$5" -d"$6"s --timeout 10s --latency -s "$WORK/post.lua" "http://127.0.0.1:$3$URL_PATH" >"$out" 2>&1 \
        || die "wrk failed against $1: $(tail -3 "$out")"
    line=$(grep '^BENCH ' "$out") || die "no BENCH line from wrk against $1"
    echo "run target=$1 phase=$2 round=$7 ${line#BENCH }" >>"$RESULTS"
    sed -n 's/.*requests=\([0-9]*\) .*/\1/p' <<<"$line"
}

measure() { # TARGET PORT PID [ROUND] → echoes total requests wrk completed
    local target=$1 port=$2 pid=$3 round=${4:-1} total=0 n t0 t1
    say "measuring $target (round $round)"
    n=$(wrk_run "$target" warmup "$port" 2 32 "$WARM" "$round"); total=$((total + n))
    n=$(wrk_run "$target" c1 "$port" 1 1 "$DUR" "$round"); total=$((total + n))
    t0=$(cpu_ticks "$pid")
    n=$(wrk_run "$target" c32 "$port" 2 32 "$DUR" "$round"); total=$((total + n))
    t1=$(cpu_ticks "$pid")
    echo "cpu target=$target round=$round ticks=$((t1 - t0)) hz=$HZ requests=$n" >>"$RESULTS"
    echo "$total"
}

# What shapes c=1 latency besides the code: the core count, and how an idle core is woken (on a
# KVM guest with halt polling off, ~35 µs each time; see docs/performance.md, "Waking an idle core").
idle_driver=$(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo unknown)
halt_poll=$(cat /sys/module/haltpoll/parameters/guest_halt_poll_ns 2>/dev/null || echo n/a)
echo "meta warmup=$WARM duration=$DUR rounds=$ROUNDS load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/') cores=$(nproc) idle=$idle_driver halt_poll_ns=$halt_poll" >>"$RESULTS"

# 1. direct upstream
measure direct "$UP" "$UP_PID" >/dev/null

# 2., 3. and 5. nginx reverse proxy, mitmdump recording flows, sessproxy record: side by side, in rounds
"$NGINX" -p "$WORK/nginx-proxy/" -c "$WORK/nginx-proxy/nginx.conf" -g 'daemon off;' 2>"$WORK/nginx-proxy/stderr" &
NGP_PID=$!; PIDS+=("$NGP_PID")
wait_port "$NGP"
MITM_CONF=$WORK/mitm-conf
MP=$(free_port)
"$MITMDUMP" --set confdir="$MITM_CONF" --mode "reverse:http://127.0.0.1:$UP" --listen-host 127.0.0.1 -p "$MP" \
    -w "$WORK/mitm.flows" -q >"$WORK/mitm-record.log" 2>&1 &
MITM_PID=$!; PIDS+=("$MITM_PID")
SP=$(free_port)
REC=$WORK/sp-record.sqlite
"$BIN" record --upstream "http://127.0.0.1:$UP" --cassette "$REC" --listen "127.0.0.1:$SP" >"$WORK/sp-record.log" 2>&1 &
SP_PID=$!; PIDS+=("$SP_PID")
wait_port "$MP" 60
wait_health "$SP"
wrk_total=0
for round in $(seq 1 "$ROUNDS"); do
    measure nginx "$NGP" "$NGP_PID" "$round" >/dev/null
    measure mitm-record "$MP" "$MITM_PID" "$round" >/dev/null
    n=$(measure sp-record "$SP" "$SP_PID" "$round"); wrk_total=$((wrk_total + n))
done
stop "$NGP_PID"
stop "$MITM_PID"
health=$(curl -fsS "http://127.0.0.1:$SP/__sessproxy/health" || echo '{}')
stop "$SP_PID"
rows=$(sqlite3 "$REC" 'SELECT count(*) FROM exchange')
h_rec=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("exchanges_recorded","?"))' "$health" 2>/dev/null || echo '?')
h_fail=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("recording_failures","?"))' "$health" 2>/dev/null || echo '?')
# Requests in flight when a wrk run stops are answered and recorded but not counted by wrk.
inflight_max=$(( (32 + 1 + 32) * ROUNDS ))
if ((rows >= wrk_total && rows <= wrk_total + inflight_max)); then verdict=OK; else verdict=MISMATCH; fi
echo "recordcheck wrk_requests=$wrk_total rows=$rows health_recorded=$h_rec health_failures=$h_fail inflight_max=$inflight_max verdict=$verdict" >>"$RESULTS"

# 4. and 6. mitmdump server replay of its flows (same body every time, so the body matches) and
# sessproxy replay of its cassette, side by side, in rounds
DEAD=$(free_port)
MRP=$(free_port)
"$MITMDUMP" --set confdir="$MITM_CONF" --mode "reverse:http://127.0.0.1:$DEAD" --listen-host 127.0.0.1 -p "$MRP" \
    -S "$WORK/mitm.flows" --set server_replay_reuse=true --set server_replay_extra=kill \
    --set server_replay_ignore_host=true --set server_replay_ignore_port=true \
    --set connection_strategy=lazy -q >"$WORK/mitm-replay.log" 2>&1 &
MITM_PID=$!; PIDS+=("$MITM_PID")
SRP=$(free_port)
"$BIN" replay --cassette "$REC" --listen "127.0.0.1:$SRP" >"$WORK/sp-replay.log" 2>&1 &
SP_PID=$!; PIDS+=("$SP_PID")
wait_port "$MRP" 180
wait_health "$SRP"
for round in $(seq 1 "$ROUNDS"); do
    measure mitm-replay "$MRP" "$MITM_PID" "$round" >/dev/null
    measure sp-replay "$SRP" "$SP_PID" "$round" >/dev/null
done
stop "$MITM_PID"
stop "$SP_PID"

# ---- generated cassettes: 100k for replay start-up, 2 × 10k for diff ---------------------------
# Seed: real flows (create → read → update → read, one create in seven refused with 400) recorded
# through sessproxy in front of `sessproxy fake-klarna` (full-size read answers, real validation),
# then rows doubled with INSERT … SELECT, and each flow given its own session id.
say "generating cassettes (${BIG} and 2 × ${DIFFN} exchanges)"
SEED=$WORK/seed.sqlite
SP=$(free_port)
FK=$(free_port)
"$BIN" fake-klarna --listen "127.0.0.1:$FK" >"$WORK/fake-klarna.log" 2>&1 &
FK_PID=$!; PIDS+=("$FK_PID")
wait_port "$FK"
"$BIN" record --upstream "http://127.0.0.1:$FK" --cassette "$SEED" --listen "127.0.0.1:$SP" >"$WORK/sp-seed.log" 2>&1 &
SP_PID=$!; PIDS+=("$SP_PID")
wait_health "$SP"
python3 "$BENCH/seed.py" "$SP" "$WORK" 100 >"$WORK/seed.out"
stop "$SP_PID"
stop "$FK_PID"
COLS=$(sqlite3 "$SEED" "SELECT group_concat(name, ', ') FROM pragma_table_info('exchange') WHERE name <> 'id'")
refused=$(sqlite3 "$SEED" "SELECT count(*) FROM exchange WHERE operation = 'create' AND status = 400")
[[ $refused -gt 0 ]] || die "seed cassette has no refused create (seed: $(cat "$WORK/seed.out"))"

grow() { # FILE COUNT SESSION-NUMBER-OFFSET
    cp "$SEED" "$1"
    local n
    while :; do
        n=$(sqlite3 "$1" 'SELECT count(*) FROM exchange')
        ((n >= $2)) && break
        sqlite3 "$1" "INSERT INTO exchange ($COLS) SELECT $COLS FROM exchange ORDER BY id LIMIT $(($2 - n))"
    done
    # A flow is a successful create and the rows after it up to the next one; flow k (counted
    # from 1) gets session id 5e5510a0-0000-4000-8000-<12 digits of k+offset> in every row.
    sqlite3 "$1" >/dev/null <<SQL
PRAGMA journal_mode = DELETE;
BEGIN;
CREATE TEMP TABLE flows (id INTEGER PRIMARY KEY, old TEXT, new TEXT);
INSERT INTO flows SELECT id, session_id, printf('5e5510a0-0000-4000-8000-%012d', flow + $3) FROM (
    SELECT id, session_id, SUM(operation = 'create' AND session_id IS NOT NULL) OVER (ORDER BY id) AS flow FROM exchange)
    WHERE session_id IS NOT NULL;
UPDATE exchange SET
    match_key = NULL,
    session_id = (SELECT new FROM flows WHERE flows.id = exchange.id),
    target = replace(target, (SELECT old FROM flows WHERE flows.id = exchange.id), (SELECT new FROM flows WHERE flows.id = exchange.id)),
    path = replace(path, (SELECT old FROM flows WHERE flows.id = exchange.id), (SELECT new FROM flows WHERE flows.id = exchange.id)),
    response_body = CAST(replace(CAST(response_body AS TEXT), (SELECT old FROM flows WHERE flows.id = exchange.id),
        (SELECT new FROM flows WHERE flows.id = exchange.id)) AS BLOB)
    WHERE session_id IS NOT NULL;
COMMIT;
SQL
}

BIGC=$WORK/big.sqlite
grow "$BIGC" "$BIG" 0
big_rows=$(sqlite3 "$BIGC" 'SELECT count(*) FROM exchange')
big_mib=$(python3 -c "import os; print(round(os.path.getsize('$BIGC') / 1048576, 1))")
# Rewritten rows lost their stored match keys; the first replay computes and stores them (a
# cassette sessproxy recorded has them from the start), so time the starts after that one.
SRP=$(free_port)
prime=$(python3 "$BENCH/tools.py" startup "$SRP" -- "$BIN" replay --cassette "$BIGC" --listen "127.0.0.1:$SRP" 2>"$WORK/sp-big-prime.log")
stop "$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$prime")"
echo "big-prime ${prime% pid=*}" >>"$RESULTS"
# Three starts of replay from SOURCE; the report gives the median (one start can catch the machine
# busy) and all three. Sets START_LINE (the last start's figures), START_RUNS, START_MEDIAN and
# START_PROBE (the HTTP status of one create replayed by the last start).
three_starts() { # SOURCE LOG
    local runs=() attempt port pid
    for attempt in 1 2 3; do
        port=$(free_port)
        START_LINE=$(python3 "$BENCH/tools.py" startup "$port" -- "$BIN" replay --cassette "$1" --listen "127.0.0.1:$port" 2>"$2")
        pid=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$START_LINE"); PIDS+=("$pid")
        runs+=("$(sed -n 's/.*startup_ms=\([0-9.-]*\).*/\1/p' <<<"$START_LINE")")
        if ((attempt == 3)); then
            START_PROBE=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -u "$(cat "$WORK/auth")" \
                --data-binary @"$WORK/create.json" "http://127.0.0.1:$port$URL_PATH" || echo 000)
        fi
        stop "$pid"
    done
    START_LINE=${START_LINE% pid=*}
    START_RUNS=$(IFS=/; echo "${runs[*]}")
    START_MEDIAN=$(printf '%s\n' "${runs[@]}" | sort -g | sed -n 2p)
}
three_starts "$BIGC" "$WORK/sp-big.log"
echo "big exchanges=$big_rows size_mib=$big_mib $START_LINE startup_median_ms=$START_MEDIAN startup_runs_ms=$START_RUNS probe_status=$START_PROBE" >>"$RESULTS"

# The inspector on the same cassette: time to the first page of rows (from process start) and
# each filter's answer (paged from SQLite; free text over bodies scans them), asked as the page
# asks, for the newest rows.
IP=$(free_port)
INSPECT_TOKEN=bench-inspector-token-0001
inspect_start=$(date +%s%N)
"$BIN" inspect "$BIGC" --listen "127.0.0.1:$IP" --ui-token "$INSPECT_TOKEN" >"$WORK/sp-inspect.log" 2>&1 &
INSPECT_PID=$!; PIDS+=("$INSPECT_PID")
inspect_get() { curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $INSPECT_TOKEN" "http://127.0.0.1:$IP/__sessproxy/api/$1"; }
for _ in $(seq 1 200); do
    if [[ $(inspect_get 'exchanges?limit=200&before=end' 2>/dev/null | cut -d' ' -f1) == 200 ]]; then break; fi
    sleep 0.01
done
first_ms=$(( ($(date +%s%N) - inspect_start) / 1000000 ))
filter_names="status=4xx operation=update+status=4xx session q=rare q=absent"
filters_ms=() filter_max=0
for query in 'exchanges?status=4xx' 'exchanges?operation=update&status=4xx' "exchanges?session=5e5510a0-0000-4000-8000-000000001234" \
    'exchanges?q=Bad%20value' 'exchanges?q=no-such-text-anywhere'; do
    ms=$(inspect_get "$query&before=end" | awk '{printf "%d", $2 * 1000}')
    filters_ms+=("$ms")
    ((ms > filter_max)) && filter_max=$ms
done
inspect_rss=$(awk '/VmRSS/ {print $2}' "/proc/$INSPECT_PID/status")
stop "$INSPECT_PID"
echo "inspect first_ms=$first_ms filters_ms=$(IFS=/; echo "${filters_ms[*]}") filter_max_ms=$filter_max filter_names=${filter_names// /,} rss_kib=$inspect_rss" >>"$RESULTS"

# The fleet store: the same cassette pushed into a throwaway PostgreSQL (scripts/pg-cluster.sh;
# not under $WORK, which the postgres user cannot reach as root), pushed again (nothing new), and
# replay started from the fleet recording, read in place.
say "fleet store: push the 100k cassette, replay from it"
PG_DIR=$(mktemp -d /tmp/sessproxy-bench-pg.XXXXXX)
chmod 755 "$PG_DIR"
PG_PORT=$(free_port)
"$ROOT/scripts/pg-cluster.sh" start "$PG_DIR/cluster" "$PG_PORT" >"$WORK/pg.log" 2>&1 || die "could not start PostgreSQL: $(cat "$WORK/pg.log")"
FLEET="postgres://sessproxy@127.0.0.1:$PG_PORT/fleet"
export PGPASSWORD=sessproxy-test
push1=$(python3 "$BENCH/tools.py" timed -- "$BIN" push "$BIGC" "$FLEET" --recording bench)
push2=$(python3 "$BENCH/tools.py" timed -- "$BIN" push "$BIGC" "$FLEET" --recording bench)
fleet_rows=$(psql -h 127.0.0.1 -p "$PG_PORT" -U sessproxy -d fleet -qAt -c "SELECT count(*) FROM sessproxy_exchange WHERE recording = 'bench'")
three_starts "$FLEET?recording=bench" "$WORK/sp-fleet.log"
unset PGPASSWORD
echo "fleet rows=$fleet_rows push_ms=$(sed -n 's/.*wall_ms=\([0-9.]*\).*/\1/p' <<<"$push1") push_exit=$(sed -n 's/.*exit=\([0-9]*\).*/\1/p' <<<"$push1") repush_ms=$(sed -n 's/.*wall_ms=\([0-9.]*\).*/\1/p' <<<"$push2") push_maxrss_kib=$(sed -n 's/.*maxrss_kib=\([0-9]*\).*/\1/p' <<<"$push1") $START_LINE startup_median_ms=$START_MEDIAN startup_runs_ms=$START_RUNS probe_status=$START_PROBE" >>"$RESULTS"
"$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR/cluster"; rm -rf "$PG_DIR"; PG_DIR=

DA=$WORK/diff-a.sqlite DB=$WORK/diff-b.sqlite
grow "$DA" "$DIFFN" 0
grow "$DB" "$DIFFN" 500000
# Today's recording differs: every 50th flow's update has another quantity, every 100th is rejected.
sqlite3 "$DB" <<SQL
UPDATE exchange SET request_body = CAST(replace(CAST(request_body AS TEXT), '"quantity":2,', '"quantity":7,') AS BLOB)
    WHERE operation = 'update' AND ((id - 1) / 4) % 50 = 0;
UPDATE exchange SET status = 400,
    response_body = CAST('{"error_code":"BAD_VALUE","error_messages":["Bad value: order_lines[0].total_amount"],"correlation_id":"bench"}' AS BLOB)
    WHERE operation = 'update' AND ((id - 1) / 4) % 100 = 1;
SQL
diff_rows=$(sqlite3 "$DA" 'SELECT count(*) FROM exchange')
say "sessproxy diff"
diffres=$(python3 "$BENCH/tools.py" timed -- "$BIN" diff "$DA" "$DB")
echo "diff exchanges=$diff_rows $diffres" >>"$RESULTS"

# ---- report -----------------------------------------------------------------------------------
python3 "$BENCH/report.py" "$RESULTS"
echo "seed flows: $(cat "$WORK/seed.out") (HTTP status: count)"
echo "bench.sh took $(( $(date +%s) - SCRIPT_START )) s in all, $(( $(date +%s) - MEASURE_START )) s after tool installs and the build"
