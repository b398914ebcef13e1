/*
 * Generic whole-network functions; see network.c. Expects REAL and SUFFIX.
 *
 * Work space layout (ffnn_work_size elements), N = sizes[1] + ... +
 * sizes[n_layers]: outputs o_k of every layer k >= 1 (N), their errors e_k
 * (N), their deltas d_k (N), two input vectors on cache lines, one target
 * vector, then two blocks of FFNN_QUERY_BLOCK hidden activations for a batch
 * query.
 */
#include "template.h"

#define KERNELS FN(ffnn_kernels_active)()

/* Everything a training job needs; shared by the threads that run it. */
struct FN(trainer) {
    size_t n_layers;
    const size_t *sizes;
    REAL *const *weights;
    REAL lr;
    int rule;
    const uint8_t *pixels;
    const REAL *inputs, *targets;
    const int64_t *labels, *order;
    size_t count;
    REAL *outputs, *errors, *deltas, *xbuf, *t;
    const REAL *x, *x_prev; /* this sample's input, the last one's */
    ffnn_pool *pool;
    double total;
};

static int FN(split)(const struct FN(trainer) *job, size_t k)
{
    return ffnn_pool_threads(job->pool) > 1 &&
           job->sizes[k] * job->sizes[k - 1] >= SPLIT_MIN_WEIGHTS;
}

/* The part [*lo, *hi) of n items (layer k's rows or columns) that thread
   `index` of `count` works on: a share if the layer is split, else all of
   it for thread 0 and nothing for the others. */
static void FN(part)(const struct FN(trainer) *job, size_t k, size_t n,
                     int index, int count, size_t *lo, size_t *hi)
{
    if (FN(split)(job, k))
        share(n, index, count, lo, hi);
    else {
        *lo = 0;
        *hi = index == 0 ? n : 0;
    }
}

/* Thread 0 points x at sample s's input (scaling pixels into one of two
   buffers, so the last sample's input survives) and builds its target. */
static void FN(load_sample)(struct FN(trainer) *job, size_t s)
{
    const size_t n_in = job->sizes[0], n_out = job->sizes[job->n_layers];
    const size_t i = (size_t)job->order[s];
    if (s + 1 < job->count) {
        /* The next sample's data arrives while this one trains. */
        const size_t next = (size_t)job->order[s + 1];
        if (job->pixels)
            prefetch_bytes(job->pixels + next * n_in, n_in);
        else
            prefetch_bytes(job->inputs + next * n_in, n_in * sizeof(REAL));
        if (job->targets)
            prefetch_bytes(job->targets + next * n_out, n_out * sizeof(REAL));
        else
            PREFETCH(job->labels + next);
    }
    if (job->pixels) {
        const uint8_t *p = job->pixels + i * n_in;
        REAL *x = job->xbuf + (s % 2) * input_stride(n_in);
        for (size_t c = 0; c < n_in; c++)
            x[c] = (REAL)p[c] / (REAL)255 * (REAL)0.99 + (REAL)0.01;
        job->x = x;
    } else {
        job->x = job->inputs + i * n_in;
    }
    if (job->targets) {
        job->t = (REAL *)(job->targets + i * n_out);
    } else {
        REAL *t = job->xbuf + 2 * input_stride(n_in);
        for (size_t j = 0; j < n_out; j++)
            t[j] = (REAL)0.01;
        t[job->labels[i]] = (REAL)0.99;
        job->t = t;
    }
}

/* d = e * o * (1 - o) on n entries. */
static void FN(delta)(size_t n, const REAL *e, const REAL *o, REAL *d)
{
    for (size_t j = 0; j < n; j++)
        d[j] = e[j] * o[j] * (1 - o[j]);
}

/*
 * The training loop, run by every thread of the pool at once (index of
 * count). Layer 1's update for a sample is postponed to the next sample's
 * forward pass, where one sweep over W_1 adds lr * d_1 outer x_prev to each
 * row and then takes its dot product with the new input: the same
 * operations on the same values as the book's update-then-forward. Large
 * layers are split between threads (rows forwards, columns for W^T); the
 * rest runs on thread 0 while the others wait at the next barrier.
 */
static void FN(train_job)(void *ctx, int index, int count)
{
    struct FN(trainer) *job = (struct FN(trainer) *)ctx;
    const struct FN(ffnn_kernels) *K = KERNELS;
    const size_t L = job->n_layers, *sizes = job->sizes;
    const size_t n_nodes = (size_t)(job->errors - job->outputs);
    REAL *const *W = job->weights;
    const REAL lr = job->lr;
    const int rule = job->rule, lead = index == 0;
    size_t lo, hi;

    for (size_t s = 0; s <= job->count; s++) {
        const int last = s == job->count; /* only the pending update left */
        if (lead && !last)
            FN(load_sample)(job, s);
        ffnn_pool_barrier(job->pool);
        /* Layer 1: pending update, then forward (rows shared out). */
        FN(part)(job, 1, sizes[1], index, count, &lo, &hi);
        if (lo < hi)
            K->update_matvec(hi - lo, sizes[0], W[0] + lo * sizes[0], lr,
                             s > 0 ? job->deltas + lo : NULL, job->x_prev,
                             last ? NULL : job->x,
                             last ? NULL : job->outputs + lo);
        if (last)
            break;
        if (lo < hi)
            K->sigmoid(hi - lo, job->outputs + lo, job->outputs + lo);

        /* Layers 2 .. L forwards. */
        REAL *o = job->outputs;
        for (size_t k = 2; k <= L; k++) {
            REAL *next = o + sizes[k - 1];
            ffnn_pool_barrier(job->pool);
            FN(part)(job, k, sizes[k], index, count, &lo, &hi);
            if (lo < hi) {
                K->matvec(hi - lo, sizes[k - 1], W[k - 1] + lo * sizes[k - 1], o,
                          next + lo);
                K->sigmoid(hi - lo, next + lo, next + lo);
            }
            o = next;
        }
        ffnn_pool_barrier(job->pool);

        /* Output errors and deltas; o points at o_L. */
        REAL *e = job->errors + n_nodes - sizes[L];
        REAL *d = job->deltas + n_nodes - sizes[L];
        if (lead) {
            REAL sq_error = 0;
            for (size_t j = 0; j < sizes[L]; j++) {
                e[j] = job->t[j] - o[j];
                sq_error += e[j] * e[j];
            }
            job->total += sq_error;
            if (rule == FFNN_RULE_CROSS_ENTROPY)
                for (size_t j = 0; j < sizes[L]; j++)
                    d[j] = e[j];
            else
                FN(delta)(sizes[L], e, o, d);
        }
        /* Layers L .. 2: errors below (through W_k as it was) fused with
           W_k's update; the book passes down raw errors, the exact rules
           deltas. */
        for (size_t k = L; k >= 2; k--) {
            const size_t rows = sizes[k], cols = sizes[k - 1];
            REAL *below = o - cols;
            const int split = FN(split)(job, k);
            if (split)
                ffnn_pool_barrier(job->pool);
            FN(part)(job, k, cols, index, count, &lo, &hi);
            if (lo < hi)
                K->matvec_t_update(rows, cols, lo, hi, W[k - 1],
                                   rule == FFNN_RULE_BOOK ? e : d, lr, d, below,
                                   e - cols);
            if (split)
                ffnn_pool_barrier(job->pool);
            o -= cols;
            e -= cols;
            d -= cols;
            if (lead)
                FN(delta)(cols, e, o, d);
        }
        if (lead)
            job->x_prev = job->x;
    }
}

static double FN(train)(size_t n_layers, const size_t *sizes,
                        REAL *const *weights, REAL lr, int rule,
                        const uint8_t *pixels, const REAL *inputs,
                        const REAL *targets, const int64_t *labels,
                        const int64_t *order, size_t count, REAL *work,
                        ffnn_pool *pool)
{
    struct FN(trainer) job;
    size_t n_nodes = 0;
    for (size_t k = 1; k <= n_layers; k++)
        n_nodes += sizes[k];
    job.n_layers = n_layers;
    job.sizes = sizes;
    job.weights = weights;
    job.lr = lr;
    job.rule = rule;
    job.pixels = pixels;
    job.inputs = inputs;
    job.targets = targets;
    job.labels = labels;
    job.order = order;
    job.count = count;
    job.outputs = work;
    job.errors = work + n_nodes;
    job.deltas = work + 2 * n_nodes;
    job.xbuf = (REAL *)cache_aligned(work + 3 * n_nodes);
    job.x = job.x_prev = NULL;
    job.t = NULL;
    job.pool = pool;
    job.total = 0;
    ffnn_pool_run(pool, FN(train_job), &job);
    return job.total;
}

REAL FN(ffnn_train_step)(size_t n_layers, const size_t *sizes,
                         REAL *const *weights, REAL lr, int rule,
                         const REAL *input, const REAL *target, REAL *work)
{
    const int64_t first = 0;
    return (REAL)FN(train)(n_layers, sizes, weights, lr, rule, NULL, input,
                           target, NULL, &first, 1, work, NULL);
}

double FN(ffnn_train_samples_pool)(size_t n_layers, const size_t *sizes,
                                   REAL *const *weights, REAL lr, int rule,
                                   const uint8_t *pixels, const REAL *inputs,
                                   const REAL *targets, const int64_t *labels,
                                   const int64_t *order, size_t count,
                                   REAL *work, ffnn_pool *pool)
{
    if (count == 0)
        return 0;
    return FN(train)(n_layers, sizes, weights, lr, rule, pixels, inputs,
                     targets, labels, order, count, work, pool);
}

double FN(ffnn_train_samples)(size_t n_layers, const size_t *sizes,
                              REAL *const *weights, REAL lr, int rule,
                              const uint8_t *pixels, const REAL *inputs,
                              const REAL *targets, const int64_t *labels,
                              const int64_t *order, size_t count, REAL *work)
{
    return FN(ffnn_train_samples_pool)(n_layers, sizes, weights, lr, rule,
                                       pixels, inputs, targets, labels, order,
                                       count, work, NULL);
}

/* A batch query's job: the samples are shared out between the threads,
   each with its own work space. */
struct FN(querier) {
    size_t n_layers;
    const size_t *sizes;
    const REAL *const *weights;
    size_t n, work_size;
    const REAL *inputs;
    REAL *outputs, *work;
};

static void FN(query_job)(void *ctx, int index, int count)
{
    const struct FN(querier) *job = (const struct FN(querier) *)ctx;
    const struct FN(ffnn_kernels) *K = KERNELS;
    const size_t L = job->n_layers, *sizes = job->sizes;
    const size_t n_in = sizes[0], n_out = sizes[L];
    size_t widest = 0, lo, hi;
    for (size_t k = 1; k < L; k++)
        if (sizes[k] > widest)
            widest = sizes[k];
    /* The hidden blocks are the last part of this thread's work space. */
    REAL *blocks = job->work + (size_t)index * job->work_size + job->work_size -
                   2 * FFNN_QUERY_BLOCK * widest;
    share(job->n, index, count, &lo, &hi);
    for (size_t s = lo; s < hi; s += FFNN_QUERY_BLOCK) {
        const size_t nb = hi - s < FFNN_QUERY_BLOCK ? hi - s : FFNN_QUERY_BLOCK;
        const REAL *in = job->inputs + s * n_in;
        for (size_t k = 1; k <= L; k++) {
            REAL *out = k == L ? job->outputs + s * n_out
                               : blocks + (k % 2) * FFNN_QUERY_BLOCK * widest;
            K->matmat(nb, sizes[k], sizes[k - 1], job->weights[k - 1], in, out);
            K->sigmoid(nb * sizes[k], out, out);
            in = out;
        }
    }
}

void FN(ffnn_query_pool)(size_t n_layers, const size_t *sizes,
                         const REAL *const *weights, size_t n,
                         const REAL *inputs, REAL *outputs, REAL *work,
                         ffnn_pool *pool)
{
    struct FN(querier) job;
    job.n_layers = n_layers;
    job.sizes = sizes;
    job.weights = weights;
    job.n = n;
    job.work_size = ffnn_work_size(n_layers, sizes);
    job.inputs = inputs;
    job.outputs = outputs;
    job.work = work;
    ffnn_pool_run(pool, FN(query_job), &job);
}

void FN(ffnn_query)(size_t n_layers, const size_t *sizes,
                    const REAL *const *weights, size_t n, const REAL *inputs,
                    REAL *outputs, REAL *work)
{
    FN(ffnn_query_pool)(n_layers, sizes, weights, n, inputs, outputs, work,
                        NULL);
}

/* The book's rescaling of a back-queried signal: shift to min 0, divide by
   the max, then map onto 0.01 .. 0.99. */
static void FN(rescale)(size_t n, REAL *v)
{
    REAL lo = v[0], hi;
    for (size_t i = 1; i < n; i++)
        if (v[i] < lo)
            lo = v[i];
    for (size_t i = 0; i < n; i++)
        v[i] -= lo;
    hi = v[0];
    for (size_t i = 1; i < n; i++)
        if (v[i] > hi)
            hi = v[i];
    if (hi > 0) {
        for (size_t i = 0; i < n; i++) {
            v[i] /= hi;
            v[i] *= (REAL)0.98;
            v[i] += (REAL)0.01;
        }
    } else {
        /* Equal entries leave nothing to divide by: put them mid-range. */
        for (size_t i = 0; i < n; i++)
            v[i] = (REAL)0.5;
    }
}

void FN(ffnn_backquery)(size_t n_layers, const size_t *sizes,
                        const REAL *const *weights, const REAL *target,
                        REAL *image, REAL *work)
{
    const struct FN(ffnn_kernels) *K = KERNELS;
    /* Signals of layer k live in the outputs part of work (or in image for
       the input layer), where a forward pass would put o_k. */
    size_t offset = 0;
    for (size_t k = 1; k < n_layers; k++)
        offset += sizes[k];
    REAL *signal = work + offset;
    K->logit(sizes[n_layers], target, signal);
    for (size_t k = n_layers; k >= 1; k--) {
        const size_t rows = sizes[k], cols = sizes[k - 1];
        REAL *below = k > 1 ? signal - cols : image;
        K->matvec_t(rows, cols, weights[k - 1], signal, below);
        FN(rescale)(cols, below);
        if (k > 1)
            K->logit(cols, below, below);
        signal = below;
    }
}

#undef KERNELS
#undef REAL
#undef SUFFIX
