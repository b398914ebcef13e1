# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The binding of the C core (csrc/ffnn.h): NumPy arrays in, C calls with the GIL released.

One compiled module, since it holds the C core's state (the SIMD level in
use); its parts, by topic, are the files it includes:

    _errors.pxi   the C core's statuses as Python exceptions, in one place
    _arrays.pxi   what the C code will read of each array: its type, shape, layout
    _call_sizes.pxi  how many samples one C call takes, decided once for every operation
    _net.pxi      Net: the C network object, owning it, the arrays it borrows, its
                  threads and who may use it when; Samples, the data of one call
    _kernels.pxi  the single kernels the Python layer calls, and the book's inputs and targets
    _rotate.pxi   rotation of images, for augmentation
    _distort.pxi  random affine and elastic distortions of images, for fit(distort=...)
    _simd.pxi     the SIMD levels

The Python layer (network.py and the modules it uses) converts every argument
and gives the messages for the user's mistakes; the C core checks what memory
safety needs and returns a status; this binding checks only what the C code
cannot see (the shapes, types and layout of the arrays it is handed).
"""
from cpython.exc cimport PyErr_CheckSignals
from cpython.mem cimport PyMem_Malloc, PyMem_Free
from libc.math cimport NAN, isfinite
from libc.stdint cimport int64_t, uint8_t, uint64_t

cimport numpy as cnp
import numpy as np

from ffnn._access import AccessLock

from ffnn._ffnn cimport *
from ffnn._kernel_table cimport (
    ffnn_kernels_f32, ffnn_kernels_f64, ffnn_kernels_active_f32, ffnn_kernels_active_f64,
)

cnp.import_array()

MAX_THREADS = FFNN_MAX_THREADS
RULES = {"book": FFNN_RULE_BOOK, "mse": FFNN_RULE_MSE, "cross_entropy": FFNN_RULE_CROSS_ENTROPY}
SHARE_POLICIES = {"deterministic": FFNN_SHARE_DETERMINISTIC, "adaptive": FFNN_SHARE_ADAPTIVE}
ENGINES = {"auto": FFNN_ENGINE_AUTO, "dense": FFNN_ENGINE_DENSE, "sparse": FFNN_ENGINE_SPARSE}
# A query call of fewer pixel samples takes them all the dense way.
PIXEL_MIN_SAMPLES = FFNN_PIXEL_MIN_SAMPLES

include "_errors.pxi"
include "_arrays.pxi"
include "_simd.pxi"
include "_kernels.pxi"
include "_rotate.pxi"
include "_call_sizes.pxi"
include "_distort.pxi"
include "_net.pxi"


# For ffnn._testing (see _core.pxd): the kernels of the level in use.
cdef const ffnn_kernels_f32 *active_kernels_f32() noexcept nogil:
    return ffnn_kernels_active_f32()


cdef const ffnn_kernels_f64 *active_kernels_f64() noexcept nogil:
    return ffnn_kernels_active_f64()
