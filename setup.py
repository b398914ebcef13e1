"""The compiled parts of ffnn; all metadata lives in pyproject.toml.

The C core is built as its own static library so it keeps its own language
standard and warnings, apart from the Cython-generated module.
"""
import sys

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

if sys.platform == "win32":
    C_FLAGS = ["/O2", "/std:c11"]
else:
    C_FLAGS = ["-O3", "-std=c99", "-Wall", "-Wextra"]

ffnn_kernels = (
    "ffnn_kernels",
    {
        "sources": ["csrc/dispatch.c", "csrc/kernels.c", "csrc/network.c", "csrc/rotate.c",
                    "csrc/gradients.c"],
        "include_dirs": ["csrc"],
        "cflags": C_FLAGS,
    },
)

extensions = [
    Extension(
        "ffnn._core",
        sources=["src/ffnn/_core.pyx"],
        include_dirs=["csrc", numpy.get_include()],
        libraries=["ffnn_kernels"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
    )
]

setup(
    libraries=[ffnn_kernels],
    ext_modules=cythonize(extensions, compiler_directives={"language_level": "3"}),
)
