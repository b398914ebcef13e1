# What ffnn._core offers other compiled modules: the kernel tables of the SIMD level in
# use, from the module that holds that level (a module linking the C core again would
# have a level of its own).

from ffnn._kernel_table cimport ffnn_kernels_f32, ffnn_kernels_f64

cdef const ffnn_kernels_f32 *active_kernels_f32() noexcept nogil
cdef const ffnn_kernels_f64 *active_kernels_f64() noexcept nogil
