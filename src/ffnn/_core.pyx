# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Thin binding of the C core: memoryviews in, C calls with the GIL released.

The Python layer (network.py) validates and converts every argument; the
checks here only guard the C code against sizes that do not fit, so that a
direct call can never read or write out of bounds.
"""
from cpython.exc cimport PyErr_CheckSignals
from cpython.mem cimport PyMem_Malloc, PyMem_Free
from libc.math cimport isfinite
from libc.stdint cimport int64_t, uint8_t

cimport numpy as cnp
import numpy as np

from ffnn._ffnn cimport *

cnp.import_array()

ctypedef fused real:
    float
    double

# Ctrl-C is looked at after about this many weight updates (a few
# milliseconds of work), so it is answered quickly whatever the network's size.
cdef Py_ssize_t UPDATES_PER_CHUNK = 1 << 24
cdef Py_ssize_t MAX_SAMPLES_PER_CHUNK = 1024

MAX_THREADS = FFNN_MAX_THREADS
RULES = {"book": FFNN_RULE_BOOK, "mse": FFNN_RULE_MSE, "cross_entropy": FFNN_RULE_CROSS_ENTROPY}
SIMD_LEVELS = {ffnn_simd_name(level).decode(): level for level in range(FFNN_SIMD_NEON + 1)}


def simd_available():
    """Names of the SIMD levels this build and this CPU can run, scalar first."""
    return [name for name, level in SIMD_LEVELS.items() if ffnn_simd_available(level)]


def simd_get():
    return ffnn_simd_name(ffnn_simd_get()).decode()


def simd_set(str name):
    if name not in SIMD_LEVELS or ffnn_simd_set(SIMD_LEVELS[name]) != 0:
        raise ValueError(f"SIMD level {name!r} is not available here; choose from {simd_available()}")


cdef class Pool:
    """Threads that share one network's work; bitwise the same results as one thread.

    A pool inherited through fork() works in the child too: the C core starts
    the child's own threads when first asked to share, and leaves the
    parent's alone when the pool is freed.
    """
    cdef ffnn_pool *pool
    cdef readonly int threads

    def __cinit__(self, int threads):
        if not 1 <= threads <= FFNN_MAX_THREADS:
            raise ValueError(f"threads must be between 1 and {FFNN_MAX_THREADS}, got {threads}")
        self.threads = threads
        if threads > 1:
            self.pool = ffnn_pool_create(threads)
            if self.pool == NULL:
                raise MemoryError(f"cannot start {threads} threads")

    def __dealloc__(self):
        ffnn_pool_destroy(self.pool)


cdef class Layers:
    """The C view of a network's weights: node counts and data pointers.

    ``biases``, if given, holds one 1-D vector per weight matrix, as long as
    that matrix has rows: the network's bias nodes. Holds references to the
    arrays so the pointers stay valid; build a new one whenever an array is
    replaced.
    """
    cdef size_t n_layers
    cdef size_t *sizes
    cdef void **weights
    cdef void **biases  # NULL: no bias nodes
    cdef readonly tuple arrays
    cdef readonly object bias_arrays
    cdef readonly object dtype
    cdef size_t itemsize
    cdef readonly Py_ssize_t work_size
    cdef readonly Py_ssize_t samples_per_chunk

    def __cinit__(self, arrays, biases=None):
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
        if self.sizes[0] == 0:
            raise ValueError("a network needs at least one input node")
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
        self.bias_arrays = None
        if biases is not None:
            self.bias_arrays = self.bind_biases(tuple(biases), dtype)
        self.work_size = ffnn_work_size(self.n_layers, self.sizes)
        if self.work_size == 0:
            raise MemoryError("the network is too large to address")
        n_weights = sum(w.size for w in arrays)
        self.samples_per_chunk = max(1, min(MAX_SAMPLES_PER_CHUNK, UPDATES_PER_CHUNK // n_weights))
        self.arrays = arrays
        self.dtype = dtype
        self.itemsize = dtype.itemsize

    cdef tuple bind_biases(self, tuple biases, object dtype):
        if <size_t>len(biases) != self.n_layers:
            raise ValueError(f"expected {self.n_layers} bias vectors, got {len(biases)}")
        self.biases = <void **>PyMem_Malloc(self.n_layers * sizeof(void *))
        if self.biases == NULL:
            raise MemoryError("cannot allocate the bias table")
        for k, b in enumerate(biases):
            if (not isinstance(b, np.ndarray) or b.ndim != 1 or b.dtype != dtype
                    or not b.flags.c_contiguous or not b.flags.writeable):
                raise ValueError(f"bias vector {k} must be a writeable C-contiguous 1-D {dtype} array")
            if b.shape[0] != self.sizes[k + 1]:
                raise ValueError(f"bias vector {k} has {b.shape[0]} entries, but layer {k + 1} "
                                 f"has {self.sizes[k + 1]} nodes")
            self.biases[k] = cnp.PyArray_DATA(b)
        return biases

    def __dealloc__(self):
        PyMem_Free(self.sizes)
        PyMem_Free(self.weights)
        PyMem_Free(self.biases)

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


def all_finite(const real[::1] x):
    """True if no entry of x is NaN or infinite."""
    cdef int finite
    with nogil:
        if real is float:
            finite = ffnn_all_finite_f32(x.shape[0], &x[0] if x.shape[0] else NULL)
        else:
            finite = ffnn_all_finite_f64(x.shape[0], &x[0] if x.shape[0] else NULL)
    return bool(finite)


cdef void check_rule(int rule) except *:
    if rule not in (FFNN_RULE_BOOK, FFNN_RULE_MSE, FFNN_RULE_CROSS_ENTROPY):
        raise ValueError(f"unknown rule {rule}")


def train_step(Layers layers, const real[::1] inputs, const real[::1] targets,
               double learning_rate, int rule, real[::1] work):
    """One training step in place; returns the squared error before it.

    NaN inputs or targets are refused; the result is NaN when the weights
    were not finite (see ffnn.h).
    """
    cdef real sq_error
    cdef int finite
    layers.check(sizeof(real), inputs.shape[0], targets.shape[0], work.shape[0])
    check_rule(rule)
    with nogil:
        if real is float:
            finite = (ffnn_all_finite_f32(inputs.shape[0], &inputs[0])
                      and ffnn_all_finite_f32(targets.shape[0], &targets[0]))
        else:
            finite = (ffnn_all_finite_f64(inputs.shape[0], &inputs[0])
                      and ffnn_all_finite_f64(targets.shape[0], &targets[0]))
    if not finite:
        raise ValueError("inputs and targets must be finite (no NaN or infinity)")
    with nogil:
        if real is float:
            sq_error = ffnn_biased_train_step_f32(
                layers.n_layers, layers.sizes, <float **>layers.weights, <float **>layers.biases,
                <float>learning_rate, rule, &inputs[0], &targets[0], &work[0])
        else:
            sq_error = ffnn_biased_train_step_f64(
                layers.n_layers, layers.sizes, <double **>layers.weights, <double **>layers.biases,
                learning_rate, rule, &inputs[0], &targets[0], &work[0])
    return sq_error


def train_samples(Layers layers, double learning_rate, int rule, pixels, inputs, targets,
                  labels, const int64_t[::1] order, real[::1] work, Pool pool=None,
                  double total=0.0):
    """Train on the samples in `order`; returns `total` plus their squared errors.

    The errors are added to `total` a chunk of layers.samples_per_chunk at a
    time, so an epoch trained in calls of whole chunks, each given the
    previous call's result, sums exactly as one call would.

    Inputs come from `pixels` (uint8, scaled on the fly) or `inputs` (the other
    one is None); targets from `targets` or integer `labels`. The caller
    checks that every input and target is finite; the indices and labels
    are checked here. Ctrl-C is looked at every few milliseconds and stops
    training between two samples, so the weights are those after the last
    completed one. Stops early, returning NaN, once a step returns NaN.
    """
    cdef const uint8_t[:, ::1] pixel_rows
    cdef const real[:, ::1] input_rows
    cdef const real[:, ::1] target_rows
    cdef const int64_t[::1] label_values
    cdef const uint8_t *pixel_ptr = NULL
    cdef const real *input_ptr = NULL
    cdef const real *target_ptr = NULL
    cdef const int64_t *label_ptr = NULL
    cdef Py_ssize_t n_rows, n_in, n_out, start, count
    cdef Py_ssize_t chunk = layers.samples_per_chunk
    cdef ffnn_pool *threads = NULL if pool is None else pool.pool

    if (pixels is None) == (inputs is None) or (targets is None) == (labels is None):
        raise ValueError("give exactly one of pixels and inputs, and one of targets and labels")
    check_rule(rule)
    if pixels is not None:
        pixel_rows = pixels
        pixel_ptr = &pixel_rows[0, 0]
        n_rows, n_in = pixel_rows.shape[0], pixel_rows.shape[1]
    else:
        input_rows = inputs
        input_ptr = &input_rows[0, 0]
        n_rows, n_in = input_rows.shape[0], input_rows.shape[1]
    if targets is not None:
        target_rows = targets
        target_ptr = &target_rows[0, 0]
        n_out = target_rows.shape[1]
        if target_rows.shape[0] != n_rows:
            raise ValueError(f"{n_rows} inputs but {target_rows.shape[0]} targets")
    else:
        label_values = labels
        label_ptr = &label_values[0]
        n_out = layers.sizes[layers.n_layers]
        if label_values.shape[0] != n_rows:
            raise ValueError(f"{n_rows} inputs but {label_values.shape[0]} labels")
    layers.check(sizeof(real), n_in, n_out, work.shape[0])
    if n_rows == 0:
        raise ValueError("no samples to train on")
    for start in range(order.shape[0]):
        if not 0 <= order[start] < n_rows:
            raise ValueError(f"sample index {order[start]} is outside 0..{n_rows - 1}")
    if label_ptr != NULL:
        for start in range(n_rows):
            if not 0 <= label_ptr[start] < <int64_t>n_out:
                raise ValueError(f"label {label_ptr[start]} is outside 0..{n_out - 1}")

    for start in range(0, order.shape[0], chunk):
        count = min(chunk, order.shape[0] - start)
        with nogil:
            if real is float:
                total += ffnn_biased_train_samples_pool_f32(
                    layers.n_layers, layers.sizes, <float **>layers.weights,
                    <float **>layers.biases, <float>learning_rate, rule, pixel_ptr, input_ptr, target_ptr, label_ptr, &order[start], count,
                    &work[0], threads)
            else:
                total += ffnn_biased_train_samples_pool_f64(
                    layers.n_layers, layers.sizes, <double **>layers.weights,
                    <double **>layers.biases, learning_rate, rule, pixel_ptr, input_ptr, target_ptr, label_ptr, &order[start], count,
                    &work[0], threads)
        PyErr_CheckSignals()
        if total != total:
            break
    return total


def query(Layers layers, const real[:, ::1] inputs, real[:, ::1] outputs, real[::1] work,
          Pool pool=None):
    """Forward pass of every row of inputs into the rows of outputs.

    work holds layers.work_size elements per thread of the pool.
    """
    cdef size_t n = inputs.shape[0]
    cdef ffnn_pool *threads = NULL if pool is None else pool.pool
    layers.check(sizeof(real), inputs.shape[1], outputs.shape[1],
                 work.shape[0] // ffnn_pool_threads(threads))
    if outputs.shape[0] != inputs.shape[0]:
        raise ValueError(f"{inputs.shape[0]} inputs but room for {outputs.shape[0]} outputs")
    if n == 0:
        return
    with nogil:
        if real is float:
            ffnn_biased_query_pool_f32(
                layers.n_layers, layers.sizes, <const float **>layers.weights,
                <const float **>layers.biases, n, &inputs[0, 0], &outputs[0, 0], &work[0], threads)
        else:
            ffnn_biased_query_pool_f64(
                layers.n_layers, layers.sizes, <const double **>layers.weights,
                <const double **>layers.biases, n, &inputs[0, 0], &outputs[0, 0], &work[0], threads)


def backquery(Layers layers, const real[::1] targets, real[::1] image, real[::1] work):
    """The book's backwards query of one target vector into image."""
    layers.check(sizeof(real), image.shape[0], targets.shape[0], work.shape[0])
    with nogil:
        if real is float:
            ffnn_biased_backquery_f32(layers.n_layers, layers.sizes,
                                      <const float **>layers.weights,
                                      <const float **>layers.biases,
                                      &targets[0], &image[0], &work[0])
        else:
            ffnn_biased_backquery_f64(layers.n_layers, layers.sizes,
                                      <const double **>layers.weights,
                                      <const double **>layers.biases,
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


def update_matvec(real[:, ::1] w, real scale, const real[::1] a, const real[::1] b,
                  const real[::1] x, real[::1] y):
    """W += scale * (a outer b), then y = W x, in one pass over W."""
    if (a.shape[0] != w.shape[0] or y.shape[0] != w.shape[0] or b.shape[0] != w.shape[1]
            or x.shape[0] != w.shape[1]):
        raise ValueError(f"update_matvec of {w.shape[0]}x{w.shape[1]} with {a.shape[0]}, "
                         f"{b.shape[0]}, {x.shape[0]} into {y.shape[0]}")
    with nogil:
        if real is float:
            ffnn_update_matvec_f32(w.shape[0], w.shape[1], &w[0, 0], scale, &a[0], &b[0], &x[0], &y[0])
        else:
            ffnn_update_matvec_f64(w.shape[0], w.shape[1], &w[0, 0], scale, &a[0], &b[0], &x[0], &y[0])


def sweep_probe(real[:, ::1] w, real scale, const real[::1] a, const real[:, ::1] xs,
                real[::1] y, Py_ssize_t count):
    """The roofline probe of a training step: `count` fused update-and-forward
    sweeps over W, sample n's update with the rows of xs in turn."""
    cdef Py_ssize_t n, m = xs.shape[0]
    if a.shape[0] != w.shape[0] or y.shape[0] != w.shape[0] or xs.shape[1] != w.shape[1] or m < 2:
        raise ValueError("sweep_probe needs a (rows,), xs (m >= 2, cols) and y (rows,)")
    with nogil:
        for n in range(count):
            if real is float:
                ffnn_update_matvec_f32(w.shape[0], w.shape[1], &w[0, 0], scale, &a[0],
                                       &xs[n % m, 0], &xs[(n + 1) % m, 0], &y[0])
            else:
                ffnn_update_matvec_f64(w.shape[0], w.shape[1], &w[0, 0], scale, &a[0],
                                       &xs[n % m, 0], &xs[(n + 1) % m, 0], &y[0])


def outer_update(real[:, ::1] w, real scale, const real[::1] a, const real[::1] b):
    """W += scale * (a outer b)."""
    if a.shape[0] != w.shape[0] or b.shape[0] != w.shape[1]:
        raise ValueError(f"outer update of {w.shape[0]}x{w.shape[1]} by {a.shape[0]}x{b.shape[0]}")
    with nogil:
        if real is float:
            ffnn_outer_update_f32(w.shape[0], w.shape[1], &w[0, 0], scale, &a[0], &b[0])
        else:
            ffnn_outer_update_f64(w.shape[0], w.shape[1], &w[0, 0], scale, &a[0], &b[0])


# ---- augmentation ----------------------------------------------------------

def rotate(const real[:, :, ::1] images, double degrees, real background, real[:, :, ::1] out):
    """Rotate each image of `images` (n, rows, cols) by `degrees` into `out`."""
    cdef int status
    cdef int k
    if not isfinite(degrees):  # the C turns the angle into an int
        raise ValueError(f"degrees must be finite, got {degrees}")
    for k in range(3):
        if out.shape[k] != images.shape[k]:
            raise ValueError(f"images of shape {images.shape[0]}x{images.shape[1]}x"
                             f"{images.shape[2]} rotated into {out.shape[0]}x{out.shape[1]}x"
                             f"{out.shape[2]}")
    if images.shape[0] == 0 or images.shape[1] == 0 or images.shape[2] == 0:
        return
    if &out[0, 0, 0] == &images[0, 0, 0]:
        raise ValueError("out must not be the images array itself")
    with nogil:
        if real is float:
            status = ffnn_rotate_f32(images.shape[0], images.shape[1], images.shape[2], degrees,
                                     background, &images[0, 0, 0], &out[0, 0, 0])
        else:
            status = ffnn_rotate_f64(images.shape[0], images.shape[1], images.shape[2], degrees,
                                     background, &images[0, 0, 0], &out[0, 0, 0])
    if status != 0:
        raise MemoryError(f"no memory for the geometry of {images.shape[1]}x{images.shape[2]} images")


# ---- gradients ---------------------------------------------------------------


def gradients(Layers layers, int rule, const real[:, ::1] inputs, const real[:, ::1] targets,
              Layers grads, real[::1] work):
    """The rule's gradient of every sample (rows), summed, into the matrices of grads.

    A network with biases needs grads with biases, which get the biases' gradients.
    """
    layers.check(sizeof(real), inputs.shape[1], targets.shape[1], work.shape[0])
    # Through Python, where `sizes` is the tuple property, not the C array.
    grad_sizes, net_sizes = (<object>grads).sizes, (<object>layers).sizes
    if grad_sizes != net_sizes or grads.itemsize != layers.itemsize:
        raise ValueError(f"gradient matrices of sizes {grad_sizes} for a network of {net_sizes}")
    if (layers.biases == NULL) != (grads.biases == NULL):
        raise ValueError("gradient biases must be given exactly when the network has biases")
    if inputs.shape[0] != targets.shape[0]:
        raise ValueError(f"{inputs.shape[0]} inputs but {targets.shape[0]} targets")
    if inputs.shape[0] == 0:
        raise ValueError("no samples to take the gradient of")
    check_rule(rule)
    with nogil:
        if real is float:
            ffnn_biased_gradients_f32(
                layers.n_layers, layers.sizes, <const float **>layers.weights,
                <const float **>layers.biases, rule, inputs.shape[0], &inputs[0, 0],
                &targets[0, 0], <float **>grads.weights, <float **>grads.biases, &work[0])
        else:
            ffnn_biased_gradients_f64(
                layers.n_layers, layers.sizes, <const double **>layers.weights,
                <const double **>layers.biases, rule, inputs.shape[0], &inputs[0, 0],
                &targets[0, 0], <double **>grads.weights, <double **>grads.biases, &work[0])
