#!/usr/bin/env bash
# Both memory checks of the C core, as CI runs them: the test suite under
# ASan + UBSan (tools/sanitize.sh), then tools/exercise.py under valgrind
# (tools/valgrind.sh). Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
tools/sanitize.sh
tools/valgrind.sh
echo "memory_checks.sh: passed in $((SECONDS - start)) s"
