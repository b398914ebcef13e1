# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The matrix kernels one at a time, for the tests (held against NumPy at every SIMD level)
and for benchmarks/bench_train.py's roofline probe; no part of the package uses them.

Each kernel is called through the table of the SIMD level in use, which ffnn._core
holds (a module linking the C core again would have a level of its own), exactly as
the network code calls it.
"""
cimport numpy as cnp
import numpy as np

from ffnn._core cimport active_kernels_f32, active_kernels_f64

cnp.import_array()


cdef bint is_float32(w, str what) except -1:
    """Whether the kernel's arrays are float32 (else float64); TypeError for any other type."""
    if not isinstance(w, np.ndarray) or w.dtype not in (np.float32, np.float64):
        raise TypeError(f"{what} needs float32 or float64 NumPy arrays")
    return w.dtype == np.float32


cdef void *data(a, w, int ndim, str what, bint writeable=False) except NULL:
    """The data of a C-contiguous array of w's type and `ndim` dimensions."""
    if (not isinstance(a, np.ndarray) or a.dtype != w.dtype or a.ndim != ndim
            or not a.flags.c_contiguous or (writeable and not a.flags.writeable)):
        raise ValueError(f"{what}: every array must be a C-contiguous {w.dtype} array of the right shape")
    return cnp.PyArray_DATA(a)


def matvec(w, x, y):
    """y = W x."""
    cdef bint f32 = is_float32(w, "matvec")
    cdef void *pw = data(w, w, 2, "matvec")
    cdef void *px = data(x, w, 1, "matvec")
    cdef void *py = data(y, w, 1, "matvec", True)
    cdef size_t rows = w.shape[0], cols = w.shape[1]
    if x.shape[0] != cols or y.shape[0] != rows:
        raise ValueError(f"matvec of {rows}x{cols} with {x.shape[0]} into {y.shape[0]}")
    with nogil:
        if f32:
            active_kernels_f32().matvec(rows, cols, <float *>pw, <float *>px, <float *>py)
        else:
            active_kernels_f64().matvec(rows, cols, <double *>pw, <double *>px, <double *>py)


def matvec_t(w, e, y):
    """y = W^T e."""
    cdef bint f32 = is_float32(w, "matvec_t")
    cdef void *pw = data(w, w, 2, "matvec_t")
    cdef void *pe = data(e, w, 1, "matvec_t")
    cdef void *py = data(y, w, 1, "matvec_t", True)
    cdef size_t rows = w.shape[0], cols = w.shape[1]
    if e.shape[0] != rows or y.shape[0] != cols:
        raise ValueError(f"matvec_t of {rows}x{cols} with {e.shape[0]} into {y.shape[0]}")
    with nogil:
        if f32:
            active_kernels_f32().matvec_t(rows, cols, <float *>pw, <float *>pe, <float *>py)
        else:
            active_kernels_f64().matvec_t(rows, cols, <double *>pw, <double *>pe, <double *>py)


def outer_update(w, double scale, a, b):
    """W += scale * (a outer b)."""
    cdef bint f32 = is_float32(w, "outer update")
    cdef void *pw = data(w, w, 2, "outer update", True)
    cdef void *pa = data(a, w, 1, "outer update")
    cdef void *pb = data(b, w, 1, "outer update")
    cdef size_t rows = w.shape[0], cols = w.shape[1]
    if a.shape[0] != rows or b.shape[0] != cols:
        raise ValueError(f"outer update of {rows}x{cols} by {a.shape[0]}x{b.shape[0]}")
    with nogil:
        if f32:
            active_kernels_f32().outer_update(rows, cols, <float *>pw, <float>scale, <float *>pa, <float *>pb)
        else:
            active_kernels_f64().outer_update(rows, cols, <double *>pw, scale, <double *>pa, <double *>pb)


def update_matvec(w, double scale, a, b, x, y):
    """W += scale * (a outer b), then y = W x, in one pass over W."""
    cdef bint f32 = is_float32(w, "update_matvec")
    cdef void *pw = data(w, w, 2, "update_matvec", True)
    cdef void *pa = data(a, w, 1, "update_matvec")
    cdef void *pb = data(b, w, 1, "update_matvec")
    cdef void *px = data(x, w, 1, "update_matvec")
    cdef void *py = data(y, w, 1, "update_matvec", True)
    cdef size_t rows = w.shape[0], cols = w.shape[1]
    if a.shape[0] != rows or y.shape[0] != rows or b.shape[0] != cols or x.shape[0] != cols:
        raise ValueError(f"update_matvec of {rows}x{cols} with {a.shape[0]}, {b.shape[0]}, "
                         f"{x.shape[0]} into {y.shape[0]}")
    with nogil:
        if f32:
            active_kernels_f32().update_matvec(rows, cols, <float *>pw, <float>scale, <float *>pa,
                                               <float *>pb, <float *>px, <float *>py)
        else:
            active_kernels_f64().update_matvec(rows, cols, <double *>pw, scale, <double *>pa,
                                               <double *>pb, <double *>px, <double *>py)


def sweep_probe(w, double scale, a, xs, y, Py_ssize_t count):
    """The roofline probe of a training step: `count` fused update-and-forward sweeps over W,
    sample n's update with the rows of xs in turn."""
    cdef bint f32 = is_float32(w, "sweep_probe")
    cdef char *pw = <char *>data(w, w, 2, "sweep_probe", True)
    cdef char *pa = <char *>data(a, w, 1, "sweep_probe")
    cdef char *pxs = <char *>data(xs, w, 2, "sweep_probe")
    cdef char *py = <char *>data(y, w, 1, "sweep_probe", True)
    cdef size_t rows = w.shape[0], cols = w.shape[1], m = xs.shape[0], row_bytes = xs.strides[0]
    cdef Py_ssize_t n
    if a.shape[0] != rows or y.shape[0] != rows or xs.shape[1] != cols or m < 2:
        raise ValueError("sweep_probe needs a (rows,), xs (m >= 2, cols) and y (rows,)")
    with nogil:
        for n in range(count):
            if f32:
                active_kernels_f32().update_matvec(rows, cols, <float *>pw, <float>scale, <float *>pa,
                                                   <float *>(pxs + (n % m) * row_bytes),
                                                   <float *>(pxs + ((n + 1) % m) * row_bytes), <float *>py)
            else:
                active_kernels_f64().update_matvec(rows, cols, <double *>pw, scale, <double *>pa,
                                                   <double *>(pxs + (n % m) * row_bytes),
                                                   <double *>(pxs + ((n + 1) % m) * row_bytes), <double *>py)
