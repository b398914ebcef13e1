# Declarations of the C core's API (csrc/ffnn.h) that the binding uses; nothing else belongs here.

from libc.stdint cimport int64_t, uint8_t


cdef extern from "ffnn.h" nogil:
    enum:
        FFNN_SIMD_SCALAR
        FFNN_SIMD_AVX2
        FFNN_SIMD_AVX512
        FFNN_SIMD_NEON
        FFNN_MAX_THREADS
        FFNN_QUERY_BLOCK
        FFNN_RULE_BOOK
        FFNN_RULE_MSE
        FFNN_RULE_CROSS_ENTROPY
        FFNN_SHARE_DETERMINISTIC
        FFNN_SHARE_ADAPTIVE

    int ffnn_simd_available(int level)
    int ffnn_simd_get()
    int ffnn_simd_set(int level)
    const char *ffnn_simd_name(int level)

    # ---- the single kernels the binding calls on its own
    void ffnn_sigmoid_f32(size_t n, const float *x, float *y)
    void ffnn_sigmoid_f64(size_t n, const double *x, double *y)
    void ffnn_logit_f32(size_t n, const float *x, float *y)
    void ffnn_logit_f64(size_t n, const double *x, double *y)
    int ffnn_all_finite_f32(size_t n, const float *x)
    int ffnn_all_finite_f64(size_t n, const double *x)

    # ---- statuses and dtypes
    enum:
        FFNN_OK
        FFNN_ERROR_MEMORY
        FFNN_ERROR_ARGUMENT
        FFNN_ERROR_LABEL
        FFNN_ERROR_INDEX
        FFNN_ERROR_NOT_FINITE
        FFNN_ERROR_THREADS
        FFNN_ERROR_ENGINE
    const char *ffnn_strerror(int status)
    enum:
        FFNN_FLOAT32
        FFNN_FLOAT64

    # ---- the book's inputs and targets
    int ffnn_scale_pixels(int dtype, size_t n, const void *pixels, void *inputs)
    int ffnn_one_hot(int dtype, size_t rows, size_t n_classes, const int64_t *labels, void *targets,
                     size_t *failed_row)

    # ---- the network object
    ctypedef struct ffnn_net:
        pass
    int ffnn_net_create(ffnn_net **net, int dtype, size_t n_layers, const size_t *sizes, int has_biases,
                        int threads)
    void ffnn_net_free(ffnn_net *net)
    int ffnn_net_bind(ffnn_net *net, void **weights, void **biases)
    int ffnn_net_set_threads(ffnn_net *net, int threads)
    int ffnn_net_set_share_policy(ffnn_net *net, int policy)
    int ffnn_net_threads(const ffnn_net *net)
    int ffnn_net_share_policy(const ffnn_net *net)
    size_t ffnn_net_failed_row(const ffnn_net *net)

    ctypedef struct ffnn_samples:
        size_t rows
        const uint8_t *pixels
        const void *inputs
        double background
        const void *targets
        const int64_t *labels
    enum:
        FFNN_ENGINE_AUTO
        FFNN_ENGINE_DENSE
        FFNN_ENGINE_SPARSE
        FFNN_SPARSE_FOLD
    ctypedef struct ffnn_schedule:
        const int64_t *order
        size_t count
        double learning_rate
        int rule
        int engine

    int ffnn_train(ffnn_net *net, const ffnn_samples *samples, const ffnn_schedule *schedule,
                   double *sum_squared_error)
    int ffnn_train_engine(ffnn_net *net, const ffnn_samples *samples, const ffnn_schedule *schedule,
                          int *engine)
    int ffnn_query(ffnn_net *net, const ffnn_samples *samples, void *outputs)
    # ffnn_query with the way pixels' first layer goes given (enum ffnn_engine).
    int ffnn_query_engine(ffnn_net *net, const ffnn_samples *samples, int engine, void *outputs)
    enum:
        FFNN_PIXEL_MIN_SAMPLES
    int ffnn_backquery(ffnn_net *net, const void *targets, void *image)
    int ffnn_gradients(ffnn_net *net, int rule, const ffnn_samples *samples, void **grads, void **bias_grads)

    # ---- augmentation
    int ffnn_rotate_f32(size_t n, size_t rows, size_t cols, double degrees, float background,
                        const float *images, float *out)
    int ffnn_rotate_f64(size_t n, size_t rows, size_t cols, double degrees, double background,
                        const double *images, double *out)
