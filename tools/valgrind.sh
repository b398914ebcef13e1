#!/usr/bin/env bash
# Run tools/exercise.py (every public operation and the usual bad arguments)
# under valgrind's memcheck, with the ffnn that `python` imports. Any error
# makes the run fail. PYTHONMALLOC=malloc lets valgrind see every allocation.
#
# Usage: tools/valgrind.sh
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 1; }
# The interpreter itself, not a launcher script that would exec it.
python=$(python -c "import sys; print(sys.executable)")
PYTHONMALLOC=malloc valgrind --quiet --error-exitcode=1 --suppressions=tools/valgrind.supp \
    "$python" tools/exercise.py
echo "valgrind.sh: no memcheck errors"
