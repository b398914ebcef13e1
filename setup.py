"""The compiled parts of ffnn; all metadata lives in pyproject.toml.

The C core is built as static libraries so it keeps its own language
standard and warnings, apart from the Cython-generated module. The flags
depend on the compiler (MSVC and clang-cl, or gcc/clang/MinGW), never on the
build machine: a cross build gets the flags of its target. tools/c_sources.py
reads the libraries and flags declared here, so the portability checks
compile each C file with the flags it is built with.
"""
import os
import tempfile
from glob import glob

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_clib import build_clib
from setuptools.command.build_ext import build_ext
from setuptools.errors import CompileError

# Flags of every C file, by the compiler's command-line dialect. Results
# must be bitwise those of NumPy and of every other platform, so a * b + c
# must never become one fused multiply-add unless the code asks for it:
# clang (Apple's too) contracts by default, hence -ffp-contract=off.
# MSVC's /fp:precise does not contract since Visual Studio 2022; clang-cl
# follows clang, so it gets the clang flag as well (see msvc_flags).
C_FLAGS = {
    "unix": ["-O3", "-std=c99", "-ffp-contract=off", "-Wall", "-Wextra"],
    "msvc": ["/O2", "/std:c11", "/fp:precise"],
}
# The flags that make the Cython module's arithmetic as exact as the core's.
EXT_FLAGS = {"unix": ["-ffp-contract=off"], "msvc": ["/fp:precise"]}
LINK_FLAGS = {"unix": ["-pthread"], "msvc": []}

# The AVX2 and AVX-512 kernels are compiled apart, each with the flags of its
# level only, so the rest of the library runs on any x86-64 CPU; dispatch.c
# picks a level at run time from CPUID. /GL- keeps MSVC's link-time code
# generation from inlining a level's code into the objects built without it.
# /arch:AVX512 allows F, CD, BW, DQ and VL: dispatch.c checks all five.
SIMD_FLAGS = {
    "unix": {"avx2": ["-mavx2", "-mfma"], "avx512": ["-mavx512f", "-mfma"]},
    "msvc": {"avx2": ["/arch:AVX2", "/GL-"], "avx512": ["/arch:AVX512", "/GL-"]},
}
# What a level's flags must give for the file to be built with them: the
# target is x86-64 and the flags enable the level. On any other target (an
# arm64 build, native or cross) the files are compiled without the flags and
# their preprocessor guards leave them empty.
SIMD_PROBE = {
    "avx2": "#if !(defined(__x86_64__) || defined(_M_X64)) || !defined(__AVX2__)\n#error\n#endif\n",
    "avx512": "#if !(defined(__x86_64__) || defined(_M_X64)) || !defined(__AVX512F__)\n#error\n#endif\n",
}
X86_64_PROBE = "#if !(defined(__x86_64__) || defined(_M_X64))\n#error\n#endif\n"


def dialect(compiler) -> str:
    """The command-line dialect: "msvc" for MSVC and clang-cl, "unix" for gcc, clang, MinGW."""
    return "msvc" if compiler.compiler_type == "msvc" else "unix"


def msvc_flags(compiler, flags: list[str]) -> list[str]:
    """flags, plus clang's no-contraction flag when cl is really clang-cl."""
    cc = os.path.basename(str(getattr(compiler, "cc", ""))).lower()
    return flags + ["/clang:-ffp-contract=off"] if cc.startswith("clang-cl") else flags


def compiles_with(compiler, flags: list[str], source: str) -> bool:
    """Whether `source` compiles with `flags` (and the preprocessor's #errors pass)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "probe.c")
        with open(path, "w") as f:
            f.write(source + "int ffnn_probe;\n")
        try:
            compiler.compile([path], output_dir=tmp, extra_postargs=flags)
        except CompileError:
            return False
    return True


class BuildCLib(build_clib):
    """build_clib with each library's flags chosen for the compiler and target."""

    def build_libraries(self, libraries):
        kind = dialect(self.compiler)
        base = C_FLAGS[kind]
        if kind == "msvc":
            base = msvc_flags(self.compiler, base)
        for _, info in libraries:
            level = info.get("simd")
            flags = list(base)
            if level:
                extra = SIMD_FLAGS[kind][level]
                if compiles_with(self.compiler, base + extra, SIMD_PROBE[level]):
                    flags += extra
                elif compiles_with(self.compiler, base, X86_64_PROBE):
                    # Without its flags the file refuses to build for x86-64.
                    raise CompileError(f"ffnn: this compiler builds for x86-64 but not with "
                                       f"{' '.join(extra)}, which {' '.join(info['sources'])} need")
                else:
                    print(f"ffnn: {level} is not a level of this target; {' '.join(info['sources'])} "
                          f"are built empty")
            info["cflags"] = flags
        super().build_libraries(libraries)


class BuildExt(build_ext):
    """build_ext with the module's compile and link flags chosen for the compiler."""

    def build_extensions(self):
        kind = dialect(self.compiler)
        compile_flags = EXT_FLAGS[kind]
        if kind == "msvc":
            compile_flags = msvc_flags(self.compiler, compile_flags)
        for ext in self.extensions:
            ext.extra_compile_args = list(compile_flags)
            ext.extra_link_args = list(LINK_FLAGS[kind])
        super().build_extensions()


# build_clib and build_ext compare only sources with their outputs; these
# also rebuild the objects after a template header changes, and relink the
# module after any C file does.
C_HEADERS = sorted(glob("csrc/**/*.h", recursive=True))
C_FILES = sorted(glob("csrc/**/*.c", recursive=True)) + C_HEADERS

# Every source is built for every target: each SIMD file's preprocessor
# guards leave it empty where its instructions do not exist, and dispatch.c
# offers the levels the target has (its FFNN_HAVE_* macros).
ffnn_kernels = (
    "ffnn_kernels",
    {
        "sources": [
            "csrc/core/net.c", "csrc/core/book.c",
            "csrc/kernels/dispatch.c", "csrc/kernels/public_kernels.c",
            "csrc/kernels/simd_scalar.c", "csrc/kernels/simd_neon.c",
            "csrc/pool/pool.c", "csrc/pool/share_policy.c",
            "csrc/augment/rotate.c", "csrc/augment/distort.c",
            "csrc/sparse/pixel_query.c", "csrc/sparse/sparse.c",
        ],
        "include_dirs": ["csrc"],
        "obj_deps": {"": C_HEADERS},
    },
)
# The files built with a level's flags: its kernels, and for AVX2 the
# distortions' rows (augment/distort_avx2.c), which distort.c calls only
# when the level in use has AVX2.
SIMD_SOURCES = {
    "avx2": ["csrc/kernels/simd_avx2.c", "csrc/augment/distort_avx2.c"],
    "avx512": ["csrc/kernels/simd_avx512.c"],
}
simd_libraries = [
    (
        f"ffnn_{level}",
        {
            "sources": SIMD_SOURCES[level],
            "include_dirs": ["csrc"],
            "obj_deps": {"": C_HEADERS},
            "simd": level,
        },
    )
    for level in SIMD_PROBE
]

# Built against NumPy 2, the modules run on every NumPy from the floor in
# pyproject.toml's dependencies.
NUMPY_MACROS = [("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION"), ("NPY_TARGET_VERSION", "NPY_1_24_API_VERSION")]
# The files _core.pyx includes (its parts by topic); as depends they are also
# part of the sdist.
CORE_PARTS = sorted(glob("src/ffnn/*.pxi"))

extensions = [
    Extension(
        "ffnn._core",
        sources=["src/ffnn/_core.pyx"],
        include_dirs=["csrc", numpy.get_include()],
        depends=C_FILES + CORE_PARTS,
        # Static libraries: the one using the others comes first.
        libraries=["ffnn_kernels"] + [name for name, _ in simd_libraries],
        define_macros=NUMPY_MACROS,
    ),
    # The single matrix kernels for the tests and the benchmark's probe. It links
    # no C: it calls the kernels through the table ffnn._core hands it, so that
    # both see the one SIMD level in use.
    Extension(
        "ffnn._testing",
        sources=["src/ffnn/_testing.pyx"],
        include_dirs=["csrc", numpy.get_include()],
        depends=C_HEADERS,
        define_macros=NUMPY_MACROS,
    ),
]

setup(
    libraries=[ffnn_kernels, *simd_libraries],
    ext_modules=cythonize(extensions, compiler_directives={"language_level": "3"}),
    cmdclass={"build_clib": BuildCLib, "build_ext": BuildExt},
)
