#!/usr/bin/env bash
# Installs the system libraries sessproxy builds against (SQLite for GRDB, OpenSSL headers),
# plus the sqlite3 shell and curl that scripts/e2e.sh drives the binary with, and the Python
# OpenAPI validator it checks replayed answers with, headless Chromium with Selenium for the
# inspector page's browser test, and PostgreSQL for the fleet store's, when they are missing.
# Safe to run again.
set -euo pipefail

missing=()
# chromium and chromium-driver: scripts/e2e.sh drives the inspector page in headless Chromium;
# postgresql: the fleet store's tests start throwaway clusters (scripts/pg-cluster.sh), with TLS
# certificates made by openssl.
for package in libsqlite3-dev libssl-dev sqlite3 curl chromium chromium-driver postgresql openssl; do
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

# scripts/e2e.sh validates replayed answers against Klarna's OpenAPI document with a
# third-party validator.
if ! python3 -c 'import openapi_schema_validator, yaml, referencing' 2>/dev/null; then
    echo "sessproxy setup: installing openapi-schema-validator and PyYAML (pip)" >&2
    python3 -m pip install --quiet openapi-schema-validator pyyaml
fi

# ... and drives the inspector page with Selenium.
if ! python3 -c 'import selenium' 2>/dev/null; then
    echo "sessproxy setup: installing selenium (pip)" >&2
    python3 -m pip install --quiet selenium
fi

command -v swift >/dev/null || { echo "sessproxy setup: swift 6 toolchain not found on PATH" >&2; exit 1; }
