#!/usr/bin/env bash
# Builds sessproxy and runs `sessproxy demo`: a fake Klarna, a recording proxy, a merchant flow,
# then replay and diff, all on free local ports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --product sessproxy
exec .build/debug/sessproxy demo "$@"
