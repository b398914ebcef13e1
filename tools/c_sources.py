"""Print each C file of the core with the compiler flags setup.py builds it with.

    python tools/c_sources.py [MACHINE]

MACHINE (default: this one) is the target as platform.machine() names it,
e.g. x86_64 or aarch64. setup.py builds every source for every target with
the flags of the compiler's dialect (here gcc's), and adds a SIMD level's
flags only where the target has that level (setup.py's SIMD_PROBE): on
x86-64, -mavx2 and -mavx512f; elsewhere none. setup.py is run with setup()
and cythonize() replaced by stand-ins that only record their arguments, so
nothing is built and the flags come from the one place that defines them.
Output, one line each:

    SOURCE FLAGS...     for every C source of every library in setup.py
    link FLAGS...       the extension's extra link flags

Exits 1, naming the file, if a C file under csrc/ is built by no library: a new file
must be added to setup.py to be part of the wheel.
"""
import glob
import os
import platform
import runpy
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


X86_64 = ("x86_64", "amd64", "x64")


def setup_arguments() -> tuple[dict, dict]:
    """The keyword arguments setup.py passes to setup(), and its globals."""
    import Cython.Build
    import setuptools

    captured: dict = {}
    setuptools.setup = captured.update
    Cython.Build.cythonize = lambda extensions, **_: extensions
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        names = runpy.run_path("setup.py", run_name="__main__")
    finally:
        os.chdir(cwd)
    return captured, names


def unix_flags(info: dict, names: dict, machine: str) -> list[str]:
    """A build_clib library's flags for `machine` as a gcc command line spells them."""
    flags = list(names["C_FLAGS"]["unix"])
    if info.get("simd") and machine.lower() in X86_64:
        flags += names["SIMD_FLAGS"]["unix"][info["simd"]]
    for name, value in info.get("macros", []):
        flags.append(f"-D{name}" if value is None else f"-D{name}={value}")
    flags += [f"-I{path}" for path in info.get("include_dirs", [])]
    return flags


def source_flags(args: dict, names: dict, machine: str) -> dict[str, list[str]]:
    """{C source: its flags} over every library of the setup() arguments."""
    return {
        source.replace(os.sep, "/"): unix_flags(info, names, machine)
        for _, info in args.get("libraries", [])
        for source in info["sources"]
    }


def main(argv: list[str]) -> int:
    machine = argv[1] if len(argv) > 1 else platform.machine()
    args, names = setup_arguments()
    flags = source_flags(args, names, machine)
    built = set(flags)
    missing = [
        path
        for path in sorted(p.replace(os.sep, "/") for p in glob.glob("csrc/**/*.c", root_dir=ROOT, recursive=True))
        if path not in built
    ]
    if missing:
        print(f"not built by setup.py: {' '.join(missing)}", file=sys.stderr)
        return 1
    for source, its_flags in flags.items():
        print(source, *its_flags)
    print("link", *names["LINK_FLAGS"]["unix"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
