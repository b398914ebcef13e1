# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Thin binding of the C core: memoryviews in, C calls with the GIL released.

The Python layer (network.py) validates and converts every argument; the
checks here only guard the C code against sizes that do not fit, so that a
direct call can never read or write out of bounds.
"""
from cpython.mem cimport PyMem_Malloc, PyMem_Free

cimport numpy as cnp
import numpy as np

from ffnn._ffnn cimport *

cnp.import_array()

ctypedef fused real:
    float
    double


cdef class Layers:
    """The C view of a network's weights: node counts and data pointers.

    Holds references to the weight arrays so the pointers stay valid; build a
    new one whenever a weight array is replaced.
    """
    cdef size_t n_layers
    cdef size_t *sizes
    cdef void **weights
    cdef readonly tuple arrays
    cdef readonly object dtype
    cdef size_t itemsize
    cdef readonly Py_ssize_t work_size

    def __cinit__(self, arrays):
        arrays = tuple(arrays)
        if not arrays:
            raise ValueError("a network needs at least one weight matrix")
        dtype = arrays[0].dtype
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"weights must be float32 or float64, not {dtype}")
        self.n_layers = len(arrays)
        self.sizes = <size_t *>PyMem_Malloc((self.n_layers + 1) * sizeof(size_t))
        self.weights = <void **>PyMem_Malloc(self.n_layers * sizeof(void *))
        if self.sizes == NULL or self.weights == NULL:
            raise MemoryError("cannot allocate the layer table")
        self.sizes[0] = arrays[0].shape[1]
        for k, w in enumerate(arrays):
            if (not isinstance(w, np.ndarray) or w.ndim != 2 or w.dtype != dtype
                    or not w.flags.c_contiguous or not w.flags.writeable):
                raise ValueError(f"weight matrix {k} must be a writeable C-contiguous "
                                 f"2-D {dtype} array")
            if w.shape[1] != self.sizes[k] or w.shape[0] == 0:
                raise ValueError(f"weight matrix {k} has shape {w.shape}, which does not "
                                 f"follow a layer of {self.sizes[k]} nodes")
            self.sizes[k + 1] = w.shape[0]
            self.weights[k] = cnp.PyArray_DATA(w)
        self.work_size = ffnn_work_size(self.n_layers, self.sizes)
        if self.work_size == 0:
            raise MemoryError("the network is too large to address")
        self.arrays = arrays
        self.dtype = dtype
        self.itemsize = dtype.itemsize

    def __dealloc__(self):
        PyMem_Free(self.sizes)
        PyMem_Free(self.weights)

    @property
    def sizes(self):
        return tuple(self.sizes[k] for k in range(self.n_layers + 1))

    cdef void check(self, size_t itemsize, Py_ssize_t n_in, Py_ssize_t n_out,
                    Py_ssize_t n_work) except *:
        if itemsize != self.itemsize:
            raise TypeError(f"arrays of {itemsize}-byte floats given to a {self.dtype} network")
        if n_in != <Py_ssize_t>self.sizes[0]:
            raise ValueError(f"expected {self.sizes[0]} inputs, got {n_in}")
        if n_out != <Py_ssize_t>self.sizes[self.n_layers]:
            raise ValueError(f"expected {self.sizes[self.n_layers]} outputs, got {n_out}")
        if n_work < self.work_size:
            raise ValueError(f"work space holds {n_work} elements, {self.work_size} needed")


def train_step(Layers layers, const real[::1] inputs, const real[::1] targets,
               real learning_rate, real[::1] work):
    """One book training step in place; returns the squared error before it."""
    cdef real sq_error
    layers.check(sizeof(real), inputs.shape[0], targets.shape[0], work.shape[0])
    with nogil:
        if real is float:
            sq_error = ffnn_train_step_f32(layers.n_layers, layers.sizes,
                                           <float **>layers.weights, learning_rate,
                                           &inputs[0], &targets[0], &work[0])
        else:
            sq_error = ffnn_train_step_f64(layers.n_layers, layers.sizes,
                                           <double **>layers.weights, learning_rate,
                                           &inputs[0], &targets[0], &work[0])
    return sq_error


def query(Layers layers, const real[:, ::1] inputs, real[:, ::1] outputs, real[::1] work):
    """Forward pass of every row of inputs into the rows of outputs."""
    cdef size_t n = inputs.shape[0]
    layers.check(sizeof(real), inputs.shape[1], outputs.shape[1], work.shape[0])
    if outputs.shape[0] != inputs.shape[0]:
        raise ValueError(f"{inputs.shape[0]} inputs but room for {outputs.shape[0]} outputs")
    if n == 0:
        return
    with nogil:
        if real is float:
            ffnn_query_f32(layers.n_layers, layers.sizes, <const float **>layers.weights,
                           n, &inputs[0, 0], &outputs[0, 0], &work[0])
        else:
            ffnn_query_f64(layers.n_layers, layers.sizes, <const double **>layers.weights,
                           n, &inputs[0, 0], &outputs[0, 0], &work[0])


def backquery(Layers layers, const real[::1] targets, real[::1] image, real[::1] work):
    """The book's backwards query of one target vector into image."""
    layers.check(sizeof(real), image.shape[0], targets.shape[0], work.shape[0])
    with nogil:
        if real is float:
            ffnn_backquery_f32(layers.n_layers, layers.sizes, <const float **>layers.weights,
                               &targets[0], &image[0], &work[0])
        else:
            ffnn_backquery_f64(layers.n_layers, layers.sizes, <const double **>layers.weights,
                               &targets[0], &image[0], &work[0])


# ---- single kernels, exposed so each can be held against NumPy -------------

def matvec(const real[:, ::1] w, const real[::1] x, real[::1] y):
    """y = W x."""
    if x.shape[0] != w.shape[1] or y.shape[0] != w.shape[0]:
        raise ValueError(f"matvec of {w.shape[0]}x{w.shape[1]} with {x.shape[0]} into {y.shape[0]}")
    with nogil:
        if real is float:
            ffnn_matvec_f32(w.shape[0], w.shape[1], &w[0, 0], &x[0], &y[0])
        else:
            ffnn_matvec_f64(w.shape[0], w.shape[1], &w[0, 0], &x[0], &y[0])


def matvec_t(const real[:, ::1] w, const real[::1] e, real[::1] y):
    """y = W^T e."""
    if e.shape[0] != w.shape[0] or y.shape[0] != w.shape[1]:
        raise ValueError(f"matvec_t of {w.shape[0]}x{w.shape[1]} with {e.shape[0]} into {y.shape[0]}")
    with nogil:
        if real is float:
            ffnn_matvec_t_f32(w.shape[0], w.shape[1], &w[0, 0], &e[0], &y[0])
        else:
            ffnn_matvec_t_f64(w.shape[0], w.shape[1], &w[0, 0], &e[0], &y[0])


def sigmoid(const real[::1] x, real[::1] y):
    """y = 1 / (1 + exp(-x)), computed without overflow."""
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"sigmoid of {x.shape[0]} values into {y.shape[0]}")
    with nogil:
        if real is float:
            ffnn_sigmoid_f32(x.shape[0], &x[0], &y[0])
        else:
            ffnn_sigmoid_f64(x.shape[0], &x[0], &y[0])


def logit(const real[::1] x, real[::1] y):
    """y = log(x / (1 - x))."""
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"logit of {x.shape[0]} values into {y.shape[0]}")
    with nogil:
        if real is float:
            ffnn_logit_f32(x.shape[0], &x[0], &y[0])
        else:
            ffnn_logit_f64(x.shape[0], &x[0], &y[0])


def outer_update(real[:, ::1] w, real scale, const real[::1] a, const real[::1] b):
    """W += scale * (a outer b)."""
    if a.shape[0] != w.shape[0] or b.shape[0] != w.shape[1]:
        raise ValueError(f"outer update of {w.shape[0]}x{w.shape[1]} by {a.shape[0]}x{b.shape[0]}")
    with nogil:
        if real is float:
            ffnn_outer_update_f32(w.shape[0], w.shape[1], &w[0, 0], scale, &a[0], &b[0])
        else:
            ffnn_outer_update_f64(w.shape[0], w.shape[1], &w[0, 0], scale, &a[0], &b[0])
