#!/usr/bin/env bash
# End to end through the real binary: fake Klarna → record → list/show → no PII or credential
# canary on disk (cassette, -wal, -shm, even after kill -9) → replay offline twice, byte for
# byte → diff of a regressed recording. Uses the binary the test build made when present.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${SESSPROXY_BINARY:-$ROOT/.build/debug/sessproxy}
if [[ ! -x $BIN ]]; then
    swift build --product sessproxy
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ -n ${RO:-} ]]; then umount "$RO/mount" 2>/dev/null || true; fi
    rm -rf "$WORK" ${RO:+"$RO"}
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$WORK/config
export SESSPROXY_LOG_LEVEL=warning
unset SESSPROXY_REDACTION_KEY

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'E2E FAILURE: %s\n' "$*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {
    for _ in $(seq 1 200); do
        if (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    fail "nothing listening on port $1"
}

CANARY_EMAIL="e2e.canary.person@example.com"
CANARY_SECRET="e2e-canary-shared-secret"
AUTH="K123456_e2e:$CANARY_SECRET"

create_body() {
    cat <<JSON
{"purchase_country":"GB","purchase_currency":"GBP","locale":"en-GB","order_amount":16697,"order_tax_amount":2783,
 "order_lines":[{"type":"physical","reference":"SKU-TR-42","name":"Trail shoe","quantity":2,"unit_price":8999,"tax_rate":2000,
   "total_amount":16198,"total_discount_amount":1800,"total_tax_amount":2700},
  {"type":"shipping_fee","reference":"SHIP-STD","name":"Standard delivery","quantity":1,"unit_price":499,"tax_rate":2000,
   "total_amount":499,"total_discount_amount":0,"total_tax_amount":83}],
 "billing_address":{"given_name":"Erika","family_name":"Mustermann","email":"$CANARY_EMAIL","phone":"+447700900999"},
 "attachment":{"content_type":"application/vnd.klarna.internal.emd-v2+json",
   "body":"{\"customer_account_info\":[{\"unique_account_identifier\":\"$CANARY_EMAIL\"}]}"}}
JSON
}

# The cart update: shoe quantity $1; with $2 = broken the line total is off by 500 (a regression).
update_body() {
    local quantity=$1 total tax
    total=$((quantity * 8999 - 1800))
    tax=$(( (total * 2000 + 6000) / 12000 ))
    local line_total=$total
    if [[ ${2:-} == broken ]]; then line_total=$((total - 500)); fi
    printf '{"order_amount":%d,"order_tax_amount":%d,"order_lines":[{"type":"physical","reference":"SKU-TR-42","name":"Trail shoe","quantity":%d,"unit_price":8999,"tax_rate":2000,"total_amount":%d,"total_discount_amount":1800,"total_tax_amount":%d},{"type":"shipping_fee","reference":"SHIP-STD","name":"Standard delivery","quantity":1,"unit_price":499,"tax_rate":2000,"total_amount":499,"total_discount_amount":0,"total_tax_amount":83}]}' \
        $((line_total + 499)) $((tax + 83)) "$quantity" "$line_total" "$tax"
}

# A merchant flow: create → read → update (cart change) → read → bad update. Writes each
# answer (status line + body) to $2.N when $2 is given; prints the session id.
flow() {
    local base=$1 out=${2:-/dev/null} quantity=${3:-3} mode=${4:-}
    local session
    session=$(curl -s -u "$AUTH" -H 'Content-Type: application/json' --data "$(create_body)" "$base/payments/v1/sessions" \
        | tee "$out.1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["session_id"])')
    curl -s -u "$AUTH" -w '\n%{http_code}\n' "$base/payments/v1/sessions/$session" > "$out.2"
    curl -s -u "$AUTH" -w '\n%{http_code}\n' -H 'Content-Type: application/json' --data "$(update_body "$quantity" "$mode")" \
        "$base/payments/v1/sessions/$session" > "$out.3"
    curl -s -u "$AUTH" -w '\n%{http_code}\n' "$base/payments/v1/sessions/$session" > "$out.4"
    curl -s -u "$AUTH" -w '\n%{http_code}\n' -H 'Content-Type: application/json' --data '{"order_amount":1}' \
        "$base/payments/v1/sessions/$session" > "$out.5"
    echo "$session"
}

# Starts `sessproxy record` in front of the fake Klarna into $1; sets PROXY_PORT and RECORDER_PID.
start_recorder() {
    PROXY_PORT=$(free_port)
    "$BIN" record --upstream "http://127.0.0.1:$FAKE_PORT" --cassette "$1" --listen "127.0.0.1:$PROXY_PORT" &
    RECORDER_PID=$!
    PIDS+=("$RECORDER_PID")
    wait_port "$PROXY_PORT"
}

step "fake Klarna"
FAKE_PORT=$(free_port)
"$BIN" fake-klarna --listen "127.0.0.1:$FAKE_PORT" --gzip &
FAKE_PID=$!
PIDS+=("$FAKE_PID")
wait_port "$FAKE_PORT"

step "inspector page in headless Chromium (record live, filter, failed update, replay hit and miss)"
SHOTS=$ROOT/.build/e2e-screenshots
mkdir -p "$SHOTS"
mkdir -p "$WORK/inspector"
browser_status=0
python3 scripts/e2e/inspector_browser.py "$BIN" "$FAKE_PORT" "$WORK/inspector" || browser_status=$?
cp "$WORK"/inspector/*.png "$SHOTS"/ 2>/dev/null || true
((browser_status == 0)) || fail "inspector browser test (screenshots: $SHOTS)"
echo "screenshots: $SHOTS"

step "fleet store: ship while recording, kill -9 mid-ship, push twice, read the fleet like a file"
# Not under $WORK (mode 0700): as root the cluster runs as the postgres user, who must reach it.
PG_DIR=$(mktemp -d /tmp/sessproxy-e2e-pg.XXXXXX)
chmod 755 "$PG_DIR"
PG_PORT=$(free_port)
scripts/pg-cluster.sh start "$PG_DIR/cluster" "$PG_PORT" >"$WORK/pg.log" 2>&1 || { cat "$WORK/pg.log"; fail "could not start a PostgreSQL cluster"; }
cleanup_pg() { scripts/pg-cluster.sh stop "$PG_DIR/cluster"; rm -rf "$PG_DIR"; }
trap 'cleanup_pg; cleanup' EXIT
export PGPASSWORD=sessproxy-test
FLEET="postgres://sessproxy@127.0.0.1:$PG_PORT/fleet"
fleet_count() { psql -h 127.0.0.1 -p "$PG_PORT" -U sessproxy -d fleet -qAt -c "SELECT count(*) FROM sessproxy_exchange WHERE recording = '$1'"; }
SHIP_PORT=$(free_port)
"$BIN" record --upstream "http://127.0.0.1:$FAKE_PORT" --cassette "$WORK/ship.sqlite" --listen "127.0.0.1:$SHIP_PORT" \
    --ship "$FLEET" --recording e2e --sidecar ship-1 &
SHIP_PID=$!
PIDS+=("$SHIP_PID")
wait_port "$SHIP_PORT"
for _ in 1 2 3; do flow "http://127.0.0.1:$SHIP_PORT" >/dev/null; done
kill -9 "$SHIP_PID"; wait "$SHIP_PID" 2>/dev/null || true
# Restarted on the same cassette, it resumes where its remembered progress stopped.
"$BIN" record --upstream "http://127.0.0.1:$FAKE_PORT" --cassette "$WORK/ship.sqlite" --listen "127.0.0.1:$SHIP_PORT" \
    --ship "$FLEET" --recording e2e --sidecar ship-1 &
SHIP_PID=$!
PIDS+=("$SHIP_PID")
wait_port "$SHIP_PORT"
flow "http://127.0.0.1:$SHIP_PORT" >/dev/null
rows=$(sqlite3 "$WORK/ship.sqlite" 'SELECT count(*) FROM exchange')
for _ in $(seq 1 100); do [[ $(fleet_count e2e) == "$rows" ]] && break; sleep 0.1; done
[[ $(fleet_count e2e) == "$rows" ]] || fail "the fleet holds $(fleet_count e2e) exchanges of the cassette's $rows after kill -9 and restart"
curl -sf "http://127.0.0.1:$SHIP_PORT/__sessproxy/health" | python3 -c 'import json,sys; f=json.load(sys.stdin)["fleet"]; assert f["connected"] and f["pending"] == 0, f' \
    || fail "health does not report the shipper connected with nothing pending"
kill -TERM "$SHIP_PID"; wait "$SHIP_PID" || fail "record --ship did not exit 0"
"$BIN" push "$WORK/ship.sqlite" "$FLEET" --recording e2e-push >/dev/null || fail "push failed"
second=$("$BIN" push "$WORK/ship.sqlite" "$FLEET" --recording e2e-push) || fail "second push failed"
[[ $second == *": 0 new, $rows already there" ]] || fail "a second push added rows: $second"
"$BIN" diff "$WORK/ship.sqlite" "$FLEET?recording=e2e" >/dev/null || fail "diff of the cassette and its fleet recording is not equal"
cmp -s <("$BIN" export "$WORK/ship.sqlite" --format json) <("$BIN" export "$FLEET?recording=e2e" --format json) \
    || fail "export of the fleet recording differs from the cassette's"
"$BIN" pull "$FLEET?recording=e2e" "$WORK/pulled.sqlite" >/dev/null || fail "pull failed"
[[ $(sqlite3 "$WORK/pulled.sqlite" 'SELECT count(*) FROM exchange') == "$rows" ]] || fail "pull wrote another number of exchanges"
set +e
"$BIN" list "$FLEET" >/dev/null 2>"$WORK/norec.err"; norec=$?
PGPASSWORD=wrong "$BIN" list "$FLEET?recording=e2e" >/dev/null 2>"$WORK/badpw.err"; badpw=$?
set -e
[[ $norec == 2 && $(wc -l <"$WORK/norec.err") == 1 ]] || fail "a fleet source without a recording did not exit 2 with one line"
[[ $badpw == 2 ]] && grep -q "refused the login" "$WORK/badpw.err" || fail "a wrong password did not exit 2 naming the login"
grep -q "sessproxy-test" "$WORK/badpw.err" "$WORK/norec.err" && fail "a password was printed"
# Replay from the fleet (read in place, over verified TLS) answers as replay from the file does.
replay_flows() {
    local source=$1 out=$2 port
    port=$(free_port)
    "$BIN" replay --cassette "$source" --listen "127.0.0.1:$port" 2>>"$WORK/fleet-replay.log" &
    local pid=$!
    PIDS+=("$pid")
    wait_port "$port"
    for n in 1 2 3 4; do flow "http://127.0.0.1:$port" "$out.$n" >/dev/null; done
    kill -TERM "$pid"; wait "$pid" || fail "replay of $source did not exit 0"
}
replay_flows "$WORK/ship.sqlite" "$WORK/file-replay"
replay_flows "$FLEET?recording=e2e&sslmode=verify-full&sslrootcert=$PG_DIR/cluster/server.crt" "$WORK/fleet-replay"
for n in 1 2 3 4; do for call in 1 2 3 4 5; do
    cmp -s "$WORK/file-replay.$n.$call" "$WORK/fleet-replay.$n.$call" || fail "replay from the fleet answered flow $n call $call unlike the file"
done; done
grep -q '"status"' "$WORK/fleet-replay.4.4" || fail "replay from the fleet did not answer the last read"
set +e
"$BIN" list "$FLEET?recording=e2e&sslmode=verify-full" >/dev/null 2>"$WORK/untrusted.err"; untrusted=$?
set -e
[[ $untrusted == 2 && $(wc -l <"$WORK/untrusted.err") == 1 ]] && grep -q "certificate must be signed" "$WORK/untrusted.err" \
    || fail "an untrusted server certificate under verify-full was not one line and exit 2: $(cat "$WORK/untrusted.err")"
# What replay serves from the fleet is valid against Klarna's OpenAPI document (the format-3
# fixture's flows, pushed from a copy: push gives the file its cassette id).
cp scripts/e2e/fixtures/format3-full-flows.sqlite "$WORK/format3-push.sqlite"
"$BIN" push "$WORK/format3-push.sqlite" "$FLEET" --recording format3 >/dev/null || fail "push of the format-3 fixture failed"
python3 scripts/e2e/replay_schema_check.py --binary "$BIN" \
    --openapi Sources/SessproxyCore/Schema/klarna-payments-openapi.yaml --work "$WORK/schema-fleet" \
    --replay-source "$FLEET?recording=format3" \
    || fail "replay from the fleet serves answers that break the OpenAPI document"
unset PGPASSWORD

step "record a flow"
start_recorder "$WORK/a.sqlite"
RECORD_PID=$RECORDER_PID
SESSION_A=$(flow "http://127.0.0.1:$PROXY_PORT" "$WORK/recorded")
HEALTH=$(curl -sf "http://127.0.0.1:$PROXY_PORT/__sessproxy/health")
echo "$HEALTH"
[[ $HEALTH == *'"mode":"record"'* && $HEALTH == *'"exchanges_recorded":5'* ]] || fail "health did not report 5 recorded exchanges"
curl -sf "http://127.0.0.1:$PROXY_PORT/__sessproxy/metrics" | grep -q 'sessproxy_exchanges_recorded_total 5' || fail "metrics"
kill -TERM "$RECORD_PID"
wait "$RECORD_PID" || fail "record did not exit 0 on SIGTERM"
[[ $(stat -c %a "$WORK/a.sqlite") == 600 ]] || fail "cassette is not mode 0600"

step "list / show / sessions"
"$BIN" list "$WORK/a.sqlite"
COUNT=$("$BIN" list "$WORK/a.sqlite" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[[ $COUNT == 5 ]] || fail "expected 5 exchanges, found $COUNT"
"$BIN" show "$WORK/a.sqlite" 1 | head -20
"$BIN" show "$WORK/a.sqlite" 1 --format json | python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert doc["operation"] == "create", doc["operation"]
assert doc["request"]["body"]["billing_address"]["email"].startswith("redacted:"), "email not redacted"
assert doc["response"]["body"]["client_token"].startswith("redacted:"), "client_token not redacted"
'
"$BIN" sessions "$WORK/a.sqlite"
"$BIN" sessions "$WORK/a.sqlite" --format json | grep -q "$SESSION_A" || fail "sessions does not list $SESSION_A"

step "kill -9 under load loses nothing answered"
start_recorder "$WORK/k.sqlite"
KILL_PID=$RECORDER_PID
# Four clients hammer the recorder; it is killed mid-load. Every answered exchange must be in
# the cassette (a committed one whose answer was cut off may be there too).
CLIENTS=()
for client in 1 2 3 4; do
    (
        for i in $(seq 1 200); do
            code=$(curl -s -o /dev/null -w '%{http_code}' -u "$AUTH" -H "X-Request: $client-$i" \
                "http://127.0.0.1:$PROXY_PORT/payments/v1/sessions/unknown-$client-$i" || true)
            [[ $code == 000 ]] && break
            echo "unknown-$client-$i"
        done > "$WORK/answered-$client.txt"
    ) &
    CLIENTS+=("$!")
done
sleep 1
kill -9 "$KILL_PID"
wait "$KILL_PID" 2>/dev/null || true
wait "${CLIENTS[@]}"
ANSWERED=$(cat "$WORK"/answered-*.txt | wc -l)
ls -la "$WORK"
"$BIN" list "$WORK/k.sqlite" --format json > "$WORK/k.json"
MISSING_AFTER_KILL=$(python3 - "$WORK/k.json" "$WORK"/answered-*.txt <<'PY'
import json, sys
stored = {row["path"].rsplit("/", 1)[-1] for row in json.load(open(sys.argv[1]))}
answered = {line.strip() for name in sys.argv[2:] for line in open(name) if line.strip()}
print(len(answered - stored))
PY
)
echo "answered $ANSWERED before kill -9; missing from cassette: $MISSING_AFTER_KILL"
[[ $ANSWERED -gt 0 ]] || fail "no request was answered before kill -9"
[[ $MISSING_AFTER_KILL == 0 ]] || fail "$MISSING_AFTER_KILL answered exchanges were lost by kill -9"
[[ $(sqlite3 "$WORK/k.sqlite" 'PRAGMA integrity_check') == ok ]] || fail "integrity_check after kill -9"

step "no PII or credential canary on disk"
for file in "$WORK"/*.sqlite*; do
    if grep -a -q -e "$CANARY_EMAIL" -e "$CANARY_SECRET" -e "$(printf %s "$AUTH" | base64)" -e "Mustermann" "$file"; then
        fail "canary found in $file"
    fi
done
echo "clean: $(cd "$WORK" && echo *.sqlite*)"

step "record a regressed flow (update breaks the line total)"
start_recorder "$WORK/b.sqlite"
RECORD_PID=$RECORDER_PID
flow "http://127.0.0.1:$PROXY_PORT" /dev/null 3 broken >/dev/null
kill -TERM "$RECORD_PID"
wait "$RECORD_PID" || fail "record did not exit 0 on SIGTERM"

step "diff"
set +e
"$BIN" diff "$WORK/a.sqlite" "$WORK/a.sqlite" >/dev/null
SAME=$?
"$BIN" diff "$WORK/a.sqlite" "$WORK/b.sqlite" --color never > "$WORK/diff.txt"
DIFFERENT=$?
"$BIN" diff "$WORK/a.sqlite" "$WORK/missing.sqlite" 2>/dev/null
MISSING=$?
set -e
cat "$WORK/diff.txt"
[[ $SAME == 0 ]] || fail "diff of a cassette with itself exited $SAME"
[[ $DIFFERENT == 1 ]] || fail "diff of a regressed recording exited $DIFFERENT"
[[ $MISSING == 2 ]] || fail "diff with a missing file exited $MISSING"
grep -q "204 → 400" "$WORK/diff.txt" || fail "diff does not show the status change"
grep -q "total_amount" "$WORK/diff.txt" || fail "diff does not name the broken field"
# correlation_id differs in every Klarna error answer: the diff treats it as noise.
if grep -q "correlation_id" "$WORK/diff.txt"; then fail "diff shows correlation_id, which is noise"; fi

step "replay offline, twice, byte for byte"
kill -TERM "$FAKE_PID"
wait "$FAKE_PID" 2>/dev/null || true
REPLAY_PORT=$(free_port)
# replay_twice OUT CASSETTE COMMAND…: `COMMAND replay --strict` of CASSETTE on REPLAY_PORT (its
# pid in REPLAY_PID), and the flow run against it twice, into OUT1.* and OUT2.*.
replay_twice() {
    local out=$1 cassette=$2
    shift 2
    "$@" replay --cassette "$cassette" --listen "127.0.0.1:$REPLAY_PORT" --strict &
    REPLAY_PID=$!
    PIDS+=("$REPLAY_PID")
    wait_port "$REPLAY_PORT"
    flow "http://127.0.0.1:$REPLAY_PORT" "${out}1" >/dev/null
    flow "http://127.0.0.1:$REPLAY_PORT" "${out}2" >/dev/null
}
replay_twice "$WORK/replay" "$WORK/a.sqlite" "$BIN"
for n in 1 2 3 4 5; do
    cmp -s "$WORK/replay1.$n" "$WORK/replay2.$n" || fail "replay runs differ at step $n"
    [[ $(tail -n1 "$WORK/replay1.$n") == "$(tail -n1 "$WORK/recorded.$n")" ]] || [[ $n == 1 ]] || fail "replayed status differs from recorded at step $n"
done
grep -q '"session_id":"'"$SESSION_A"'"' "$WORK/replay1.1" || fail "replayed create does not answer the recorded session"
python3 - "$WORK/replay1.2" "$WORK/replay1.4" <<'PY' || fail "reads do not follow the session's updates"
import json, sys
before = json.loads(open(sys.argv[1]).read().rsplit("\n", 2)[0])
after = json.loads(open(sys.argv[2]).read().rsplit("\n", 2)[0])
assert before["order_lines"][0]["quantity"] == 2 and after["order_lines"][0]["quantity"] == 3, (before["order_lines"][0], after["order_lines"][0])
assert before["client_token"].count(".") == 2, "replayed client_token is not JWT-shaped"
PY
HEALTH=$(curl -sf "http://127.0.0.1:$REPLAY_PORT/__sessproxy/health")
echo "$HEALTH"
[[ $HEALTH == *'"upstream_connections":0'* && $HEALTH == *'"misses":0'* ]] || fail "replay health: $HEALTH"
kill -TERM "$REPLAY_PID"
wait "$REPLAY_PID" || fail "clean --strict replay did not exit 0"

step "replay miss: explained, and --strict fails the run"
"$BIN" replay --cassette "$WORK/a.sqlite" --listen "127.0.0.1:$REPLAY_PORT" --strict 2>"$WORK/strict.log" &
REPLAY_PID=$!
PIDS+=("$REPLAY_PID")
wait_port "$REPLAY_PORT"
MISS=$(curl -s -D "$WORK/miss.headers" -u "$AUTH" -H 'Content-Type: application/json' --data "$(update_body 5)" \
    "http://127.0.0.1:$REPLAY_PORT/payments/v1/sessions/$SESSION_A")
echo "$MISS" | head -c 600; echo
[[ $MISS == *SESSPROXY_NO_MATCH* ]] || fail "miss is not SESSPROXY_NO_MATCH"
[[ $MISS == *'order_lines[ref=SKU-TR-42].quantity'* ]] || fail "miss report does not name the differing field"
grep -qi '^Sessproxy-Miss:' "$WORK/miss.headers" || fail "no Sessproxy-Miss header"
kill -TERM "$REPLAY_PID"
set +e
wait "$REPLAY_PID"
STRICT=$?
set -e
[[ $STRICT == 1 ]] || fail "--strict replay with a miss exited $STRICT"
tail -3 "$WORK/strict.log"

step "replay a cassette this user may only read (a read-only mount, another user's file)"
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
    # A folder of root's: user nobody may read the cassette but write neither it nor beside it.
    RO=$(mktemp -d)
    chmod 755 "$RO"
    cp "$WORK/a.sqlite" "$BIN" "$RO/"
    chmod 644 "$RO/a.sqlite"
    mkdir -m 777 "$RO/home"
    BEFORE=$(sha256sum "$RO/a.sqlite")
    NOBODY=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups env HOME="$RO/home" XDG_CONFIG_HOME="$RO/home")
    as_nobody() { "${NOBODY[@]}" "$@"; }
    # setpriv and env exec what follows, so REPLAY_PID is sessproxy's own.
    replay_twice "$WORK/replay_ro" "$RO/a.sqlite" "${NOBODY[@]}" "$RO/sessproxy"
    for n in 1 2 3 4 5; do
        cmp -s "$WORK/replay1.$n" "$WORK/replay_ro1.$n" || fail "read-only replay differs from the first replay at step $n"
        cmp -s "$WORK/replay2.$n" "$WORK/replay_ro2.$n" || fail "read-only replay differs from the second replay at step $n"
    done
    HEALTH=$(curl -sf "http://127.0.0.1:$REPLAY_PORT/__sessproxy/health")
    [[ $HEALTH == *'"misses":0'* && $HEALTH == *'"hits":10'* ]] || fail "read-only replay health: $HEALTH"
    kill -TERM "$REPLAY_PID"
    wait "$REPLAY_PID" || fail "read-only --strict replay did not exit 0"
    [[ ! -e $RO/a.sqlite-wal && ! -e $RO/a.sqlite-shm ]] || fail "read-only replay created files beside the cassette"
    [[ $(sha256sum "$RO/a.sqlite") == "$BEFORE" ]] || fail "read-only replay changed the cassette"
    as_nobody "$RO/sessproxy" list "$RO/a.sqlite" | grep -q create || fail "list of a read-only cassette"
    # refused_as_nobody WHAT EXPECTED COMMAND…: COMMAND, run as nobody, exits 2 saying EXPECTED.
    refused_as_nobody() {
        local what=$1 expected=$2 said code=0
        shift 2
        said=$(as_nobody "$RO/sessproxy" "$@" 2>&1) || code=$?
        echo "$said"
        [[ $code == 2 && $said == *"$expected"* ]] || fail "$what: exit $code: $said"
    }
    refused_as_nobody "redact of a read-only cassette" "read-only here" redact "$RO/a.sqlite"
    : >"$RO/a.sqlite-wal"
    refused_as_nobody "a read-only cassette with a -wal beside it" "-wal file" list "$RO/a.sqlite"
    rm "$RO/a.sqlite-wal"
    # A read-only mount (a container's `:ro` volume) refuses writes even to root.
    mkdir "$RO/mount"
    if mount --bind "$RO" "$RO/mount" 2>/dev/null && mount -o remount,ro,bind "$RO/mount" 2>/dev/null; then
        # On failure, cleanup unmounts.
        SESSIONS=$("$BIN" sessions "$RO/mount/a.sqlite") || fail "sessions of a cassette on a read-only mount"
        umount "$RO/mount"
        [[ $SESSIONS == *"$SESSION_A"* ]] || fail "sessions on a read-only mount: $SESSIONS"
        [[ ! -e $RO/a.sqlite-shm ]] || fail "reading on a read-only mount created a -shm"
        echo "read-only mount: read as root, nothing written"
    else
        umount "$RO/mount" 2>/dev/null || true
        echo "read-only mount: skipped (mount not permitted here)"
    fi
    rm -rf "$RO"
else
    echo "skipped: needs root, setpriv and user nobody to read as another user"
fi

step "audit, export, HAR round trip"
"$BIN" audit "$WORK/a.sqlite" || fail "audit of a recorded cassette found leaks"
"$BIN" export "$WORK/a.sqlite" --format json --output "$WORK/a1.json"
"$BIN" export --format json "$WORK/a.sqlite" > "$WORK/a2.json"
cmp -s "$WORK/a1.json" "$WORK/a2.json" || fail "export json is not stable"
"$BIN" export "$WORK/a.sqlite" --format har --output "$WORK/a.har"
"$BIN" import "$WORK/a.har" --cassette "$WORK/imported.sqlite"
"$BIN" replay --cassette "$WORK/imported.sqlite" --listen "127.0.0.1:$REPLAY_PORT" --strict &
REPLAY_PID=$!
PIDS+=("$REPLAY_PID")
wait_port "$REPLAY_PORT"
flow "http://127.0.0.1:$REPLAY_PORT" "$WORK/imported" >/dev/null
for n in 2 3 4 5; do
    [[ $(tail -n1 "$WORK/imported.$n") == "$(tail -n1 "$WORK/recorded.$n")" ]] || fail "imported replay differs at step $n"
done
kill -TERM "$REPLAY_PID"
wait "$REPLAY_PID" || fail "replay of the imported cassette was not clean"
sqlite3 "$WORK/imported.sqlite" "UPDATE exchange SET response_body = '{\"billing_address\":{\"email\":\"leaked.person@example.com\"}}' WHERE id = 2"
set +e
"$BIN" audit "$WORK/imported.sqlite" --format json > "$WORK/audit.json"
AUDIT=$?
set -e
[[ $AUDIT == 1 ]] || fail "audit did not find a planted email (exit $AUDIT)"
grep -q leaked.person "$WORK/audit.json" && fail "audit printed the leaked value"
"$BIN" redact "$WORK/imported.sqlite"
"$BIN" audit "$WORK/imported.sqlite" >/dev/null || fail "audit after redact still finds leaks"

step "replayed answers are valid against Klarna's OpenAPI document"
python3 scripts/e2e/replay_schema_check.py --binary "$BIN" \
    --openapi Sources/SessproxyCore/Schema/klarna-payments-openapi.yaml --work "$WORK/schema" \
    || fail "a replayed answer breaks the OpenAPI document (see above)"
# A format-3 cassette of the same flows, recorded before pseudonyms carried format hints.
python3 scripts/e2e/replay_schema_check.py --binary "$BIN" \
    --openapi Sources/SessproxyCore/Schema/klarna-payments-openapi.yaml --work "$WORK/schema-format3" \
    --replay-cassette scripts/e2e/fixtures/format3-full-flows.sqlite \
    || fail "a cassette recorded before format hints replays answers that break the OpenAPI document"

step "personal data where the profile does not expect it"
start_recorder "$WORK/buggy.sqlite"
BUGGY_PID=$RECORDER_PID
BUGGY_EMAIL="e2e.buggy.person@example.com"
BUGGY_PHONE="+447700900777"
buggy_requests() {
    local base=$1
    curl -s -o /dev/null -u "$AUTH" -H 'Content-Type: application/json' \
        --data "{\"purchase_country\":\"GB\",\"purchase_currency\":\"GBP\",\"order_amount\":0,\"order_lines\":[],\"merchant_reference2\":\"$BUGGY_PHONE\",\"notes\":\"call $BUGGY_EMAIL\"}" \
        "$base/payments/v1/sessions"
    curl -s -o /dev/null -u "$AUTH" -H 'Content-Type: application/json' --data "{\"billing_address\":{\"email\":\"$BUGGY_EMAIL\"" \
        "$base/payments/v1/sessions"
    curl -s -o /dev/null -u "$AUTH" --data "email=${BUGGY_EMAIL/@/%40}&step=2" "$base/checkout/notify"
    curl -s -o /dev/null -u "$AUTH" "$base/customers/lookup?email=${BUGGY_EMAIL/@/%40}"
    curl -s -o /dev/null -u "$AUTH" -H "X-Customer-Email: $BUGGY_EMAIL" "$base/ping"
    curl -s -o /dev/null -u "$AUTH" "$base/customers/$BUGGY_EMAIL/orders"
}
buggy_requests "http://127.0.0.1:$PROXY_PORT"
kill -TERM "$BUGGY_PID"
wait "$BUGGY_PID" || fail "record did not exit 0"
for file in "$WORK"/buggy.sqlite*; do
    for canary in "$BUGGY_EMAIL" "${BUGGY_EMAIL/@/%40}" "7700900777"; do
        if grep -aq -- "$canary" "$file"; then fail "$canary reached $file"; fi
    done
done
"$BIN" audit "$WORK/buggy.sqlite" || fail "audit finds leaks in a recording of misplaced personal data"
"$BIN" replay --cassette "$WORK/buggy.sqlite" --listen "127.0.0.1:$REPLAY_PORT" --strict &
REPLAY_PID=$!
PIDS+=("$REPLAY_PID")
wait_port "$REPLAY_PORT"
buggy_requests "http://127.0.0.1:$REPLAY_PORT"
kill -TERM "$REPLAY_PID"
wait "$REPLAY_PID" || fail "live requests with the real personal data did not all match the redacted recording"

echo
echo "E2E OK"
