"""The compiled parts of ffnn; all metadata lives in pyproject.toml.

The C core is built as its own static library so it keeps its own language
standard and warnings, apart from the Cython-generated module.
tools/c_sources.py reads the libraries declared here, so the portability
checks compile each C file with the flags it is built with.
"""
import platform
import sys
from glob import glob

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

MSVC = sys.platform == "win32"
if MSVC:
    C_FLAGS = ["/O2", "/std:c11"]
else:
    C_FLAGS = ["-O3", "-std=c99", "-Wall", "-Wextra"]

# The AVX2 and AVX-512 kernels are compiled apart, each with the flags of its
# level only, so the rest of the library runs on any x86-64 CPU; dispatch.c
# picks a level at run time from CPUID.
X86_64 = platform.machine().lower() in ("x86_64", "amd64", "x64")
SIMD_FLAGS = {
    "avx2": ["/arch:AVX2"] if MSVC else ["-mavx2", "-mfma"],
    "avx512": ["/arch:AVX512"] if MSVC else ["-mavx512f", "-mfma"],
}
simd_levels = list(SIMD_FLAGS) if X86_64 else []

# build_clib and build_ext compare only sources with their outputs; these
# also rebuild the objects after a template header changes, and relink the
# module after any C file does.
C_HEADERS = sorted(glob("csrc/*.h"))
C_FILES = sorted(glob("csrc/*.c")) + C_HEADERS

ffnn_kernels = (
    "ffnn_kernels",
    {
        "sources": [
            "csrc/dispatch.c", "csrc/kernels.c", "csrc/network.c", "csrc/pool.c", "csrc/rotate.c",
            "csrc/gradients.c",
            "csrc/simd_scalar.c", "csrc/simd_neon.c",
        ],
        "include_dirs": ["csrc"],
        "cflags": C_FLAGS,
        "obj_deps": {"": C_HEADERS},
        "macros": [(f"FFNN_HAVE_{level.upper()}", "1") for level in simd_levels],
    },
)
simd_libraries = [
    (
        f"ffnn_{level}",
        {
            "sources": [f"csrc/simd_{level}.c"],
            "include_dirs": ["csrc"],
            "cflags": C_FLAGS + SIMD_FLAGS[level],
            "obj_deps": {"": C_HEADERS},
        },
    )
    for level in simd_levels
]

extensions = [
    Extension(
        "ffnn._core",
        sources=["src/ffnn/_core.pyx"],
        include_dirs=["csrc", numpy.get_include()],
        depends=C_FILES,
        # Static libraries: the one using the others comes first.
        libraries=["ffnn_kernels"] + [name for name, _ in simd_libraries],
        extra_link_args=[] if MSVC else ["-pthread"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
    )
]

setup(
    libraries=[ffnn_kernels, *simd_libraries],
    ext_modules=cythonize(extensions, compiler_directives={"language_level": "3"}),
)
