# Declarations of the C core's internal kernel table (csrc/kernels/kernel_table.h): what
# ffnn._testing calls each kernel through, the way the network code does.


cdef extern from "kernels/kernel_table.h" nogil:
    struct ffnn_kernels_f32:
        void (*matvec)(size_t rows, size_t cols, const float *w, const float *x, float *y) noexcept nogil
        void (*matvec_t)(size_t rows, size_t cols, const float *w, const float *e, float *y) noexcept nogil
        void (*outer_update)(size_t rows, size_t cols, float *w, float scale, const float *a,
                             const float *b) noexcept nogil
        void (*update_matvec)(size_t rows, size_t cols, float *w, float scale, const float *a,
                              const float *b, const float *x, float *y) noexcept nogil
    struct ffnn_kernels_f64:
        void (*matvec)(size_t rows, size_t cols, const double *w, const double *x, double *y) noexcept nogil
        void (*matvec_t)(size_t rows, size_t cols, const double *w, const double *e, double *y) noexcept nogil
        void (*outer_update)(size_t rows, size_t cols, double *w, double scale, const double *a,
                             const double *b) noexcept nogil
        void (*update_matvec)(size_t rows, size_t cols, double *w, double scale, const double *a,
                              const double *b, const double *x, double *y) noexcept nogil
    const ffnn_kernels_f32 *ffnn_kernels_active_f32()
    const ffnn_kernels_f64 *ffnn_kernels_active_f64()
