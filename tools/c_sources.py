"""Print each C file of the core with the compiler flags setup.py builds it with.

    python tools/c_sources.py [MACHINE]

MACHINE (default: this one) is the target as platform.machine() names it,
e.g. x86_64 or aarch64, so flags chosen per architecture come out as a
cross build would use them. setup.py is run with setup() and cythonize()
replaced by stand-ins that only record their arguments, so nothing is built
and the flags come from the one place that defines them. Output, one line
each:

    SOURCE FLAGS...     for every C source of every library in setup.py
    link FLAGS...       the extension's extra link flags

Exits 1, naming the file, if a csrc/*.c is built by no library on either
x86_64 or aarch64: a new file must be added to setup.py to be part of the
wheel. (A file may be built for one architecture only, e.g. its SIMD kernels.)
"""
import glob
import os
import platform
import runpy
import sys
import sysconfig

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def setup_arguments(machine: str) -> dict:
    """The keyword arguments setup.py passes to setup(), for `machine`."""
    import Cython.Build
    import setuptools

    captured: dict = {}
    platform.machine = lambda: machine
    sysconfig.get_platform = lambda: f"linux-{machine}"
    setuptools.setup = captured.update
    Cython.Build.cythonize = lambda extensions, **_: extensions
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        runpy.run_path("setup.py", run_name="__main__")
    finally:
        os.chdir(cwd)
    return captured


def unix_flags(info: dict) -> list[str]:
    """A build_clib library's flags as a gcc command line spells them."""
    flags = list(info.get("cflags", []))
    for name, value in info.get("macros", []):
        flags.append(f"-D{name}" if value is None else f"-D{name}={value}")
    flags += [f"-I{path}" for path in info.get("include_dirs", [])]
    return flags


def source_flags(args: dict) -> dict[str, list[str]]:
    """{C source: its flags} over every library of the setup() arguments."""
    return {
        source.replace(os.sep, "/"): unix_flags(info)
        for _, info in args.get("libraries", [])
        for source in info["sources"]
    }


def main(argv: list[str]) -> int:
    machine = argv[1] if len(argv) > 1 else platform.machine()
    args = setup_arguments(machine)
    flags = source_flags(args)
    built = set(flags)
    for other in ("x86_64", "aarch64"):
        built |= set(source_flags(setup_arguments(other)))
    missing = [
        path
        for path in sorted(p.replace(os.sep, "/") for p in glob.glob("csrc/*.c", root_dir=ROOT))
        if path not in built
    ]
    if missing:
        print(f"not built by setup.py: {' '.join(missing)}", file=sys.stderr)
        return 1
    for source, its_flags in flags.items():
        print(source, *its_flags)
    link = [flag for ext in args.get("ext_modules", []) for flag in ext.extra_link_args]
    print("link", *link)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
