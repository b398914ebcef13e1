#!/usr/bin/env bash
# The test suite against the installed package, over the CPythons of this
# machine and NumPy at both ends of the range pyproject.toml allows. For each
# Python: a wheel built once (pip, build isolation, as a user's pip would),
# then for each NumPy a fresh venv with the wheel and its `test` extra, and
# pytest run from copies of the test sources (pyproject.toml's test-sources),
# so `import ffnn` finds the installed wheel, never this tree.
#
#     bash tools/test_matrix.sh                    # every Python found, newest NumPy;
#                                                  # the oldest also with the floor
#     bash tools/test_matrix.sh 3.10:floor 3.13    # only these PYTHON[:NUMPY] cells
#     bash tools/test_matrix.sh --quick 3.13       # the tests not marked slow
#
# NUMPY is a version, "floor" (the lowest version the dependencies allow) or
# absent (the newest pip resolves). A Python is found under ~/.pyenv/versions
# or as pythonX.Y on PATH. Prints one line per cell with pytest's counts;
# exits 1 if any cell failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The floor, read from the dependencies (e.g. "numpy>=1.24" gives 1.24.0).
FLOOR=$(sed -n 's/^dependencies = \["numpy>=\([0-9.]*\)"\]$/\1/p' pyproject.toml)
[[ $FLOOR == *.*.* ]] || FLOOR=$FLOOR.0
SOURCES=$(sed -n 's/^test-sources = \[\(.*\)\]$/\1/p' pyproject.toml | tr -d '",')

find_python() {
    local version=$1 candidate
    # pyenv's own builds first: its shims on PATH may not run outside a
    # pyenv-selected directory.
    for candidate in "$HOME"/.pyenv/versions/"$version".*/bin/python "python$version"; do
        if "$candidate" -c "import sys; assert sys.version.startswith('$version.')" >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

default_cells() {
    local version first=""
    for version in 3.10 3.11 3.12 3.13 3.14 3.15; do
        find_python "$version" >/dev/null || continue
        if [ -z "$first" ]; then
            first=$version
            echo "$version:floor"
        fi
        echo "$version"
    done
}

# wheel_for PYTHON VERSION: builds (once) and prints the wheel for that Python,
# from a fresh copy of the tracked sources: a build in this tree would leave
# its generated _core.c and objects behind for the next Python's build.
wheel_for() {
    local python=$1 version=$2 dir=$WORK/wheels-$2 source=$WORK/source-$2
    if [ ! -d "$dir" ]; then
        mkdir "$source" &&
            (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf -) |
            tar -xf - -C "$source" &&
            "$python" -m venv "$WORK/build-$version" &&
            "$WORK/build-$version/bin/pip" wheel --quiet --no-deps -w "$dir" "$source" >&2 || return 1
    fi
    ls "$dir"/ffnn-*.whl
}

# run_cell VERSION NUMPY: prints "VERSION NUMPY-INSTALLED RESULT".
run_cell() {
    local version=$1 numpy=$2 python wheel venv run pin=() log summary installed
    log=$WORK/cell-$version-${numpy:-newest}.log
    python=$(find_python "$version") || { echo "python $version: not found"; return 2; }
    wheel=$(wheel_for "$python" "$version" 2>"$log") || { echo "python $version: wheel build failed"; return 1; }
    [ "$numpy" = floor ] && numpy=$FLOOR
    [ -n "$numpy" ] && pin=("numpy==$numpy")
    venv=$WORK/venv-$version-${numpy:-newest}
    run=$WORK/run-$version-${numpy:-newest}
    if ! { "$python" -m venv "$venv" &&
        "$venv/bin/pip" install --quiet "${wheel}[test]" "${pin[@]}"; } >>"$log" 2>&1; then
        echo "python $version numpy ${numpy:-newest}: install failed: $(tail -n 1 "$log")"
        return 1
    fi
    installed=$("$venv/bin/python" -c "import numpy; print(numpy.__version__)")
    # shellcheck disable=SC2086 # a list of paths without spaces
    mkdir "$run" && (cd "$ROOT" && cp -r --parents $SOURCES "$run/")
    (cd "$run" && "$venv/bin/python" -m pytest -p no:cacheprovider -q "${selection[@]}") >>"$log" 2>&1
    local rc=$?
    summary=$(grep -E '(passed|failed|error).* in [0-9.]+s' "$log" | tail -n 1 | tr -d '=' | sed 's/^ *//')
    printf 'python %-5s numpy %-7s %s\n' "$("$venv/bin/python" -c 'import platform; print(platform.python_version())')" \
        "$installed" "${summary:-no pytest summary}"
    if [ $rc != 0 ]; then
        grep -E '^(FAILED|ERROR)' "$log" | head -n 20 | sed 's/^/    /'
        # The log outlives the temporary directory, for the tracebacks.
        cp "$log" "${TMPDIR:-/tmp}/test_matrix-$version-${numpy:-newest}.log"
        echo "    log: ${TMPDIR:-/tmp}/test_matrix-$version-${numpy:-newest}.log"
        return 1
    fi
}

# --quick: the cells check the package against other Pythons and NumPys, which
# the fast tests exercise as fully as the slow ones (those train at length).
selection=()
if [ "${1:-}" = --quick ]; then
    selection=(-m "not slow")
    shift
fi
if [ $# -gt 0 ]; then cells=("$@"); else mapfile -t cells < <(default_cells); fi
failed=0
for cell in "${cells[@]}"; do
    version=${cell%%:*}
    numpy=""
    [[ $cell == *:* ]] && numpy=${cell#*:}
    run_cell "$version" "$numpy" || failed=1
done
exit $failed
