#!/usr/bin/env bash
# Installs the system libraries sessproxy builds against (SQLite for GRDB, OpenSSL headers),
# plus the sqlite3 shell and curl that scripts/e2e.sh drives the binary with,
# when they are missing. Safe to run again.
set -euo pipefail

missing=()
for package in libsqlite3-dev libssl-dev sqlite3 curl; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]})); then
    echo "sessproxy setup: installing ${missing[*]}" >&2
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

command -v swift >/dev/null || { echo "sessproxy setup: swift 6 toolchain not found on PATH" >&2; exit 1; }
