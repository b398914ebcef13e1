#!/usr/bin/env bash
# Build ffnn with AddressSanitizer and UndefinedBehaviorSanitizer (gcc) and run
# the test suite (all but the browser tests) against that build. Any report
# aborts the process, so the run passes only with zero reports.
#
# Usage: tools/sanitize.sh [pytest arguments]
# The build goes to a temporary directory; the source tree is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g"
# Build without isolation when the build requirements are already here.
isolation=()
if python -c "import Cython, setuptools" 2>/dev/null; then
    isolation=(--no-build-isolation)
fi
# A fresh copy of the sources: objects left in build/ by an earlier, plain
# build would otherwise be linked in uninstrumented.
mkdir "$work/source"
git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - | tar -xf - -C "$work/source"
CC=gcc CFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" \
    python -m pip wheel --quiet --no-deps --no-cache-dir ${isolation[@]+"${isolation[@]}"} -w "$work/wheel" "$work/source"
python -m zipfile -e "$work"/wheel/ffnn-*.whl "$work/site"

# CPython itself is not instrumented, so the ASan runtime must be loaded
# first; its leak report would list CPython's deliberate leaks at exit.
# libstdc++ comes next so that ASan finds the real __cxa_throw when a C++
# extension (matplotlib's, in the CLI tests) throws.
export LD_PRELOAD
LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libstdc++.so)"
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export PYTHONPATH="$work/site"

core=$(python -c "import ffnn._core as c; print(c.__file__)")
case "$core" in
"$work"/site/*) ;;
*) echo "sanitize.sh: imported $core instead of the sanitized build" >&2; exit 1 ;;
esac
# Every object must be instrumented, the C core's included.
# (Whole listings, not `nm | grep -q`: with pipefail, grep stopping early
# would fail the pipe.)
symbols=$(nm "$core")
undefined=$(nm -u "$core")
[[ $symbols == *ffnn_train* && $undefined == *__asan_report_load8* ]] \
    || { echo "sanitize.sh: $core is not instrumented" >&2; exit 1; }

# --capture=sys leaves file descriptor 2 alone, so a report reaches the log
# before the abort.
# The drawing page's browser tests are left out: Chromium does not start with the
# sanitizers' runtime preloaded (it waits out Playwright's three minutes), and the page
# runs the network in JavaScript, not in ffnn's C. With pytest-xdist installed the tests
# run on every core (the build is several times slower than a plain one).
workers=()
if python -c "import xdist" 2>/dev/null; then
    workers=(-n auto)
fi
python -m pytest -q -p no:cacheprovider --capture=sys ${workers[@]+"${workers[@]}"} \
    --ignore=tests/test_draw_page.py "$@" tests
echo "sanitize.sh: test suite passed under ASan + UBSan with no reports"
