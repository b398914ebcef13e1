/*
 * The network object of ffnn.h (ffnn_net) and its four operations,
 * ffnn_train, ffnn_query, ffnn_backquery and ffnn_gradients. Each checks
 * what memory safety needs once, before any weight changes, then calls the
 * code of the net's precision: core/network_template.h (training, batch
 * query, backquery) and core/gradients_template.h, included here once per
 * precision and built from the kernels of the SIMD level in use.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "ffnn.h"

#include "core/book.h"
#include "kernels/kernel_table.h"
#include "pool/pool.h"
#include "sparse/pixel_query.h"
#include "sparse/sparse.h"

struct ffnn_net {
    int dtype;           /* enum ffnn_dtype */
    size_t itemsize;     /* bytes per element of the dtype */
    size_t n_layers;
    size_t *sizes;       /* n_layers + 1 node counts, owned */
    void **weights;      /* n_layers matrices, borrowed (ffnn_net_bind) */
    void **biases;       /* n_layers vectors, borrowed; NULL: no bias nodes */
    int bound;           /* ffnn_net_bind has given the arrays */
    size_t work_size;    /* elements of scratch space per thread */
    void *work;          /* training's scratch space, owned */
    int threads;
    int share_policy;    /* enum ffnn_share_policy of the pool */
    ffnn_pool *pool;     /* NULL for one thread */
    size_t failed_row;   /* see ffnn_net_failed_row */
};

/* A hint to start loading the cache line at p; samples are visited in random
   order, so the hardware cannot guess the next one. */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#define PREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* Prefetch the n bytes at p. */
static void prefetch_bytes(const void *p, size_t n)
{
    for (size_t i = 0; i < n; i += 64)
        PREFETCH((const char *)p + i);
}

/* Elements in 64 bytes of floats: enough to align either precision. */
#define ALIGN 16

/* Overflow-checked total += count * n; returns 0 on overflow. */
static int add_product(size_t *total, size_t count, size_t n)
{
    if (n != 0 && count > (SIZE_MAX - *total) / n)
        return 0;
    *total += count * n;
    return 1;
}

/* The widest hidden layer (0 without one). */
static size_t widest_hidden(size_t n_layers, const size_t *sizes)
{
    size_t widest = 0;
    for (size_t k = 1; k < n_layers; k++)
        if (sizes[k] > widest)
            widest = sizes[k];
    return widest;
}

/*
 * Scratch space, in elements, for one thread: three vectors per non-input
 * layer (outputs, errors, deltas), three input vectors (the last, this and
 * the next sample's) and one target vector for training, and for a batch
 * query a block of scaled pixels and two blocks of hidden activations.
 * 0 if the count would overflow size_t.
 */
static size_t work_size(size_t n_layers, const size_t *sizes)
{
    size_t total = 0;
    for (size_t k = 1; k <= n_layers; k++)
        if (!add_product(&total, 3, sizes[k]))
            return 0;
    /* Three input vectors, each starting on a cache line (see
       input_stride), hence the slack of ALIGN elements around each. */
    if (!add_product(&total, 3, sizes[0]) || !add_product(&total, 4, ALIGN) ||
        !add_product(&total, 1, sizes[n_layers]) ||
        !add_product(&total, FFNN_QUERY_BLOCK, sizes[0]) ||
        !add_product(&total, 2 * FFNN_QUERY_BLOCK,
                     widest_hidden(n_layers, sizes)))
        return 0;
    return total;
}

/* The distance between the input vectors of a training job, the first of
   them on a 64-byte boundary, so that their vector loads never straddle two
   cache lines. */
static size_t input_stride(size_t n_in)
{
    return (n_in + ALIGN - 1) / ALIGN * ALIGN;
}

/* The sample at position s of a schedule: order[s], or s itself. */
static size_t sample_at(const int64_t *order, size_t s)
{
    return order ? (size_t)order[s] : s;
}

/* Where the caller and its helper meet when the sparse engine runs in two
   parts (network_template.h). `steps` is s + 2 once step s's deltas and
   biases are there for step s + 1. `at` says where the helper is with part 1 of
   step s: HELPER_FREE (s) while it may start it, HELPER_LISTING its ink,
   HELPER_LISTED, HELPER_RUNNING its units, and HELPER_FREE (s + 1) once
   step s's outputs are there; HELPER_GONE once the caller has taken part 1
   over. The caller takes it only from a state in which the helper is not
   working (free or listed), with a claim that fails if the helper has just
   moved on, so that part 1 is never worked on by both. At s == count,
   RUNNING means the last pass. */
struct handover {
    ffnn_pool_mark steps;
    ffnn_pool_mark at;
};
#define HELPER_FREE(s) (4 * (long long)(s))
#define HELPER_LISTING(s) (4 * (long long)(s) + 1)
#define HELPER_LISTED(s) (4 * (long long)(s) + 2)
#define HELPER_RUNNING(s) (4 * (long long)(s) + 3)
#define HELPER_GONE (-1LL)
/* Rounds of a wait before the caller takes part 1 of a step that the
   helper has not started: the helper normally starts well before the
   caller needs it, so a helper still not there has lost its core. */
#define HELPER_GRACE 256

/* What network_template.h defines, once per precision, by full name:
   training (the trainer, its tasks for the pool, a step, a run), the
   batch query, backquery. */
struct trainer_f32;
struct trainer_f64;
static void run_f32(struct trainer_f32 *job, size_t n, ffnn_pool_task *task);
static void run_f64(struct trainer_f64 *job, size_t n, ffnn_pool_task *task);
static void fill_scale_table_f32(float *table);
static void fill_scale_table_f64(double *table);
static void scale_pixels_f32(const float *table, const uint8_t *p, float *x,
                             size_t lo, size_t hi);
static void scale_pixels_f64(const double *table, const uint8_t *p, double *x,
                             size_t lo, size_t hi);
static void mark_non_finite_f32(size_t n, const float *s, float *mark);
static void mark_non_finite_f64(size_t n, const double *s, double *mark);
static void add_bias_f32(size_t n, const float *b, float *s);
static void add_bias_f64(size_t n, const double *b, double *s);
static const float *layer_bias_f32(float *const *biases, size_t k);
static const double *layer_bias_f64(double *const *biases, size_t k);
static void first_layer_outputs_f32(const struct trainer_f32 *job, size_t lo,
                                    size_t hi, float *s);
static void first_layer_outputs_f64(const struct trainer_f64 *job, size_t lo,
                                    size_t hi, double *s);
static ffnn_pool_task first_layer_task_f32, first_layer_task_f64;
static void sparse_units_f32(const struct trainer_f32 *job, int part);
static void sparse_units_f64(const struct trainer_f64 *job, int part);
static void sparse_first_layer_f32(struct trainer_f32 *job);
static void sparse_first_layer_f64(struct trainer_f64 *job);
static int helper_done_f32(struct trainer_f32 *job, size_t s);
static int helper_done_f64(struct trainer_f64 *job, size_t s);
static ffnn_pool_task sparse_helper_task_f32, sparse_helper_task_f64;
static ffnn_pool_task forward_task_f32, forward_task_f64;
static ffnn_pool_task backward_task_f32, backward_task_f64;
static void delta_f32(size_t n, const float *e, const float *o, float *d);
static void delta_f64(size_t n, const double *e, const double *o, double *d);
static void step_f32(struct trainer_f32 *job);
static void step_f64(struct trainer_f64 *job);
static void load_sample_f32(struct trainer_f32 *job, size_t s);
static void load_sample_f64(struct trainer_f64 *job, size_t s);
static int start_sparse_f32(struct trainer_f32 *job,
                            const struct ffnn_sparse_layer_f32 *layer, int *asked);
static int start_sparse_f64(struct trainer_f64 *job,
                            const struct ffnn_sparse_layer_f64 *layer, int *asked);
static void end_sparse_f32(struct trainer_f32 *job, int asked);
static void end_sparse_f64(struct trainer_f64 *job, int asked);
static double train_f32(const ffnn_net *net, const ffnn_samples *samples,
                        const ffnn_schedule *schedule, int *status);
static double train_f64(const ffnn_net *net, const ffnn_samples *samples,
                        const ffnn_schedule *schedule, int *status);
static ffnn_pool_task query_task_f32, query_task_f64;
static int query_f32(const ffnn_net *net, const ffnn_samples *samples,
                     int engine, float *outputs, float *work);
static int query_f64(const ffnn_net *net, const ffnn_samples *samples,
                     int engine, double *outputs, double *work);
static void rescale_f32(size_t n, float *v);
static void rescale_f64(size_t n, double *v);
static void backquery_f32(const ffnn_net *net, const float *target,
                          float *image, float *work);
static void backquery_f64(const ffnn_net *net, const double *target,
                          double *image, double *work);

#define REAL float
#define SUFFIX _f32
#include "network_template.h"

#define REAL double
#define SUFFIX _f64
#include "network_template.h"

/* What gradients_template.h defines, once per precision, by full name. */
static void add_sample_gradient_f32(
    size_t n_layers, const size_t *sizes, const float *const *weights,
    const float *const *biases, int rule, const float *input,
    const float *target, float *const *grads, float *const *bias_grads,
    float *work, size_t n_nodes, const struct ffnn_kernels_f32 *K);
static void add_sample_gradient_f64(
    size_t n_layers, const size_t *sizes, const double *const *weights,
    const double *const *biases, int rule, const double *input,
    const double *target, double *const *grads, double *const *bias_grads,
    double *work, size_t n_nodes, const struct ffnn_kernels_f64 *K);
static void gradients_f32(const ffnn_net *net, int rule,
                          const ffnn_samples *samples, float *const *grads,
                          float *const *bias_grads, float *work);
static void gradients_f64(const ffnn_net *net, int rule,
                          const ffnn_samples *samples, double *const *grads,
                          double *const *bias_grads, double *work);

#define REAL float
#define SUFFIX _f32
#include "gradients_template.h"

#define REAL double
#define SUFFIX _f64
#include "gradients_template.h"

const char *ffnn_strerror(int status)
{
    switch (status) {
    case FFNN_OK:
        return "no error";
    case FFNN_ERROR_MEMORY:
        return "out of memory";
    case FFNN_ERROR_ARGUMENT:
        return "a size, dtype, rule, engine or pointer the core cannot use";
    case FFNN_ERROR_LABEL:
        return "a label is outside 0 .. output nodes - 1";
    case FFNN_ERROR_INDEX:
        return "a sample index is outside 0 .. rows - 1";
    case FFNN_ERROR_NOT_FINITE:
        return "a weighted sum was NaN or infinite";
    case FFNN_ERROR_THREADS:
        return "threads outside 1 .. FFNN_MAX_THREADS, or refused by the system";
    case FFNN_ERROR_ENGINE:
        return "the engine asked for cannot take these samples";
    default:
        return "unknown status";
    }
}

/* ---- the object ---------------------------------------------------------- */

/* *pool for `threads` threads sharing under `policy`: NULL for one, else
   a new pool. */
static int start_pool(int threads, int policy, ffnn_pool **pool)
{
    if (threads < 1 || threads > FFNN_MAX_THREADS)
        return FFNN_ERROR_THREADS;
    *pool = NULL;
    if (threads > 1 && (*pool = ffnn_pool_create(threads)) == NULL)
        return FFNN_ERROR_THREADS;
    if (*pool)
        ffnn_pool_set_policy(*pool, policy);
    return FFNN_OK;
}

/* Whether every matrix of the net and n_threads of its scratch spaces can
   be counted in bytes. */
static int sizes_addressable(size_t n_layers, const size_t *sizes,
                             size_t itemsize, size_t work)
{
    for (size_t k = 0; k < n_layers; k++) {
        size_t bytes = 0;
        if (!add_product(&bytes, sizes[k + 1], sizes[k]) ||
            bytes > SIZE_MAX / itemsize)
            return 0;
    }
    return work != 0 && work <= SIZE_MAX / itemsize / FFNN_MAX_THREADS;
}

int ffnn_net_create(ffnn_net **out, int dtype, size_t n_layers,
                    const size_t *sizes, int has_biases, int threads)
{
    ffnn_net *net;
    int status;
    if (out == NULL)
        return FFNN_ERROR_ARGUMENT;
    *out = NULL;
    if ((dtype != FFNN_FLOAT32 && dtype != FFNN_FLOAT64) || n_layers == 0 ||
        sizes == NULL)
        return FFNN_ERROR_ARGUMENT;
    for (size_t k = 0; k <= n_layers; k++)
        if (sizes[k] == 0)
            return FFNN_ERROR_ARGUMENT;
    net = (ffnn_net *)calloc(1, sizeof *net);
    if (net == NULL)
        return FFNN_ERROR_MEMORY;
    net->dtype = dtype;
    net->itemsize = dtype == FFNN_FLOAT32 ? sizeof(float) : sizeof(double);
    net->n_layers = n_layers;
    net->work_size = work_size(n_layers, sizes);
    if (!sizes_addressable(n_layers, sizes, net->itemsize, net->work_size)) {
        ffnn_net_free(net);
        return FFNN_ERROR_ARGUMENT;
    }
    net->sizes = (size_t *)malloc((n_layers + 1) * sizeof *net->sizes);
    net->weights = (void **)calloc(n_layers, sizeof *net->weights);
    if (has_biases)
        net->biases = (void **)calloc(n_layers, sizeof *net->biases);
    net->work = malloc(net->work_size * net->itemsize);
    if (!net->sizes || !net->weights || (has_biases && !net->biases) ||
        !net->work) {
        ffnn_net_free(net);
        return FFNN_ERROR_MEMORY;
    }
    for (size_t k = 0; k <= n_layers; k++)
        net->sizes[k] = sizes[k];
    net->share_policy = FFNN_SHARE_DETERMINISTIC;
    status = start_pool(threads, net->share_policy, &net->pool);
    if (status != FFNN_OK) {
        ffnn_net_free(net);
        return status;
    }
    net->threads = threads;
    *out = net;
    return FFNN_OK;
}

void ffnn_net_free(ffnn_net *net)
{
    if (net == NULL)
        return;
    ffnn_pool_destroy(net->pool);
    free(net->sizes);
    free(net->weights);
    free(net->biases);
    free(net->work);
    free(net);
}

int ffnn_net_bind(ffnn_net *net, void *const *weights, void *const *biases)
{
    if (net == NULL || weights == NULL || (biases == NULL) != (net->biases == NULL))
        return FFNN_ERROR_ARGUMENT;
    for (size_t k = 0; k < net->n_layers; k++)
        if (weights[k] == NULL || (biases && biases[k] == NULL))
            return FFNN_ERROR_ARGUMENT;
    for (size_t k = 0; k < net->n_layers; k++) {
        net->weights[k] = weights[k];
        if (biases)
            net->biases[k] = biases[k];
    }
    net->bound = 1;
    return FFNN_OK;
}

int ffnn_net_set_threads(ffnn_net *net, int threads)
{
    ffnn_pool *pool;
    int status;
    if (net == NULL)
        return FFNN_ERROR_ARGUMENT;
    if (threads == net->threads)
        return FFNN_OK;
    status = start_pool(threads, net->share_policy, &pool);
    if (status != FFNN_OK)
        return status;
    ffnn_pool_destroy(net->pool);
    net->pool = pool;
    net->threads = threads;
    return FFNN_OK;
}

int ffnn_net_set_share_policy(ffnn_net *net, int policy)
{
    if (net == NULL ||
        (policy != FFNN_SHARE_DETERMINISTIC && policy != FFNN_SHARE_ADAPTIVE))
        return FFNN_ERROR_ARGUMENT;
    if (net->pool)
        ffnn_pool_set_policy(net->pool, policy);
    net->share_policy = policy;
    return FFNN_OK;
}

int ffnn_net_threads(const ffnn_net *net)
{
    return net->threads;
}

int ffnn_net_share_policy(const ffnn_net *net)
{
    return net->share_policy;
}

size_t ffnn_net_failed_row(const ffnn_net *net)
{
    return net ? net->failed_row : 0;
}

/* ---- the checks, once per call ------------------------------------------- */

/* A status for a failure at `row`, remembered for ffnn_net_failed_row. */
static int fail_at(ffnn_net *net, int status, size_t row)
{
    net->failed_row = row;
    return status;
}

/* The labels that `schedule` visits are in range: labels[order[s]] for
   s < count (rows 0 .. count - 1 without an order), or, with no schedule or
   a count of 0, every row's. A training call reads only the first, and
   60 000 labels cost some microseconds a call. order is checked already. */
static int check_labels(ffnn_net *net, const ffnn_samples *samples,
                        const ffnn_schedule *schedule)
{
    const size_t n_classes = net->sizes[net->n_layers];
    const int64_t *labels = samples->labels;
    size_t bad;
    if (schedule == NULL || schedule->count == 0 || schedule->order == NULL) {
        const size_t rows = schedule == NULL || schedule->count == 0
                                ? samples->rows
                                : schedule->count;
        bad = book_bad_label(rows, n_classes, labels);
        return bad < rows ? fail_at(net, FFNN_ERROR_LABEL, bad) : FFNN_OK;
    }
    for (size_t s = 0; s < schedule->count; s++) {
        const int64_t label = labels[schedule->order[s]];
        if (label < 0 || (uint64_t)label >= (uint64_t)n_classes)
            return fail_at(net, FFNN_ERROR_LABEL, (size_t)schedule->order[s]);
    }
    return FFNN_OK;
}

/* The net can be used, and the samples give exactly one of pixels and
   inputs (and, when `need_targets`, exactly one of targets and labels). */
static int check_samples(ffnn_net *net, const ffnn_samples *samples,
                         int need_targets)
{
    if (net == NULL || !net->bound || samples == NULL)
        return FFNN_ERROR_ARGUMENT;
    if ((samples->pixels == NULL) == (samples->inputs == NULL))
        return FFNN_ERROR_ARGUMENT;
    if (!need_targets)
        return FFNN_OK;
    if ((samples->targets == NULL) == (samples->labels == NULL))
        return FFNN_ERROR_ARGUMENT;
    return FFNN_OK;
}

static int rule_known(int rule)
{
    return rule == FFNN_RULE_BOOK || rule == FFNN_RULE_MSE ||
           rule == FFNN_RULE_CROSS_ENTROPY;
}

/* The schedule's rule and engine. */
static int check_rule_and_engine(const ffnn_schedule *schedule)
{
    if (schedule == NULL || !rule_known(schedule->rule))
        return FFNN_ERROR_ARGUMENT;
    if (schedule->engine != FFNN_ENGINE_AUTO &&
        schedule->engine != FFNN_ENGINE_DENSE &&
        schedule->engine != FFNN_ENGINE_SPARSE)
        return FFNN_ERROR_ARGUMENT;
    return FFNN_OK;
}

/* The schedule's rule and engine, and every index it visits. */
static int check_schedule(ffnn_net *net, const ffnn_schedule *schedule,
                          size_t rows)
{
    const int status = check_rule_and_engine(schedule);
    if (status != FFNN_OK)
        return status;
    if (schedule->order == NULL)
        return schedule->count <= rows
                   ? FFNN_OK
                   : fail_at(net, FFNN_ERROR_INDEX, rows);
    for (size_t s = 0; s < schedule->count; s++)
        if (schedule->order[s] < 0 || (uint64_t)schedule->order[s] >= (uint64_t)rows)
            return fail_at(net, FFNN_ERROR_INDEX, s);
    return FFNN_OK;
}

/* Scratch space for `threads` threads of the net, or NULL. */
static void *scratch(const ffnn_net *net, size_t threads)
{
    return malloc(threads * net->work_size * net->itemsize);
}

/* ---- the operations -------------------------------------------------------- */

int ffnn_train(ffnn_net *net, const ffnn_samples *samples,
               const ffnn_schedule *schedule, double *sum_squared_error)
{
    double total = 0;
    int status = check_samples(net, samples, 1);
    if (status == FFNN_OK)
        status = check_schedule(net, schedule, samples->rows);
    if (status == FFNN_OK && samples->labels)
        status = check_labels(net, samples, schedule);
    if (status == FFNN_OK && schedule->count > 0) {
        total = net->dtype == FFNN_FLOAT32
                    ? train_f32(net, samples, schedule, &status)
                    : train_f64(net, samples, schedule, &status);
        /* NaN tells the caller the weights are not finite (see ffnn.h). */
        if (status == FFNN_OK && total != total)
            status = FFNN_ERROR_NOT_FINITE;
    }
    if (sum_squared_error)
        *sum_squared_error = total;
    return status;
}

int ffnn_train_engine(ffnn_net *net, const ffnn_samples *samples,
                      const ffnn_schedule *schedule, int *engine)
{
    int status = check_samples(net, samples, 0), sparse;
    if (status == FFNN_OK)
        status = check_rule_and_engine(schedule);
    if (status != FFNN_OK)
        return status;
    if (engine == NULL)
        return FFNN_ERROR_ARGUMENT;
    status = net->dtype == FFNN_FLOAT32
                 ? ffnn_sparse_choose_f32(schedule, net->sizes, samples, &sparse)
                 : ffnn_sparse_choose_f64(schedule, net->sizes, samples, &sparse);
    if (status == FFNN_OK)
        *engine = sparse ? FFNN_ENGINE_SPARSE : FFNN_ENGINE_DENSE;
    return status;
}

int ffnn_query(ffnn_net *net, const ffnn_samples *samples, void *outputs)
{
    return ffnn_query_engine(net, samples, FFNN_ENGINE_AUTO, outputs);
}

int ffnn_query_engine(ffnn_net *net, const ffnn_samples *samples, int engine,
                      void *outputs)
{
    void *work;
    int status = check_samples(net, samples, 0);
    if (status != FFNN_OK || samples->rows == 0)
        return status;
    if (outputs == NULL)
        return FFNN_ERROR_ARGUMENT;
    work = scratch(net, (size_t)net->threads);
    if (work == NULL)
        return FFNN_ERROR_MEMORY;
    if (net->dtype == FFNN_FLOAT32)
        status = query_f32(net, samples, engine, (float *)outputs, (float *)work);
    else
        status = query_f64(net, samples, engine, (double *)outputs, (double *)work);
    free(work);
    return status;
}

int ffnn_backquery(ffnn_net *net, const void *targets, void *image)
{
    void *work;
    if (net == NULL || !net->bound || targets == NULL || image == NULL)
        return FFNN_ERROR_ARGUMENT;
    work = scratch(net, 1);
    if (work == NULL)
        return FFNN_ERROR_MEMORY;
    if (net->dtype == FFNN_FLOAT32)
        backquery_f32(net, (const float *)targets, (float *)image, (float *)work);
    else
        backquery_f64(net, (const double *)targets, (double *)image, (double *)work);
    free(work);
    return FFNN_OK;
}

int ffnn_gradients(ffnn_net *net, int rule, const ffnn_samples *samples,
                   void *const *grads, void *const *bias_grads)
{
    void *work;
    int status = check_samples(net, samples, 1);
    if (status == FFNN_OK && samples->labels)
        status = check_labels(net, samples, NULL);
    if (status != FFNN_OK)
        return status;
    if (!rule_known(rule) || grads == NULL || (bias_grads && !net->biases))
        return FFNN_ERROR_ARGUMENT;
    for (size_t k = 0; k < net->n_layers; k++)
        if (grads[k] == NULL || (bias_grads && bias_grads[k] == NULL))
            return FFNN_ERROR_ARGUMENT;
    work = scratch(net, 1);
    if (work == NULL)
        return FFNN_ERROR_MEMORY;
    if (net->dtype == FFNN_FLOAT32)
        gradients_f32(net, rule, samples, (float *const *)grads,
                      (float *const *)bias_grads, (float *)work);
    else
        gradients_f64(net, rule, samples, (double *const *)grads,
                      (double *const *)bias_grads, (double *)work);
    free(work);
    return FFNN_OK;
}
