# Declarations of the C core (csrc/ffnn.h); nothing else belongs here.

from libc.stdint cimport int64_t, uint8_t


cdef extern from "ffnn.h" nogil:
    enum:
        FFNN_SIMD_SCALAR
        FFNN_SIMD_AVX2
        FFNN_SIMD_AVX512
        FFNN_SIMD_NEON
        FFNN_RULE_BOOK
        FFNN_RULE_MSE
        FFNN_RULE_CROSS_ENTROPY

    ctypedef struct ffnn_pool:
        pass
    enum:
        FFNN_MAX_THREADS
    ffnn_pool *ffnn_pool_create(int threads)
    void ffnn_pool_destroy(ffnn_pool *pool)
    int ffnn_pool_threads(const ffnn_pool *pool)

    int ffnn_simd_available(int level)
    int ffnn_simd_get()
    int ffnn_simd_set(int level)
    const char *ffnn_simd_name(int level)

    void ffnn_matvec_f32(size_t rows, size_t cols, const float *w, const float *x, float *y)
    void ffnn_matvec_f64(size_t rows, size_t cols, const double *w, const double *x, double *y)
    void ffnn_matvec_t_f32(size_t rows, size_t cols, const float *w, const float *e, float *y)
    void ffnn_matvec_t_f64(size_t rows, size_t cols, const double *w, const double *e, double *y)
    void ffnn_sigmoid_f32(size_t n, const float *x, float *y)
    void ffnn_sigmoid_f64(size_t n, const double *x, double *y)
    void ffnn_logit_f32(size_t n, const float *x, float *y)
    void ffnn_logit_f64(size_t n, const double *x, double *y)
    int ffnn_all_finite_f32(size_t n, const float *x)
    int ffnn_all_finite_f64(size_t n, const double *x)
    void ffnn_outer_update_f32(size_t rows, size_t cols, float *w, float scale,
                               const float *a, const float *b)
    void ffnn_outer_update_f64(size_t rows, size_t cols, double *w, double scale,
                               const double *a, const double *b)
    void ffnn_update_matvec_f32(size_t rows, size_t cols, float *w, float scale,
                                const float *a, const float *b, const float *x, float *y)
    void ffnn_update_matvec_f64(size_t rows, size_t cols, double *w, double scale,
                                const double *a, const double *b, const double *x, double *y)

    size_t ffnn_work_size(size_t n_layers, const size_t *sizes)
    float ffnn_train_step_f32(size_t n_layers, const size_t *sizes, float **weights,
                              float lr, int rule, const float *input, const float *target,
                              float *work)
    double ffnn_train_step_f64(size_t n_layers, const size_t *sizes, double **weights,
                               double lr, int rule, const double *input,
                               const double *target, double *work)
    double ffnn_train_samples_f32(size_t n_layers, const size_t *sizes, float **weights,
                                  float lr, int rule, const uint8_t *pixels,
                                  const float *inputs, const float *targets,
                                  const int64_t *labels, const int64_t *order, size_t count,
                                  float *work)
    double ffnn_train_samples_f64(size_t n_layers, const size_t *sizes, double **weights,
                                  double lr, int rule, const uint8_t *pixels,
                                  const double *inputs, const double *targets,
                                  const int64_t *labels, const int64_t *order, size_t count,
                                  double *work)
    double ffnn_train_samples_pool_f32(size_t n_layers, const size_t *sizes, float **weights,
                                       float lr, int rule, const uint8_t *pixels,
                                       const float *inputs, const float *targets,
                                       const int64_t *labels, const int64_t *order,
                                       size_t count, float *work, ffnn_pool *pool)
    double ffnn_train_samples_pool_f64(size_t n_layers, const size_t *sizes, double **weights,
                                       double lr, int rule, const uint8_t *pixels,
                                       const double *inputs, const double *targets,
                                       const int64_t *labels, const int64_t *order,
                                       size_t count, double *work, ffnn_pool *pool)
    void ffnn_query_pool_f32(size_t n_layers, const size_t *sizes, const float **weights,
                             size_t n, const float *inputs, float *outputs, float *work,
                             ffnn_pool *pool)
    void ffnn_query_pool_f64(size_t n_layers, const size_t *sizes, const double **weights,
                             size_t n, const double *inputs, double *outputs, double *work,
                             ffnn_pool *pool)
    void ffnn_query_f32(size_t n_layers, const size_t *sizes, const float **weights,
                        size_t n, const float *inputs, float *outputs, float *work)
    void ffnn_query_f64(size_t n_layers, const size_t *sizes, const double **weights,
                        size_t n, const double *inputs, double *outputs, double *work)
    void ffnn_backquery_f32(size_t n_layers, const size_t *sizes, const float **weights,
                            const float *target, float *image, float *work)
    void ffnn_backquery_f64(size_t n_layers, const size_t *sizes, const double **weights,
                            const double *target, double *image, double *work)

    # ---- augmentation
    int ffnn_rotate_f32(size_t n, size_t rows, size_t cols, double degrees, float background,
                        const float *images, float *out)
    int ffnn_rotate_f64(size_t n, size_t rows, size_t cols, double degrees, double background,
                        const double *images, double *out)

    # ---- gradients
    void ffnn_gradients_f32(size_t n_layers, const size_t *sizes, const float **weights,
                            int rule, size_t n, const float *inputs, const float *targets,
                            float **grads, float *work)
    void ffnn_gradients_f64(size_t n_layers, const size_t *sizes, const double **weights,
                            int rule, size_t n, const double *inputs, const double *targets,
                            double **grads, double *work)

    # ---- bias nodes (biases NULL: none)
    float ffnn_biased_train_step_f32(size_t n_layers, const size_t *sizes, float **weights,
                                     float **biases, float lr, int rule, const float *input,
                                     const float *target, float *work)
    double ffnn_biased_train_step_f64(size_t n_layers, const size_t *sizes, double **weights,
                                      double **biases, double lr, int rule, const double *input,
                                      const double *target, double *work)
    double ffnn_biased_train_samples_pool_f32(size_t n_layers, const size_t *sizes,
                                              float **weights, float **biases, float lr, int rule,
                                              const uint8_t *pixels, const float *inputs,
                                              const float *targets, const int64_t *labels,
                                              const int64_t *order, size_t count, float *work,
                                              ffnn_pool *pool)
    double ffnn_biased_train_samples_pool_f64(size_t n_layers, const size_t *sizes,
                                              double **weights, double **biases, double lr,
                                              int rule, const uint8_t *pixels,
                                              const double *inputs, const double *targets,
                                              const int64_t *labels, const int64_t *order,
                                              size_t count, double *work, ffnn_pool *pool)
    void ffnn_biased_query_pool_f32(size_t n_layers, const size_t *sizes, const float **weights,
                                    const float **biases, size_t n, const float *inputs,
                                    float *outputs, float *work, ffnn_pool *pool)
    void ffnn_biased_query_pool_f64(size_t n_layers, const size_t *sizes, const double **weights,
                                    const double **biases, size_t n, const double *inputs,
                                    double *outputs, double *work, ffnn_pool *pool)
    void ffnn_biased_backquery_f32(size_t n_layers, const size_t *sizes, const float **weights,
                                   const float **biases, const float *target, float *image,
                                   float *work)
    void ffnn_biased_backquery_f64(size_t n_layers, const size_t *sizes, const double **weights,
                                   const double **biases, const double *target, double *image,
                                   double *work)
    void ffnn_biased_gradients_f32(size_t n_layers, const size_t *sizes, const float **weights,
                                   const float **biases, int rule, size_t n, const float *inputs,
                                   const float *targets, float **grads, float **bias_grads,
                                   float *work)
    void ffnn_biased_gradients_f64(size_t n_layers, const size_t *sizes, const double **weights,
                                   const double **biases, int rule, size_t n,
                                   const double *inputs, const double *targets, double **grads,
                                   double **bias_grads, double *work)
