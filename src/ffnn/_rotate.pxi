# Part of _core.pyx: rotation of images, for fit(augment=...) and ffnn.augment.


def rotate(images, double degrees, double background, out):
    """Rotate each image of `images` (n, rows, cols) by `degrees` into `out`, of the same shape and type."""
    cdef int typenum = float_array_type(images, "images")
    cdef cnp.ndarray src = checked(images, typenum, 3, "images")
    cdef cnp.ndarray dst = checked(out, typenum, 3, "out", writeable=True)
    cdef size_t n = src.shape[0], rows = src.shape[1], cols = src.shape[2]
    cdef void *a = cnp.PyArray_DATA(src)
    cdef void *b = cnp.PyArray_DATA(dst)
    cdef int status
    if not isfinite(degrees):  # the C turns the angle into an int
        raise ValueError(f"degrees must be finite, got {degrees}")
    if images.shape != out.shape:
        raise ValueError(f"images of shape {src.shape[0]}x{src.shape[1]}x{src.shape[2]} rotated into "
                         f"{dst.shape[0]}x{dst.shape[1]}x{dst.shape[2]}")
    if n == 0 or rows == 0 or cols == 0:
        return
    if a == b:
        raise ValueError("out must not be the images array itself")
    with nogil:
        if typenum == cnp.NPY_FLOAT32:
            status = ffnn_rotate_f32(n, rows, cols, degrees, <float>background, <const float *>a, <float *>b)
        else:
            status = ffnn_rotate_f64(n, rows, cols, degrees, background, <const double *>a, <double *>b)
    if status != FFNN_OK:
        raise MemoryError(f"no memory for the geometry of {rows}x{cols} images")
