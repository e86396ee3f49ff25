#!/usr/bin/env bash
# Runs every test: unit tests on Core, store tests, proxy tests against an in-process fake
# Klarna, CLI tests on the built binary. No network needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
