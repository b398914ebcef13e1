/*
 * ffnn: the C core of the network from "Make Your Own Neural Network".
 *
 * Plain C99, no Python. Every function takes its sizes explicitly; matrices
 * are dense, row-major, shape (rows, cols) = (next layer, previous layer), as
 * the book's `wih` and `who`. A network is `n_layers` weight matrices and the
 * `n_layers + 1` node counts `sizes[0] .. sizes[n_layers]`.
 *
 * Each kernel exists for float (_f32) and double (_f64).
 */
#ifndef FFNN_H
#define FFNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MSVC spells C99's restrict `__restrict`. */
#if defined(_MSC_VER) && !defined(__clang__)
#define FFNN_RESTRICT __restrict
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
#define FFNN_RESTRICT restrict
#else
#define FFNN_RESTRICT
#endif

/* ---- run-time SIMD dispatch --------------------------------------------- */

/* Instruction-set levels; every build has FFNN_SIMD_SCALAR. */
enum ffnn_simd_level {
    FFNN_SIMD_SCALAR = 0,
    FFNN_SIMD_AVX2 = 1,   /* x86-64 AVX2 + FMA */
    FFNN_SIMD_AVX512 = 2, /* x86-64 AVX-512F */
    FFNN_SIMD_NEON = 3    /* arm64 Advanced SIMD */
};

/* 1 if this build has the level and this CPU runs it, else 0. */
int ffnn_simd_available(int level);
/* The level in use: the best available one unless ffnn_simd_set chose another. */
int ffnn_simd_get(void);
/* Use `level` from now on; 0, or -1 if it is not available. Not thread-safe:
   call it before training or querying. */
int ffnn_simd_set(int level);
/* "scalar", "avx2", "avx512", "neon", or NULL for an unknown level. */
const char *ffnn_simd_name(int level);

/* ---- threads ------------------------------------------------------------ */

/*
 * A small pool of threads for one network: the functions taking a pool
 * split each large layer's rows (or, for W^T e, its columns) between the
 * threads, so every weight and output is computed by exactly the same
 * operations as with one thread: results are bitwise identical. A pool runs
 * one call at a time.
 */
typedef struct ffnn_pool ffnn_pool;

#define FFNN_MAX_THREADS 64

/* A pool of `threads` threads, the calling thread counting as one (so 1
   starts none). NULL if threads is not in 1 .. FFNN_MAX_THREADS or the
   system refused. */
ffnn_pool *ffnn_pool_create(int threads);
/* Stops and joins the threads; NULL is allowed. A pool inherited through
   fork() can be used (the child starts its own threads) and destroyed (the
   parent's threads and lock are left alone). */
void ffnn_pool_destroy(ffnn_pool *pool);
/* The pool's thread count; 1 for NULL. */
int ffnn_pool_threads(const ffnn_pool *pool);

/* When a pool shares a task between its threads, rather than its caller
   running it alone; the results are the same either way. */
enum ffnn_share_policy {
    /* Every task large enough to split is shared: the same decisions in
       every run, from the task's size and the thread count alone. A new
       pool's, unless FFNN_SHARE_POLICY=adaptive is set in the environment
       when it is made. */
    FFNN_SHARE_DETERMINISTIC = 0,
    /* The caller times its tasks shared and alone and keeps the faster
       way, trying the other now and then: on a machine busier than it has
       cores, where the other threads are often descheduled, more threads
       then cost no time. */
    FFNN_SHARE_ADAPTIVE = 1
};
/* Makes `policy` (enum ffnn_share_policy) the pool's, from its next task
   on, forgetting what an earlier one measured. Returns 0, or -1 (nothing
   changed) if pool is NULL or policy unknown. Not while the pool runs a
   call. */
int ffnn_pool_set_policy(ffnn_pool *pool, int policy);
/* The pool's policy; FFNN_SHARE_DETERMINISTIC for NULL. */
int ffnn_pool_policy(const ffnn_pool *pool);

/* ---- update rules -------------------------------------------------------- */

/*
 * How errors are turned into weight steps; every rule updates
 * W_k += lr * delta_k outer o_{k-1} with delta_k = e_k * o_k * (1 - o_k),
 * except where noted.
 *   BOOK: e at the output is t - o; layers below get raw errors W^T e.
 *   MSE: layers below get W^T delta, so each step is -(lr/2) dE/dW for
 *        E = sum (t - o)^2.
 *   CROSS_ENTROPY: delta at the output is t - o itself; layers below get
 *        W^T delta: each step is -lr dE/dW for binary cross-entropy.
 */
enum ffnn_rule {
    FFNN_RULE_BOOK = 0,
    FFNN_RULE_MSE = 1,
    FFNN_RULE_CROSS_ENTROPY = 2
};

/* ---- single kernels ---------------------------------------------------- */

/* y = W x; W is (rows, cols). */
void ffnn_matvec_f32(size_t rows, size_t cols, const float *FFNN_RESTRICT w,
                     const float *FFNN_RESTRICT x, float *FFNN_RESTRICT y);
void ffnn_matvec_f64(size_t rows, size_t cols, const double *FFNN_RESTRICT w,
                     const double *FFNN_RESTRICT x, double *FFNN_RESTRICT y);

/* y = W^T e; W is (rows, cols), e has rows entries, y has cols entries. */
void ffnn_matvec_t_f32(size_t rows, size_t cols, const float *FFNN_RESTRICT w,
                       const float *FFNN_RESTRICT e, float *FFNN_RESTRICT y);
void ffnn_matvec_t_f64(size_t rows, size_t cols, const double *FFNN_RESTRICT w,
                       const double *FFNN_RESTRICT e, double *FFNN_RESTRICT y);

/* y = 1 / (1 + exp(-x)), finite for every finite x; y may alias x. */
void ffnn_sigmoid_f32(size_t n, const float *x, float *y);
void ffnn_sigmoid_f64(size_t n, const double *x, double *y);

/* y = log(x / (1 - x)), the inverse of the sigmoid; y may alias x. */
void ffnn_logit_f32(size_t n, const float *x, float *y);
void ffnn_logit_f64(size_t n, const double *x, double *y);

/* 1 if every x[i] is finite (neither NaN nor infinite), else 0. */
int ffnn_all_finite_f32(size_t n, const float *x);
int ffnn_all_finite_f64(size_t n, const double *x);

/* W += scale * (a outer b); W is (rows, cols), a has rows, b has cols. */
void ffnn_outer_update_f32(size_t rows, size_t cols, float *FFNN_RESTRICT w,
                           float scale, const float *FFNN_RESTRICT a,
                           const float *FFNN_RESTRICT b);
void ffnn_outer_update_f64(size_t rows, size_t cols, double *FFNN_RESTRICT w,
                           double scale, const double *FFNN_RESTRICT a,
                           const double *FFNN_RESTRICT b);

/* W += scale * (a outer b), then y = W x with the updated W, in one pass over
   W: a training step's first-layer update fused with the next forward pass. */
void ffnn_update_matvec_f32(size_t rows, size_t cols, float *FFNN_RESTRICT w,
                            float scale, const float *FFNN_RESTRICT a,
                            const float *FFNN_RESTRICT b,
                            const float *FFNN_RESTRICT x, float *FFNN_RESTRICT y);
void ffnn_update_matvec_f64(size_t rows, size_t cols, double *FFNN_RESTRICT w,
                            double scale, const double *FFNN_RESTRICT a,
                            const double *FFNN_RESTRICT b,
                            const double *FFNN_RESTRICT x,
                            double *FFNN_RESTRICT y);

/* ---- whole network ----------------------------------------------------- */

/*
 * Scratch space, in elements, that the network functions below need (per
 * thread for ffnn_query_pool): three vectors per non-input layer (outputs,
 * errors, deltas), three input vectors (the last, this and the next
 * sample's) and one target vector for training, and two blocks of hidden
 * activations for a batch query. Returns 0 if the count would overflow
 * size_t.
 */
size_t ffnn_work_size(size_t n_layers, const size_t *sizes);

/*
 * One step of per-sample training under `rule` (enum ffnn_rule): forward
 * pass, errors e = t - o at the output, errors of the layers below through
 * the weights as they were before this step, then every layer's update.
 * Returns the squared error sum((t - o)^2) of the sample before the update,
 * or NaN if a weighted sum of the forward pass was NaN or infinite: a
 * non-finite weight always makes its row's sum non-finite (inf * 0 is NaN),
 * so a NaN return is how a caller learns, at no extra cost, that the weights
 * were not finite or so large that the sums overflow.
 */
float ffnn_train_step_f32(size_t n_layers, const size_t *sizes,
                          float *const *weights, float lr, int rule,
                          const float *input, const float *target, float *work);
double ffnn_train_step_f64(size_t n_layers, const size_t *sizes,
                           double *const *weights, double lr, int rule,
                           const double *input, const double *target,
                           double *work);

/*
 * `count` training steps on the samples order[0], ..., order[count - 1].
 * Inputs are rows of `pixels` (uint8, scaled as the book does:
 * x / 255 * 0.99 + 0.01) when pixels is not NULL, else rows of `inputs`.
 * Targets are rows of `targets` when not NULL, else built from `labels`
 * (0.99 for the label's node, 0.01 elsewhere). Returns the sum of the
 * samples' squared errors, which is NaN if any step returned NaN.
 */
double ffnn_train_samples_f32(size_t n_layers, const size_t *sizes,
                              float *const *weights, float lr, int rule,
                              const uint8_t *pixels, const float *inputs,
                              const float *targets, const int64_t *labels,
                              const int64_t *order, size_t count, float *work);
double ffnn_train_samples_f64(size_t n_layers, const size_t *sizes,
                              double *const *weights, double lr, int rule,
                              const uint8_t *pixels, const double *inputs,
                              const double *targets, const int64_t *labels,
                              const int64_t *order, size_t count, double *work);

/* ffnn_train_samples with each large layer split between the pool's
   threads; bitwise the same result. pool may be NULL (one thread). */
double ffnn_train_samples_pool_f32(size_t n_layers, const size_t *sizes,
                                   float *const *weights, float lr, int rule,
                                   const uint8_t *pixels, const float *inputs,
                                   const float *targets, const int64_t *labels,
                                   const int64_t *order, size_t count,
                                   float *work, ffnn_pool *pool);
double ffnn_train_samples_pool_f64(size_t n_layers, const size_t *sizes,
                                   double *const *weights, double lr, int rule,
                                   const uint8_t *pixels, const double *inputs,
                                   const double *targets,
                                   const int64_t *labels, const int64_t *order,
                                   size_t count, double *work,
                                   ffnn_pool *pool);

/* Forward pass of n samples: inputs (n, sizes[0]) -> outputs (n, sizes[n_layers]). */
void ffnn_query_f32(size_t n_layers, const size_t *sizes,
                    const float *const *weights, size_t n, const float *inputs,
                    float *outputs, float *work);
void ffnn_query_f64(size_t n_layers, const size_t *sizes,
                    const double *const *weights, size_t n,
                    const double *inputs, double *outputs, double *work);

/* ffnn_query with the samples split between the pool's threads; work holds
   ffnn_pool_threads(pool) * ffnn_work_size elements. pool may be NULL. */
void ffnn_query_pool_f32(size_t n_layers, const size_t *sizes,
                         const float *const *weights, size_t n,
                         const float *inputs, float *outputs, float *work,
                         ffnn_pool *pool);
void ffnn_query_pool_f64(size_t n_layers, const size_t *sizes,
                         const double *const *weights, size_t n,
                         const double *inputs, double *outputs, double *work,
                         ffnn_pool *pool);

/*
 * The book's backwards query: from targets at the output (each strictly
 * between 0 and 1), apply the inverse sigmoid, push the signal back through
 * W^T, rescale it to 0.01 .. 0.99 and repeat down to the input layer, which
 * is written to `image` (sizes[0] entries). A signal with no spread (all
 * entries equal) is set to 0.5, where the book would divide by zero.
 */
void ffnn_backquery_f32(size_t n_layers, const size_t *sizes,
                        const float *const *weights, const float *target,
                        float *image, float *work);
void ffnn_backquery_f64(size_t n_layers, const size_t *sizes,
                        const double *const *weights, const double *target,
                        double *image, double *work);

/* ---- bias nodes ------------------------------------------------------------ */

/*
 * The functions above with bias nodes: `biases` holds one vector per weight
 * matrix, biases[k] with sizes[k + 1] entries, and layer k + 1 computes
 * o = sigmoid(W_k h + b_k), as if b_k were one more column of W_k whose
 * input is always 1. Training moves b_k by lr * delta_k under every rule,
 * exactly that column's step; the errors passed down are still those of
 * the weights alone. biases == NULL means no bias nodes: the results are
 * then bitwise those of the functions without them, which call these.
 */
float ffnn_biased_train_step_f32(size_t n_layers, const size_t *sizes,
                                 float *const *weights, float *const *biases,
                                 float lr, int rule, const float *input,
                                 const float *target, float *work);
double ffnn_biased_train_step_f64(size_t n_layers, const size_t *sizes,
                                  double *const *weights,
                                  double *const *biases, double lr, int rule,
                                  const double *input, const double *target,
                                  double *work);
double ffnn_biased_train_samples_pool_f32(
    size_t n_layers, const size_t *sizes, float *const *weights,
    float *const *biases, float lr, int rule, const uint8_t *pixels,
    const float *inputs, const float *targets, const int64_t *labels,
    const int64_t *order, size_t count, float *work, ffnn_pool *pool);
double ffnn_biased_train_samples_pool_f64(
    size_t n_layers, const size_t *sizes, double *const *weights,
    double *const *biases, double lr, int rule, const uint8_t *pixels,
    const double *inputs, const double *targets, const int64_t *labels,
    const int64_t *order, size_t count, double *work, ffnn_pool *pool);
void ffnn_biased_query_pool_f32(size_t n_layers, const size_t *sizes,
                                const float *const *weights,
                                const float *const *biases, size_t n,
                                const float *inputs, float *outputs,
                                float *work, ffnn_pool *pool);
void ffnn_biased_query_pool_f64(size_t n_layers, const size_t *sizes,
                                const double *const *weights,
                                const double *const *biases, size_t n,
                                const double *inputs, double *outputs,
                                double *work, ffnn_pool *pool);
/* The backwards query undoes the biases too: each layer's signal is
   logit(o) - b_k before it goes back through W_k^T. */
void ffnn_biased_backquery_f32(size_t n_layers, const size_t *sizes,
                               const float *const *weights,
                               const float *const *biases, const float *target,
                               float *image, float *work);
void ffnn_biased_backquery_f64(size_t n_layers, const size_t *sizes,
                               const double *const *weights,
                               const double *const *biases,
                               const double *target, double *image,
                               double *work);

/* ---- augmentation -------------------------------------------------------- */

/*
 * Rotate n images of rows x cols pixels (stored one after another) by
 * `degrees` about their centre, into `out` (same layout, not overlapping
 * `images`). Positive angles turn the picture counter-clockwise as
 * displayed with row 0 at the top, as scipy.ndimage.rotate(image, degrees,
 * order=1, reshape=False, cval=background) does: each output pixel is the
 * bilinear blend of the four input pixels around its source point, or
 * `background` when that point lies outside the image. The caller's arrays
 * hold n * rows * cols values each. Returns 0, or -1 if the table of
 * rows * cols source points cannot be allocated (nothing is written then).
 */
int ffnn_rotate_f32(size_t n, size_t rows, size_t cols, double degrees,
                    float background, const float *FFNN_RESTRICT images,
                    float *FFNN_RESTRICT out);
int ffnn_rotate_f64(size_t n, size_t rows, size_t cols, double degrees,
                    double background, const double *FFNN_RESTRICT images,
                    double *FFNN_RESTRICT out);

/* ---- gradients ---------------------------------------------------------- */

/*
 * The gradient under `rule` (enum ffnn_rule) of n samples (rows of inputs
 * and targets), summed, written to grads[k] (the shape of weights[k]);
 * weights are only read. With the outputs o, per sample:
 *   MSE: d/dW of sum (t - o)^2, the 2 included, so a train step is
 *        -(lr/2) times it;
 *   CROSS_ENTROPY: d/dW of -sum t log o + (1 - t) log(1 - o), so a train
 *        step is -lr times it;
 *   BOOK: the book's step divided by -lr. It is no loss's gradient: for the
 *        output layer it is half the MSE gradient, for the layer below it the
 *        cross-entropy gradient, for any layer further down neither.
 * work holds ffnn_work_size(n_layers, sizes) elements.
 */
void ffnn_gradients_f32(size_t n_layers, const size_t *sizes,
                        const float *const *weights, int rule, size_t n,
                        const float *inputs, const float *targets,
                        float *const *grads, float *work);
void ffnn_gradients_f64(size_t n_layers, const size_t *sizes,
                        const double *const *weights, int rule, size_t n,
                        const double *inputs, const double *targets,
                        double *const *grads, double *work);

/* ffnn_gradients with bias nodes (see above): bias_grads[k] (sizes[k + 1]
   entries) gets the gradient of biases[k]. biases and bias_grads are both
   NULL, or neither. */
void ffnn_biased_gradients_f32(size_t n_layers, const size_t *sizes,
                               const float *const *weights,
                               const float *const *biases, int rule, size_t n,
                               const float *inputs, const float *targets,
                               float *const *grads, float *const *bias_grads,
                               float *work);
void ffnn_biased_gradients_f64(size_t n_layers, const size_t *sizes,
                               const double *const *weights,
                               const double *const *biases, int rule, size_t n,
                               const double *inputs, const double *targets,
                               double *const *grads, double *const *bias_grads,
                               double *work);

#ifdef __cplusplus
}
#endif

#endif /* FFNN_H */
