# Part of _core.pyx: what the C code will read of each array it is handed. The
# C core takes bare pointers, so the binding is the last place that knows an
# array's element type, shape and layout; these checks keep a direct call from
# reading or writing outside the arrays it gives.


cdef int float_type(object dtype) except -1:
    """NumPy's type number for a float32 or float64 dtype; TypeError for any other."""
    if dtype == np.float32:
        return cnp.NPY_FLOAT32
    if dtype == np.float64:
        return cnp.NPY_FLOAT64
    raise TypeError(f"weights must be float32 or float64, not {dtype}")


cdef inline int dtype_code(int typenum) noexcept nogil:
    """The C core's enum ffnn_dtype for a float type number."""
    return FFNN_FLOAT32 if typenum == cnp.NPY_FLOAT32 else FFNN_FLOAT64


cdef cnp.ndarray checked(object array, int typenum, int ndim, str name, bint writeable=False):
    """array itself, if it is a C-contiguous NumPy array of `ndim` dimensions and type
    `typenum` (and writeable, if asked): TypeError for another type, ValueError otherwise."""
    if not isinstance(array, cnp.ndarray):
        raise TypeError(f"{name} must be a NumPy array, not {type(array).__name__}")
    cdef cnp.ndarray a = <cnp.ndarray>array
    if cnp.PyArray_TYPE(a) != typenum:
        raise TypeError(f"{name} must hold {cnp.PyArray_DescrFromType(typenum)}, not {a.dtype}")
    if a.ndim != ndim or not cnp.PyArray_IS_C_CONTIGUOUS(a) or (writeable and not cnp.PyArray_ISWRITEABLE(a)):
        raise ValueError(f"{name} must be a {'writeable ' if writeable else ''}C-contiguous {ndim}-D "
                         f"{a.dtype} array, got shape {array.shape}")
    return a


cdef int float_array_type(object array, str name) except -1:
    """The type number of a float32 or float64 NumPy array."""
    if not isinstance(array, cnp.ndarray):
        raise TypeError(f"{name} must be a NumPy array, not {type(array).__name__}")
    typenum = cnp.PyArray_TYPE(<cnp.ndarray>array)
    if typenum != cnp.NPY_FLOAT32 and typenum != cnp.NPY_FLOAT64:
        raise TypeError(f"{name} must hold float32 or float64, not {array.dtype}")
    return typenum
