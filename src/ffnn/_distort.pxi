# Part of _core.pyx: random affine and elastic distortions of images (csrc/augment/distort.h),
# for fit(distort=...) and ffnn.distort. The Python layer (ffnn.distort) checks the
# distortion's values and gives the messages; this checks the arrays.

cdef extern from "augment/distort.h" nogil:
    ctypedef struct ffnn_distortion:
        double rotate
        double scale
        double shear
        double shift
        double alpha
        double sigma
    int ffnn_distort_coordinates(const ffnn_distortion *d, uint64_t seed, uint64_t index, size_t rows,
                                 size_t cols, float *y, float *x)
    int ffnn_distort_f32(const ffnn_distortion *d, uint64_t seed, uint64_t first, size_t n, size_t rows,
                         size_t cols, const uint8_t *pixels, const float *inputs, float background,
                         float *out)
    int ffnn_distort_f64(const ffnn_distortion *d, uint64_t seed, uint64_t first, size_t n, size_t rows,
                         size_t cols, const uint8_t *pixels, const double *inputs, double background,
                         double *out)
    int ffnn_distort_pixels(const ffnn_distortion *d, uint64_t seed, uint64_t first, size_t n, size_t rows,
                            size_t cols, const uint8_t *pixels, uint8_t *out)


cdef ffnn_distortion distortion_of(tuple values) except *:
    """The C struct of (rotate, scale, shear, shift, alpha, sigma)."""
    cdef ffnn_distortion d
    d.rotate, d.scale, d.shear, d.shift, d.alpha, d.sigma = values
    return d


def distort(tuple values, uint64_t seed, uint64_t first, images, out, double background=NAN):
    """Distort each image of `images` (n, rows, cols) into `out` (n, rows, cols, uint8, float32
    or float64): image i as sample first + i of the stream `seed`. uint8 images are pixels,
    written as pixels (uint8 out) or as the book's inputs; float images (of out's type) have
    the blank value `background`. `values` are the distortion's (rotate, scale, shear, shift,
    alpha, sigma)."""
    cdef ffnn_distortion d = distortion_of(values)
    cdef int typenum
    cdef int status
    if isinstance(out, np.ndarray) and out.dtype == np.uint8:
        distort_pixels(&d, seed, first, images, out)
        return
    typenum = float_array_type(out, "out")
    cdef cnp.ndarray dst = checked(out, typenum, 3, "out", writeable=True)
    cdef bint pixels = isinstance(images, np.ndarray) and images.dtype == np.uint8
    cdef cnp.ndarray src = checked(images, cnp.NPY_UINT8 if pixels else typenum, 3, "images")
    cdef size_t n = src.shape[0], rows = src.shape[1], cols = src.shape[2]
    cdef const uint8_t *p = <const uint8_t *>cnp.PyArray_DATA(src) if pixels else NULL
    cdef const void *x = NULL if pixels else cnp.PyArray_DATA(src)
    cdef void *o = cnp.PyArray_DATA(dst)
    if images.shape != out.shape:
        raise ValueError(f"images of shape {images.shape} distorted into {out.shape}")
    if not pixels and not isfinite(background):
        raise ValueError("float images need their background (the value of every blank input)")
    with nogil:
        if typenum == cnp.NPY_FLOAT32:
            status = ffnn_distort_f32(&d, seed, first, n, rows, cols, p, <const float *>x, <float>background,
                                      <float *>o)
        else:
            status = ffnn_distort_f64(&d, seed, first, n, rows, cols, p, <const double *>x, background,
                                      <double *>o)
    if status != FFNN_OK:
        raise status_error(status, f"distorting {rows}x{cols} images")


cdef distort_pixels(const ffnn_distortion *d, uint64_t seed, uint64_t first, images, out):
    """distort() of uint8 pixels into uint8 pixels."""
    cdef cnp.ndarray dst = checked(out, cnp.NPY_UINT8, 3, "out", writeable=True)
    cdef cnp.ndarray src = checked(images, cnp.NPY_UINT8, 3, "images")
    cdef size_t n = src.shape[0], rows = src.shape[1], cols = src.shape[2]
    cdef const uint8_t *p = <const uint8_t *>cnp.PyArray_DATA(src)
    cdef uint8_t *o = <uint8_t *>cnp.PyArray_DATA(dst)
    cdef int status
    if images.shape != out.shape:
        raise ValueError(f"images of shape {images.shape} distorted into {out.shape}")
    with nogil:
        status = ffnn_distort_pixels(d, seed, first, n, rows, cols, p, o)
    if status != FFNN_OK:
        raise status_error(status, f"distorting {rows}x{cols} images")


def distort_coordinates(tuple values, uint64_t seed, uint64_t index, y, x):
    """Where sample `index` of the stream `seed` reads its image, into float32 `y` and `x`
    (rows, cols): the points ``distort`` samples bilinearly."""
    cdef ffnn_distortion d = distortion_of(values)
    cdef cnp.ndarray ys = checked(y, cnp.NPY_FLOAT32, 2, "y", writeable=True)
    cdef cnp.ndarray xs = checked(x, cnp.NPY_FLOAT32, 2, "x", writeable=True)
    cdef size_t rows = ys.shape[0], cols = ys.shape[1]
    cdef int status
    if y.shape != x.shape:
        raise ValueError(f"y of shape {y.shape} but x of shape {x.shape}")
    with nogil:
        status = ffnn_distort_coordinates(&d, seed, index, rows, cols, <float *>cnp.PyArray_DATA(ys),
                                          <float *>cnp.PyArray_DATA(xs))
    if status != FFNN_OK:
        raise status_error(status, f"locating {rows}x{cols} distortions")


def distortion_chunk(Py_ssize_t n_weights):
    """Training images distorted at a time by fit(distort=...)."""
    return distortion_samples_per_call(n_weights)
