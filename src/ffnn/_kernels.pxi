# Part of _core.pyx: the single kernels the Python layer calls on its own (the
# book's activation functions, the finiteness check) and the book's inputs and
# targets, each one entry for both dtypes.


cdef int same_vectors(object x, object y, str what) except -1:
    """The type number of x and y: 1-D float arrays of one type and length, y writeable."""
    typenum = float_array_type(x, "x")
    checked(x, typenum, 1, "x")
    checked(y, typenum, 1, "y", writeable=True)
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"{what} of {x.shape[0]} values into {y.shape[0]}")
    return typenum


def sigmoid(x, y):
    """y = 1 / (1 + exp(-x)), computed without overflow; y may be x."""
    cdef int typenum = same_vectors(x, y, "sigmoid")
    cdef size_t n = x.shape[0]
    cdef void *src = cnp.PyArray_DATA(x)
    cdef void *dst = cnp.PyArray_DATA(y)
    with nogil:
        if typenum == cnp.NPY_FLOAT32:
            ffnn_sigmoid_f32(n, <const float *>src, <float *>dst)
        else:
            ffnn_sigmoid_f64(n, <const double *>src, <double *>dst)


def logit(x, y):
    """y = log(x / (1 - x)); y may be x."""
    cdef int typenum = same_vectors(x, y, "logit")
    cdef size_t n = x.shape[0]
    cdef void *src = cnp.PyArray_DATA(x)
    cdef void *dst = cnp.PyArray_DATA(y)
    with nogil:
        if typenum == cnp.NPY_FLOAT32:
            ffnn_logit_f32(n, <const float *>src, <float *>dst)
        else:
            ffnn_logit_f64(n, <const double *>src, <double *>dst)


def all_finite(x):
    """True if no entry of the 1-D float array x is NaN or infinite."""
    cdef int typenum = float_array_type(x, "x")
    cdef cnp.ndarray a = checked(x, typenum, 1, "x")
    cdef size_t n = a.shape[0]
    cdef void *data = cnp.PyArray_DATA(a)
    cdef int finite
    with nogil:
        if typenum == cnp.NPY_FLOAT32:
            finite = ffnn_all_finite_f32(n, <const float *>data)
        else:
            finite = ffnn_all_finite_f64(n, <const double *>data)
    return bool(finite)


def scale_pixels(values, out):
    """out = values / 255 * 0.99 + 0.01 (the book's inputs), both 1-D of one float type; out may be values."""
    cdef int typenum = same_vectors(values, out, "scale_pixels")
    cdef int status
    cdef size_t n = values.shape[0]
    cdef void *src = cnp.PyArray_DATA(values)
    cdef void *dst = cnp.PyArray_DATA(out)
    with nogil:
        status = ffnn_scale_pixels(dtype_code(typenum), n, src, dst)
    if status != FFNN_OK:
        raise status_error(status, "scale_pixels")


def one_hot(labels, out, str name="labels"):
    """Row i of out (rows, classes): 0.99 at labels[i] (int64), 0.01 elsewhere, the book's targets."""
    cdef int typenum = float_array_type(out, "out")
    cdef cnp.ndarray values = checked(labels, cnp.NPY_INT64, 1, name)
    cdef cnp.ndarray targets = checked(out, typenum, 2, "out", writeable=True)
    cdef size_t rows = values.shape[0], n_classes = targets.shape[1], failed = 0
    cdef int status
    if targets.shape[0] != values.shape[0]:
        raise ValueError(f"{values.shape[0]} labels but room for {targets.shape[0]} targets")
    with nogil:
        status = ffnn_one_hot(dtype_code(typenum), rows, n_classes, <const int64_t *>cnp.PyArray_DATA(values),
                              cnp.PyArray_DATA(targets), &failed)
    if status != FFNN_OK:
        raise status_error(status, "one_hot", failed, labels=values, label_name=name, n_classes=n_classes)
