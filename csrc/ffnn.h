/*
 * ffnn: the C core of the network from "Make Your Own Neural Network".
 *
 * Plain C99, no Python. Matrices are dense, row-major, shape (rows, cols) =
 * (next layer, previous layer), as the book's `wih` and `who`. A network
 * (ffnn_net) is `n_layers` weight matrices and the `n_layers + 1` node
 * counts `sizes[0] .. sizes[n_layers]`, in float or double (enum
 * ffnn_dtype); its operations take the dtype from the net. The few single
 * functions outside it exist for float (_f32) and double (_f64).
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

/* ---- status codes -------------------------------------------------------- */

/* Every function of this API that can fail returns one of these; the
   others cannot fail (a lookup such as ffnn_simd_name answers NULL for a
   level that does not exist). */
enum ffnn_status {
    FFNN_OK = 0,
    FFNN_ERROR_MEMORY = 1,     /* an allocation failed */
    FFNN_ERROR_ARGUMENT = 2,   /* a size, dtype, rule, engine or pointer the
                                  core cannot use */
    FFNN_ERROR_LABEL = 3,      /* a label outside 0 .. sizes[n_layers] - 1 */
    FFNN_ERROR_INDEX = 4,      /* a sample index (schedule order) outside
                                  0 .. rows - 1 */
    FFNN_ERROR_NOT_FINITE = 5, /* a weighted sum was NaN or infinite (weights
                                  or inputs) */
    FFNN_ERROR_THREADS = 6,    /* threads outside 1 .. FFNN_MAX_THREADS, or
                                  refused by the system */
    FFNN_ERROR_ENGINE = 7      /* the engine asked for cannot take these
                                  samples */
};
/* A sentence describing a status, for messages; never NULL. */
const char *ffnn_strerror(int status);

/* The element type of a network and of every array it reads or writes. */
enum ffnn_dtype { FFNN_FLOAT32 = 0, FFNN_FLOAT64 = 1 };

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
/* Use `level` from now on: FFNN_OK, or FFNN_ERROR_ARGUMENT (nothing
   changed) if it is not available. Not thread-safe: call it before training
   or querying. */
int ffnn_simd_set(int level);
/* "scalar", "avx2", "avx512", "neon", or NULL for an unknown level. */
const char *ffnn_simd_name(int level);

/* ---- threads ------------------------------------------------------------ */

/* A network shares the work of its large layers between 1 ..
   FFNN_MAX_THREADS threads (ffnn_net_create, ffnn_net_set_threads), so
   that every weight and output is computed by exactly the same operations
   as with one thread: results are bitwise identical. */
#define FFNN_MAX_THREADS 64

/* When a network's threads share a task, rather than its caller running it
   alone (ffnn_net_set_share_policy); the results are the same either way. */
enum ffnn_share_policy {
    /* Every task large enough to split is shared: the same decisions in
       every run, from the task's size and the thread count alone. A new
       net's policy. */
    FFNN_SHARE_DETERMINISTIC = 0,
    /* The caller times its tasks shared and alone and keeps the faster
       way, trying the other now and then: on a machine busier than it has
       cores, where the other threads are often descheduled, more threads
       then cost no time. */
    FFNN_SHARE_ADAPTIVE = 1
};

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

/* The kernels the binding calls on its own (the book's activation functions
   and the finiteness check); the rest are internal to the core. */

/* y = 1 / (1 + exp(-x)), finite for every finite x; y may alias x. */
void ffnn_sigmoid_f32(size_t n, const float *x, float *y);
void ffnn_sigmoid_f64(size_t n, const double *x, double *y);

/* y = log(x / (1 - x)), the inverse of the sigmoid; y may alias x. */
void ffnn_logit_f32(size_t n, const float *x, float *y);
void ffnn_logit_f64(size_t n, const double *x, double *y);

/* 1 if every x[i] is finite (neither NaN nor infinite), else 0. */
int ffnn_all_finite_f32(size_t n, const float *x);
int ffnn_all_finite_f64(size_t n, const double *x);

/* ---- the book's inputs and targets ------------------------------------- */

/* inputs[i] = pixels[i] / 255 * 0.99 + 0.01, in the dtype, for n values of
   the dtype (pixel values 0 .. 255, or any real numbers); inputs may alias
   pixels. The one definition of the book's scaling: training and query
   scale uint8 pixels (ffnn_samples.pixels) with it too. */
int ffnn_scale_pixels(int dtype, size_t n, const void *pixels, void *inputs);
/* The book's targets for `rows` labels: row i of targets (rows x n_classes
   of the dtype) is 0.99 at labels[i] and 0.01 elsewhere, as training builds
   them from ffnn_samples.labels. FFNN_ERROR_LABEL, with *failed_row (may be
   NULL) the first bad row, when a label is outside 0 .. n_classes - 1;
   nothing is written then. */
int ffnn_one_hot(int dtype, size_t rows, size_t n_classes,
                 const int64_t *labels, void *targets, size_t *failed_row);

/* ---- the network object -------------------------------------------------- */

/*
 * A network of n_layers weight matrices between sizes[0] .. sizes[n_layers]
 * nodes. Training, query, backquery and gradients go through it: one entry
 * per operation, the dtype being the net's. It checks what memory safety
 * needs (pointers, the rule, label range, sample indices) once per call,
 * before the first weight changes, and returns a status.
 */
typedef struct ffnn_net ffnn_net;

/* A network of n_layers weight matrices between sizes[0] .. sizes[n_layers]
   nodes (copied), in `dtype`, with bias nodes if has_biases, sharing its
   work between `threads` threads. Owns its scratch space and pool; its
   weights are borrowed (ffnn_net_bind), because NumPy owns them. *net is
   NULL unless FFNN_OK is returned. */
int ffnn_net_create(ffnn_net **net, int dtype, size_t n_layers,
                    const size_t *sizes, int has_biases, int threads);
/* Frees the net, its scratch space and its pool; NULL is allowed. */
void ffnn_net_free(ffnn_net *net);
/* weights[k]: row-major (sizes[k+1], sizes[k]) of the dtype; biases[k]:
   sizes[k+1] entries (NULL when the net has none). Borrowed: the caller
   keeps them alive and in place while the net uses them. Rebinding (after
   the caller replaced an array) keeps the pool and scratch space. */
int ffnn_net_bind(ffnn_net *net, void *const *weights, void *const *biases);
/* Share the work between `threads` threads from now on; the results do not
   depend on it (bitwise). On failure the net keeps its threads. */
int ffnn_net_set_threads(ffnn_net *net, int threads);
/* The sharing policy (enum ffnn_share_policy) of the net's threads, kept
   when ffnn_net_set_threads changes their number; a new net's is
   FFNN_SHARE_DETERMINISTIC. The results do not depend on it (bitwise). */
int ffnn_net_set_share_policy(ffnn_net *net, int policy);
/* The net's threads, and its sharing policy: the values last set. */
int ffnn_net_threads(const ffnn_net *net);
int ffnn_net_share_policy(const ffnn_net *net);

/* ---- samples and a training schedule -------------------------------------- */

typedef struct ffnn_samples {
    size_t rows;           /* samples the arrays below hold */
    const uint8_t *pixels; /* rows x sizes[0] uint8, scaled as the book does
                              (ffnn_scale_pixels), or NULL */
    const void *inputs;    /* rows x sizes[0] of the dtype, or NULL; exactly
                              one of pixels and inputs */
    double background;     /* inputs only: the value every non-ink input has
                              (e.g. 0.01), or NaN when the inputs are not
                              known to be background + sparse ink (semantics:
                              the sparse engine's) */
    const void *targets;   /* rows x sizes[n_layers] of the dtype, or NULL */
    const int64_t *labels; /* rows labels, or NULL; training and gradients
                              need exactly one of targets and labels (labels
                              mean the targets of ffnn_one_hot) */
} ffnn_samples;

enum ffnn_engine {
    FFNN_ENGINE_AUTO = 0,  /* the core picks (sparse where it pays) */
    FFNN_ENGINE_DENSE = 1,
    FFNN_ENGINE_SPARSE = 2 /* first layer as background + ink;
                              FFNN_ERROR_ENGINE where it cannot be used */
};
/* The sparse engine folds its working copy every FFNN_SPARSE_FOLD samples
   of a training call, which changes the rounding: a caller that splits a
   run between calls at multiples of it gets the bits of one call (why 256:
   sparse/engine.h). */
#ifndef FFNN_SPARSE_FOLD /* (a build may set it, to measure another) */
#define FFNN_SPARSE_FOLD 256
#endif

typedef struct ffnn_schedule {
    const int64_t *order;  /* count indices into the samples; NULL:
                              0 .. count - 1 */
    size_t count;
    double learning_rate;  /* converted to the dtype */
    int rule;              /* enum ffnn_rule */
    int engine;            /* enum ffnn_engine */
} ffnn_schedule;

/* ---- operations (one entry per operation; the dtype is the net's) -------- */

/*
 * count steps of per-sample training under the schedule's rule, on the
 * samples order[0], ..., order[count - 1]. Each step: forward pass, errors
 * e = t - o at the output, errors of the layers below through the weights
 * as they were before this step, then every layer's update (see enum
 * ffnn_rule; biases move by lr * delta). The labels the steps visit
 * (labels[order[s]] for s < count; every row's when count is 0) and the
 * order indices are checked in C, once, before the first step: a bad one
 * changes no weight, and ffnn_net_failed_row tells which row (label) or schedule
 * position (index). *sum_squared_error (may be NULL) gets the samples' sum
 * of sum((t - o)^2), each taken before its sample's update. It is NaN, and
 * the status FFNN_ERROR_NOT_FINITE, when a weighted sum of a forward pass
 * was NaN or infinite: a non-finite weight always makes its row's sum
 * non-finite (inf * 0 is NaN), so this is how a caller learns, at no extra
 * cost, that the weights were not finite or so large that the sums
 * overflow. One training call at a time per net.
 */
int ffnn_train(ffnn_net *net, const ffnn_samples *samples,
               const ffnn_schedule *schedule, double *sum_squared_error);
/* The engine, FFNN_ENGINE_DENSE or FFNN_ENGINE_SPARSE, that ffnn_train
   would train these samples with on this schedule (its count counts, not
   its order), in *engine; nothing is trained, labels are not read. For a
   caller that sizes its calls by the engine's speed. */
int ffnn_train_engine(ffnn_net *net, const ffnn_samples *samples,
                      const ffnn_schedule *schedule, int *engine);
/* Forward pass of every sample: outputs is rows x sizes[n_layers] of the
   dtype. Only reads the weights; its scratch space is its own, so queries
   of a net of one thread may run side by side (a pool runs one call at a
   time). A net's threads and sharing policy must not change while a query
   runs on it. */
int ffnn_query(ffnn_net *net, const ffnn_samples *samples, void *outputs);
/* Samples per block of a batch query: they go through every layer
   together, their activations in cache. A caller that splits a batch
   between calls at multiples of it splits it where one call would. */
#define FFNN_QUERY_BLOCK 32
/* ffnn_query with the engine of the first layer asked for (enum
   ffnn_engine; ffnn_query is FFNN_ENGINE_AUTO). On uint8 pixels the first
   layer's sums can come from each sample's ink alone (W^T made once per
   call, the rows of W^T at the ink added up) or from the matrix product:
   FFNN_ENGINE_SPARSE takes every sample from its ink (FFNN_ERROR_ENGINE for
   inputs), FFNN_ENGINE_DENSE none, FFNN_ENGINE_AUTO those whose ink is
   small enough, in calls of at least FFNN_PIXEL_MIN_SAMPLES samples. A
   sample's outputs depend on that sample and the call's choice alone. */
int ffnn_query_engine(ffnn_net *net, const ffnn_samples *samples, int engine,
                      void *outputs);
/* Below this many samples in a call, making W^T (and its memory) costs
   more than it saves: FFNN_ENGINE_AUTO takes every sample the dense way.
   Measured with 784 pixels and 200 hidden nodes, where the two ways break
   even at about 32 samples in float and fewer in double; both costs grow
   with the layer. */
#define FFNN_PIXEL_MIN_SAMPLES 64
/*
 * The book's backwards query: from targets at the output (sizes[n_layers]
 * values, each strictly between 0 and 1), apply the inverse sigmoid, take
 * off the biases, push the signal back through W^T, rescale it to
 * 0.01 .. 0.99 and repeat down to the input layer, which is written to
 * `image` (sizes[0] entries). A signal with no spread (all entries equal)
 * is set to 0.5, where the book would divide by zero.
 */
int ffnn_backquery(ffnn_net *net, const void *targets, void *image);
/*
 * The gradient under `rule` of the samples, summed, written to grads[k]
 * (shaped as weights[k]) and, when bias_grads is not NULL (a net with
 * biases only), bias_grads[k] (sizes[k + 1] entries). The weights are only
 * read. With the outputs o, per sample:
 *   MSE: d/dW of sum (t - o)^2, the 2 included, so a train step is
 *        -(lr/2) times it;
 *   CROSS_ENTROPY: d/dW of -sum t log o + (1 - t) log(1 - o), so a train
 *        step is -lr times it;
 *   BOOK: the book's step divided by -lr. It is no loss's gradient: for the
 *        output layer it is half the MSE gradient, for the layer below it
 *        the cross-entropy gradient, for any layer further down neither.
 */
int ffnn_gradients(ffnn_net *net, int rule, const ffnn_samples *samples,
                   void *const *grads, void *const *bias_grads);
/* The position (in the schedule, or the row) the last failing call stopped
   at. */
size_t ffnn_net_failed_row(const ffnn_net *net);

/* ---- augmentation -------------------------------------------------------- */

/*
 * Rotate n images of rows x cols pixels (stored one after another) by
 * `degrees` about their centre, into `out` (same layout, not overlapping
 * `images`). Positive angles turn the picture counter-clockwise as
 * displayed with row 0 at the top, as scipy.ndimage.rotate(image, degrees,
 * order=1, reshape=False, cval=background) does: each output pixel is the
 * bilinear blend of the four input pixels around its source point, or
 * `background` when that point lies outside the image. The caller's arrays
 * hold n * rows * cols values each. Returns FFNN_OK, or FFNN_ERROR_MEMORY
 * if the table of rows * cols source points cannot be allocated (nothing is
 * written then).
 */
int ffnn_rotate_f32(size_t n, size_t rows, size_t cols, double degrees,
                    float background, const float *FFNN_RESTRICT images,
                    float *FFNN_RESTRICT out);
int ffnn_rotate_f64(size_t n, size_t rows, size_t cols, double degrees,
                    double background, const double *FFNN_RESTRICT images,
                    double *FFNN_RESTRICT out);

#ifdef __cplusplus
}
#endif

#endif /* FFNN_H */
