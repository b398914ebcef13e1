# Declarations of the C core (csrc/ffnn.h); nothing else belongs here.

cdef extern from "ffnn.h" nogil:
    void ffnn_matvec_f32(size_t rows, size_t cols, const float *w, const float *x, float *y)
    void ffnn_matvec_f64(size_t rows, size_t cols, const double *w, const double *x, double *y)
    void ffnn_matvec_t_f32(size_t rows, size_t cols, const float *w, const float *e, float *y)
    void ffnn_matvec_t_f64(size_t rows, size_t cols, const double *w, const double *e, double *y)
    void ffnn_sigmoid_f32(size_t n, const float *x, float *y)
    void ffnn_sigmoid_f64(size_t n, const double *x, double *y)
    void ffnn_logit_f32(size_t n, const float *x, float *y)
    void ffnn_logit_f64(size_t n, const double *x, double *y)
    void ffnn_outer_update_f32(size_t rows, size_t cols, float *w, float scale,
                               const float *a, const float *b)
    void ffnn_outer_update_f64(size_t rows, size_t cols, double *w, double scale,
                               const double *a, const double *b)

    size_t ffnn_work_size(size_t n_layers, const size_t *sizes)
    float ffnn_train_step_f32(size_t n_layers, const size_t *sizes, float **weights,
                              float lr, const float *input, const float *target, float *work)
    double ffnn_train_step_f64(size_t n_layers, const size_t *sizes, double **weights,
                               double lr, const double *input, const double *target,
                               double *work)
    void ffnn_query_f32(size_t n_layers, const size_t *sizes, const float **weights,
                        size_t n, const float *inputs, float *outputs, float *work)
    void ffnn_query_f64(size_t n_layers, const size_t *sizes, const double **weights,
                        size_t n, const double *inputs, double *outputs, double *work)
    void ffnn_backquery_f32(size_t n_layers, const size_t *sizes, const float **weights,
                            const float *target, float *image, float *work)
    void ffnn_backquery_f64(size_t n_layers, const size_t *sizes, const double **weights,
                            const double *target, double *image, double *work)
