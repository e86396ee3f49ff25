#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: `pg-cluster.sh start DIR PORT` creates one in DIR
# (initdb, password authentication for user sessproxy / password sessproxy-test, database
# fleet) and starts it on 127.0.0.1:PORT, with TLS on (a self-signed certificate for 127.0.0.1
# and localhost in DIR/server.crt, which clients can trust as sslrootcert); `pg-cluster.sh stop DIR` stops it; `kill DIR` stops it
# at once (an outage). initdb refuses to run as root, so as root it runs as the `postgres` user
# Debian's package creates. Needs Debian's postgresql (scripts/setup.sh installs it).
set -euo pipefail
# The server outlives this script: it must not keep descriptors its caller left open (a test
# process reading another program's output to its end would wait for the server to stop).
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    # Not silenced: bash would keep stderr's copy on the lowest free descriptor from 10, which
    # this loop may close. Closing one already closed (the glob's own) is not an error.
    if ((fd > 2)); then eval "exec $fd>&-"; fi
done
command=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $bin ]] || { echo "pg-cluster: PostgreSQL is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $command in
start)
    port=$3
    if [[ ! -f $dir/data/PG_VERSION ]]; then
        mkdir -p "$dir"
        [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
        printf 'sessproxy-test\n' >"$dir/pwfile"
        [[ $(id -u) -eq 0 ]] && chown postgres "$dir/pwfile"
        as_owner "$bin/initdb" -D "$dir/data" -U sessproxy --pwfile="$dir/pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if [[ ! -f $dir/server.crt ]]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
            -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$dir/server.key" -out "$dir/server.crt" >"$dir/openssl.log" 2>&1 \
            || { cat "$dir/openssl.log" >&2; exit 1; }
        chmod 600 "$dir/server.key"
        [[ $(id -u) -eq 0 ]] && chown postgres "$dir/server.key" "$dir/server.crt"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key" \
        start >/dev/null
    PGPASSWORD=sessproxy-test "$bin/psql" -h 127.0.0.1 -p "$port" -U sessproxy -d postgres -qAt \
        -c "SELECT 1 FROM pg_database WHERE datname = 'fleet'" | grep -q 1 \
        || PGPASSWORD=sessproxy-test "$bin/psql" -h 127.0.0.1 -p "$port" -U sessproxy -d postgres -q -c "CREATE DATABASE fleet" >/dev/null
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
kill)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: pg-cluster.sh start DIR PORT | stop DIR | kill DIR" >&2
    exit 2
    ;;
esac
