/*
 * The whole-network code of one precision, included by net.c (after its
 * struct ffnn_net, PREFETCH, prefetch_bytes, input_stride, sample_at,
 * core/book.h, sparse/sparse.h and sparse/pixel_query.h) as template.h
 * describes.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64).
 * Defines, all static, each with SUFFIX pasted on (net.c declares each by
 *   its full name): train (ffnn_train's work), query (ffnn_query_engine's),
 *   backquery (ffnn_backquery's); the trainer and querier structs and
 *   their tasks.
 * Undefines REAL and SUFFIX at the end.
 *
 * Work space layout (work_size elements), N = sizes[1] + ... +
 * sizes[n_layers]: outputs o_k of every layer k >= 1 (N), their errors e_k
 * (N), their deltas d_k (N), three input vectors on cache lines, one target
 * vector, then, for a batch query, a block of FFNN_QUERY_BLOCK scaled
 * pixel inputs and two blocks of FFNN_QUERY_BLOCK hidden activations.
 */
#ifndef REAL
#error "network_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "network_template.h needs SUFFIX (_f32 or _f64) defined"
#endif

#include "template.h"

/* Everything a training run needs; its tasks read it from every thread. */
struct FN(trainer) {
    size_t n_layers;
    const size_t *sizes;
    REAL *const *weights;
    REAL *const *biases; /* NULL: no bias nodes */
    REAL lr;
    int rule;
    const uint8_t *pixels;
    const REAL *inputs, *targets;
    const int64_t *labels, *order;
    size_t count;
    REAL *outputs, *errors, *deltas, *xbuf, *t;
    const REAL *x, *x_prev; /* this sample's input (NULL: none), the last one's */
    const uint8_t *p_next;  /* the next sample's pixels, to be scaled ... */
    REAL *x_next;           /* ... into this buffer by layer 1's task (or NULL) */
    REAL scale[256];        /* the scaled input of each pixel value */
    int pending;            /* layer 1 still owes x_prev's update */
    size_t k;               /* the layer of the current task */
    REAL *o, *e, *d;        /* layer k's outputs, errors, deltas */
    ffnn_pool *pool;
    const struct FN(ffnn_kernels) * kernels;
    struct FN(ffnn_sparse) *sparse; /* the sparse first layer (sparse/sparse.h), or NULL */
    int parts;              /* the sparse engine's parts: 2 with a helper */
    int helped;             /* part 1 is the helper's (else this thread's) */
    size_t s, row;          /* the step under way, its sample */
    struct handover *handover; /* with a helper: where the threads meet */
    double total;
};

/* Run task(job, lo, hi) over n items of layer k (pool/pool.h). */
static void FN(run)(struct FN(trainer) *job, size_t n, ffnn_pool_task *task)
{
    const size_t k = job->k;
    ffnn_pool_run(job->pool, n, job->sizes[k] * job->sizes[k - 1], task, job);
}

/* The book's scaling of each pixel value (core/book.h) worked out once: a
   look-up is far cheaper than a division per pixel. */
static void FN(fill_scale_table)(REAL *table)
{
    for (int v = 0; v < 256; v++)
        table[v] = FN(book_input)((REAL)v);
}

/* Inputs lo .. hi - 1 from pixels, through the scaling table. */
static void FN(scale_pixels)(const REAL *table, const uint8_t *p, REAL *x,
                             size_t lo, size_t hi)
{
    for (size_t c = lo; c < hi; c++)
        x[c] = table[p[c]];
}

/* mark = s - s for the weighted sums s: 0 where s is finite, NaN where it
   is not, which the sigmoid would hide as 0 or 1. A non-finite weight always
   makes its row's sum non-finite (inf * 0 is NaN). The marks go where this
   step's errors will be, unused until the backward pass; each task writes
   only its own rows, and step() reads them all. */
static void FN(mark_non_finite)(size_t n, const REAL *s, REAL *mark)
{
    for (size_t j = 0; j < n; j++)
        mark[j] = s[j] - s[j];
}

/* s += b on n entries, where the network has bias nodes (b not NULL). */
static void FN(add_bias)(size_t n, const REAL *b, REAL *s)
{
    if (b)
        for (size_t j = 0; j < n; j++)
            s[j] += b[j];
}

/* Layer k's bias vector (k >= 1), or NULL. */
static const REAL *FN(layer_bias)(REAL *const *biases, size_t k)
{
    return biases ? biases[k - 1] : NULL;
}

/* Units lo .. hi - 1 of layer 1 from their weighted sums s (either
   engine's): o_1 = sigmoid(s (+ b_1)), the sums' non-finite marks kept. */
static void FN(first_layer_outputs)(const struct FN(trainer) *job, size_t lo,
                                    size_t hi, REAL *s)
{
    const REAL *b = FN(layer_bias)(job->biases, 1);
    FN(add_bias)(hi - lo, b ? b + lo : NULL, s);
    FN(mark_non_finite)(hi - lo, s, job->errors + lo);
    job->kernels->sigmoid(hi - lo, s, job->outputs + lo);
}

/* Rows lo .. hi - 1 of layer 1: the pending update, then (if there is a
   new input) the forward pass through the updated rows, in one sweep; and
   the matching share of the next sample's pixels scaled, so that no thread
   waits while one does it all. */
static void FN(first_layer_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    const struct FN(trainer) *job = (const struct FN(trainer) *)ctx;
    const size_t cols = job->sizes[0], rows = job->sizes[1];
    REAL *o = job->x ? job->outputs + lo : NULL;
    (void)thread;
    job->kernels->update_matvec(hi - lo, cols, job->weights[0] + lo * cols,
                                job->lr, job->pending ? job->deltas + lo : NULL,
                                job->x_prev, job->x, o);
    if (o)
        FN(first_layer_outputs)(job, lo, hi, o);
    if (job->x_next)
        FN(scale_pixels)(job->scale, job->p_next, job->x_next,
                         cols * lo / rows, cols * hi / rows);
}

/* Part `part` of the sparse engine's first layer for this step (the units
   it owns), finished as a dense layer's. */
static void FN(sparse_units)(const struct FN(trainer) *job, int part)
{
    size_t first, last;
    REAL *s = FN(ffnn_sparse_first_layer)(job->sparse, part, job->pending, &first, &last);
    if (s)
        FN(first_layer_outputs)(job, first, last, s);
}

/* Whether the helper has finished part 1 of step s (s == count: its last
   pass); 0 once this thread has taken part 1 over, the helper having
   lost its core (see struct handover). */
static int FN(helper_done)(struct FN(trainer) *job, size_t s)
{
    ffnn_pool_mark *at = &job->handover->at;
    long long seen = ffnn_pool_mark_get(at);
    /* The helper may already be on to the next step. */
    for (long round = 0; seen < HELPER_FREE(s + 1); round++) {
        const int idle = seen == HELPER_FREE(s) || seen == HELPER_LISTED(s);
        if (idle && round >= HELPER_GRACE && ffnn_pool_mark_claim(at, seen, HELPER_GONE)) {
            if (seen == HELPER_FREE(0)) /* the helper never came */
                FN(ffnn_sparse_own)(job->sparse, 1);
            if (seen == HELPER_FREE(s) && s < job->count)
                FN(ffnn_sparse_load)(job->sparse, 1, s, job->row);
            return 0;
        }
        ffnn_pool_pause(round);
        seen = ffnn_pool_mark_get(at);
    }
    return 1;
}

/* Layer 1 with the sparse engine: this thread's part; in two parts the
   helper's part too, waited for, or computed here once taken over. */
static void FN(sparse_first_layer)(struct FN(trainer) *job)
{
    FN(sparse_units)(job, 0);
    if (job->parts == 2 && job->helped)
        job->helped = FN(helper_done)(job, job->s);
    if (job->parts == 2 && !job->helped)
        FN(sparse_units)(job, 1);
}

/*
 * The helper's side of a run of the sparse engine in two parts, for the
 * whole call (lent by ffnn_pool_lend): part 1's working copy, then at each
 * step its sample's ink listed (while the caller still runs the last
 * step's later layers), the wait for the last step's deltas, its units,
 * and its outputs handed over; at the end its units' last pass. It stops
 * where the caller has taken part 1 over (struct handover). Works from
 * its own copy of what it reads of the trainer, whose other fields the
 * caller writes at every step.
 */
static void FN(sparse_helper_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    const struct FN(trainer) *job = (const struct FN(trainer) *)ctx;
    struct handover *handover = job->handover;
    ffnn_pool_mark *at = &handover->at;
    struct FN(trainer) mine;
    (void)lo;
    (void)hi;
    (void)thread;
    mine.sizes = job->sizes;
    mine.biases = job->biases;
    mine.outputs = job->outputs;
    mine.errors = job->errors;
    mine.kernels = job->kernels;
    mine.order = job->order;
    mine.count = job->count;
    mine.sparse = job->sparse;
    for (size_t s = 0; s < mine.count; s++) {
        if (!ffnn_pool_mark_claim(at, HELPER_FREE(s), HELPER_LISTING(s)))
            return;
        if (s == 0) /* claimed first, so that the caller waits for it */
            FN(ffnn_sparse_own)(mine.sparse, 1);
        FN(ffnn_sparse_load)(mine.sparse, 1, s, sample_at(mine.order, s));
        ffnn_pool_mark_set(at, HELPER_LISTED(s));
        mine.pending = s > 0;
        if (s > 0)
            ffnn_pool_mark_wait(&handover->steps, (long long)s + 1);
        if (!ffnn_pool_mark_claim(at, HELPER_LISTED(s), HELPER_RUNNING(s)))
            return;
        FN(sparse_units)(&mine, 1);
        ffnn_pool_mark_set(at, HELPER_FREE(s + 1));
    }
    ffnn_pool_mark_wait(&handover->steps, (long long)mine.count + 1);
    if (!ffnn_pool_mark_claim(at, HELPER_FREE(mine.count), HELPER_RUNNING(mine.count)))
        return;
    FN(ffnn_sparse_last_pass)(mine.sparse, 1);
    ffnn_pool_mark_set(at, HELPER_FREE(mine.count + 1));
}

/* Rows lo .. hi - 1 of layer k >= 2 forwards: o_k = sigmoid(W_k o_{k-1} (+ b_k)). */
static void FN(forward_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    const struct FN(trainer) *job = (const struct FN(trainer) *)ctx;
    const size_t cols = job->sizes[job->k - 1];
    const REAL *b = FN(layer_bias)(job->biases, job->k);
    (void)thread;
    job->kernels->matvec(hi - lo, cols, job->weights[job->k - 1] + lo * cols,
                         job->o - cols, job->o + lo);
    FN(add_bias)(hi - lo, b ? b + lo : NULL, job->o + lo);
    FN(mark_non_finite)(hi - lo, job->o + lo, job->errors + (job->o - job->outputs) + lo);
    job->kernels->sigmoid(hi - lo, job->o + lo, job->o + lo);
}

/* Columns lo .. hi - 1 of layer k >= 2 backwards: the errors of the layer
   below through W_k as it was (the book passes down raw errors, the exact
   rules deltas), fused with W_k += lr * d_k outer o_{k-1}. */
static void FN(backward_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    const struct FN(trainer) *job = (const struct FN(trainer) *)ctx;
    const size_t rows = job->sizes[job->k], cols = job->sizes[job->k - 1];
    (void)thread;
    job->kernels->matvec_t_update(rows, cols, lo, hi, job->weights[job->k - 1],
                                  job->rule == FFNN_RULE_BOOK ? job->e : job->d,
                                  job->lr, job->d, job->o - cols, job->e - cols);
}

/* d = e * o * (1 - o) on n entries. */
static void FN(delta)(size_t n, const REAL *e, const REAL *o, REAL *d)
{
    for (size_t j = 0; j < n; j++)
        d[j] = e[j] * o[j] * (1 - o[j]);
}

/*
 * One training step on the sample loaded into job->x. Layer 1's update is
 * postponed to the next step's forward pass, where one sweep over W_1 adds
 * lr * d_1 outer x_prev to each row and then takes its dot product with the
 * new input: the same operations on the same values as the book's
 * update-then-forward.
 */
static void FN(step)(struct FN(trainer) *job)
{
    const size_t L = job->n_layers, *sizes = job->sizes;
    const size_t n_nodes = (size_t)(job->errors - job->outputs);

    job->k = 1;
    if (job->sparse)
        FN(sparse_first_layer)(job);
    else
        FN(run)(job, sizes[1], FN(first_layer_task));
    job->o = job->outputs;
    for (size_t k = 2; k <= L; k++) {
        job->k = k;
        job->o += sizes[k - 1];
        FN(run)(job, sizes[k], FN(forward_task));
    }

    const int finite = FN(ffnn_all_finite)(n_nodes, job->errors);

    /* Output errors and deltas; cross-entropy's delta is the error itself. */
    job->e = job->errors + n_nodes - sizes[L];
    job->d = job->deltas + n_nodes - sizes[L];
    REAL sq_error = 0;
    for (size_t j = 0; j < sizes[L]; j++) {
        job->e[j] = job->t[j] - job->o[j];
        sq_error += job->e[j] * job->e[j];
    }
    /* NaN tells the caller the weights are not finite (see ffnn.h). */
    job->total += finite ? (double)sq_error : (double)NAN;
    if (job->rule == FFNN_RULE_CROSS_ENTROPY)
        for (size_t j = 0; j < sizes[L]; j++)
            job->d[j] = job->e[j];
    else
        FN(delta)(sizes[L], job->e, job->o, job->d);

    for (size_t k = L; k >= 2; k--) {
        job->k = k;
        FN(run)(job, sizes[k - 1], FN(backward_task));
        job->o -= sizes[k - 1];
        job->e -= sizes[k - 1];
        job->d -= sizes[k - 1];
        FN(delta)(sizes[k - 1], job->e, job->o, job->d);
    }
    /* Each bias is a weight whose input is always 1: b_k += lr * d_k, here
       for every layer at once (layer 1's weights wait for the next forward
       pass, but its biases need not). Few values: not worth the threads. */
    if (job->biases) {
        const REAL *d = job->deltas;
        for (size_t k = 1; k <= L; k++) {
            REAL *b = job->biases[k - 1];
            for (size_t j = 0; j < sizes[k]; j++)
                b[j] += job->lr * d[j];
            d += sizes[k];
        }
    }
    job->pending = 1;
    job->x_prev = job->x;
    /* The helper's next step may start: it needs these deltas and biases. */
    if (job->parts == 2)
        ffnn_pool_mark_set(&job->handover->steps, (long long)job->s + 2);
}

/* Point job->x at sample s's input and job->t at its target. Pixels go
   through three buffers in turn: the last sample's input (layer 1 still
   owes its update), this one's, and the next one's, which layer 1's task
   fills (only the first sample of a run is scaled here). */
static void FN(load_sample)(struct FN(trainer) *job, size_t s)
{
    const size_t n_in = job->sizes[0], n_out = job->sizes[job->n_layers];
    const size_t i = sample_at(job->order, s), stride = input_stride(n_in);
    /* The data of the samples after this one arrives while it trains. */
    for (size_t ahead = s == 0 ? 1 : 2; ahead <= 2 && s + ahead < job->count; ahead++) {
        const size_t next = sample_at(job->order, s + ahead);
        if (job->pixels)
            prefetch_bytes(job->pixels + next * n_in, n_in);
        else
            prefetch_bytes(job->inputs + next * n_in, n_in * sizeof(REAL));
        if (job->targets)
            prefetch_bytes(job->targets + next * n_out, n_out * sizeof(REAL));
        else
            PREFETCH(job->labels + next);
    }
    job->x_next = NULL;
    if (job->sparse) {
        job->row = i;
        FN(ffnn_sparse_load)(job->sparse, 0, s, i);
        if (job->parts == 2 && !job->helped)
            FN(ffnn_sparse_load)(job->sparse, 1, s, i);
    } else if (job->pixels) {
        REAL *x = job->xbuf + (s % 3) * stride;
        if (s == 0)
            FN(scale_pixels)(job->scale, job->pixels + i * n_in, x, 0, n_in);
        if (s + 1 < job->count) {
            job->x_next = job->xbuf + ((s + 1) % 3) * stride;
            job->p_next = job->pixels + sample_at(job->order, s + 1) * n_in;
        }
        job->x = x;
    } else {
        job->x = job->inputs + i * n_in;
    }
    if (job->targets) {
        job->t = (REAL *)(job->targets + i * n_out);
    } else {
        REAL *t = job->xbuf + 3 * stride;
        FN(book_target)(n_out, job->labels[i], t);
        job->t = t;
    }
}

/* The sparse engine for the run, in two parts when a helper is lent for
   the call (the pool's policy and a free helper decide), else one; this
   thread's part's working copy made. The engine is made first, so that a
   helper starts on its part as soon as it comes. FFNN_OK, or begin's
   FFNN_ERROR_MEMORY. *asked: 0, or 1 if the pool was asked for a helper
   and 2 if it lent one, which FN(end_sparse) closes. */
static int FN(start_sparse)(struct FN(trainer) *job,
                            const struct FN(ffnn_sparse_layer) *layer, int *asked)
{
    int status;
    ffnn_pool_mark_set(&job->handover->steps, 0);
    ffnn_pool_mark_set(&job->handover->at, HELPER_FREE(0));
    *asked = FN(ffnn_sparse_split)(layer->hidden) != 0;
    status = FN(ffnn_sparse_begin)(&job->sparse, layer,
                                   *asked && ffnn_pool_lend_wanted(job->pool, job->count) ? 2 : 1);
    if (status != FFNN_OK)
        return status;
    job->parts = FN(ffnn_sparse_parts)(job->sparse);
    job->helped = job->parts == 2 && ffnn_pool_lend(job->pool, FN(sparse_helper_task), job);
    *asked += job->helped;
    if (job->helped) {
        FN(ffnn_sparse_own)(job->sparse, 0);
    } else if (job->parts == 2) {
        /* Still two parts, both this thread's, without the memory for one. */
        FN(ffnn_sparse_alone)(job->sparse);
        job->parts = FN(ffnn_sparse_parts)(job->sparse);
    }
    return FFNN_OK;
}

/* The sparse engine's end: with a helper, this thread's part's last pass,
   the wait for the helper's; the weights written back, the engine freed. */
static void FN(end_sparse)(struct FN(trainer) *job, int asked)
{
    if (job->parts == 2) {
        FN(ffnn_sparse_last_pass)(job->sparse, 0);
        if (!job->helped || !FN(helper_done)(job, job->count))
            FN(ffnn_sparse_last_pass)(job->sparse, 1);
    }
    if (asked)
        ffnn_pool_lend_end(job->pool, asked == 2);
    FN(ffnn_sparse_end)(job->sparse);
    job->sparse = NULL;
}

/* ffnn_train's work, once net.c has checked the samples and schedule
   (count >= 1): the trainer set up, then load_sample and step per sample.
   *status: FFNN_OK, or FFNN_ERROR_ENGINE / FFNN_ERROR_MEMORY from the
   choice of the first layer's engine, before any weight changes. */
static double FN(train)(const ffnn_net *net, const ffnn_samples *samples,
                        const ffnn_schedule *schedule, int *status)
{
    struct FN(trainer) job;
    struct handover handover;
    const size_t n_layers = net->n_layers, *sizes = net->sizes;
    REAL *work = (REAL *)net->work;
    int sparse = 0, asked = 0;
    size_t n_nodes = 0;
    for (size_t k = 1; k <= n_layers; k++)
        n_nodes += sizes[k];
    job.n_layers = n_layers;
    job.sizes = sizes;
    job.weights = (REAL *const *)net->weights;
    job.biases = (REAL *const *)net->biases;
    job.lr = (REAL)schedule->learning_rate;
    job.rule = schedule->rule;
    job.pixels = samples->pixels;
    if (job.pixels)
        FN(fill_scale_table)(job.scale);
    job.inputs = (const REAL *)samples->inputs;
    job.targets = (const REAL *)samples->targets;
    job.labels = samples->labels;
    job.order = schedule->order;
    job.count = schedule->count;
    job.outputs = work;
    job.errors = work + n_nodes;
    job.deltas = work + 2 * n_nodes;
    job.xbuf = (REAL *)ffnn_cache_aligned(work + 3 * n_nodes);
    job.x = job.x_prev = NULL;
    job.x_next = NULL;
    job.p_next = NULL;
    job.t = NULL;
    job.pending = 0;
    job.o = job.e = job.d = NULL;
    job.pool = net->pool;
    job.kernels = FN(ffnn_kernels_active)();
    job.sparse = NULL;
    job.parts = 1;
    job.helped = 0;
    job.s = job.row = 0;
    job.handover = &handover;
    job.total = 0;
    *status = FN(ffnn_sparse_choose)(schedule, sizes, samples, &sparse);
    if (*status == FFNN_OK && sparse) {
        struct FN(ffnn_sparse_layer) layer;
        layer.n_in = sizes[0];
        layer.hidden = sizes[1];
        layer.weights = job.weights[0];
        layer.lr = job.lr;
        layer.pixels = job.pixels;
        layer.inputs = job.inputs;
        /* The book's scaling puts the pixel 0 at 0.01 (core/book.h). */
        layer.background = job.pixels ? FN(book_input)(0) : (REAL)samples->background;
        layer.deltas = job.deltas;
        layer.pool = job.pool;
        layer.kernels = job.kernels;
        *status = FN(start_sparse)(&job, &layer, &asked);
        /* Without the memory for it, the dense engine does the same work. */
        if (*status != FFNN_OK && schedule->engine == FFNN_ENGINE_AUTO)
            *status = FFNN_OK;
    }
    if (*status != FFNN_OK)
        return 0;
    for (size_t s = 0; s < job.count; s++) {
        job.s = s;
        FN(load_sample)(&job, s);
        FN(step)(&job);
    }
    /* The last sample's update of layer 1, with no forward pass to join. */
    job.x = NULL;
    job.x_next = NULL;
    job.k = 1;
    if (job.sparse)
        FN(end_sparse)(&job, asked);
    else
        FN(run)(&job, sizes[1], FN(first_layer_task));
    return job.total;
}

/* A batch query: blocks of samples are shared out between the threads,
   each with its own work space. */
struct FN(querier) {
    size_t n_layers;
    const size_t *sizes;
    const REAL *const *weights;
    const REAL *const *biases; /* NULL: no bias nodes */
    size_t work_size, widest;
    const REAL *inputs;
    const uint8_t *pixels;     /* instead of inputs: scaled a block at a time */
    const struct FN(ffnn_pixel_query) * pixel_layer; /* or layer 1 by this */
    REAL *outputs, *work;
    const struct FN(ffnn_kernels) * kernels;
    REAL scale[256];           /* the scaled input of each pixel value */
};

/* Samples lo .. hi - 1 through every layer, FFNN_QUERY_BLOCK at a time so
   their activations stay in cache. */
static void FN(query_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    const struct FN(querier) *job = (const struct FN(querier) *)ctx;
    const size_t L = job->n_layers, *sizes = job->sizes;
    const size_t n_in = sizes[0], n_out = sizes[L];
    /* The hidden blocks are the last part of this thread's work space,
       the block of scaled pixels right before them. */
    REAL *blocks = job->work + ((size_t)thread + 1) * job->work_size -
                   2 * FFNN_QUERY_BLOCK * job->widest;
    REAL *scaled = blocks - FFNN_QUERY_BLOCK * n_in;
    for (size_t s = lo; s < hi; s += FFNN_QUERY_BLOCK) {
        const size_t nb = hi - s < FFNN_QUERY_BLOCK ? hi - s : FFNN_QUERY_BLOCK;
        const REAL *in = job->inputs + s * n_in;
        if (job->pixel_layer) {
            in = NULL;
        } else if (job->pixels) {
            FN(scale_pixels)(job->scale, job->pixels + s * n_in, scaled, 0,
                             nb * n_in);
            in = scaled;
        }
        for (size_t k = 1; k <= L; k++) {
            REAL *out = k == L ? job->outputs + s * n_out
                               : blocks + (k % 2) * FFNN_QUERY_BLOCK * job->widest;
            if (k == 1 && job->pixel_layer)
                FN(ffnn_pixel_query_layer)(job->pixel_layer, nb,
                                           job->pixels + s * n_in, out, thread);
            else
                job->kernels->matmat(nb, sizes[k], sizes[k - 1],
                                     job->weights[k - 1], in, out);
            if (job->biases)
                for (size_t i = 0; i < nb; i++)
                    FN(add_bias)(sizes[k], job->biases[k - 1], out + i * sizes[k]);
            job->kernels->sigmoid(nb * sizes[k], out, out);
            in = out;
        }
    }
}

/* ffnn_query's work, once net.c has checked the samples: blocks of
   samples shared out between the threads, each with its own work space
   (threads x work_size elements); pixels' first layer from their ink where
   `engine` and sparse/pixel_query.h's plan say so. FFNN_OK or the plan's
   error. */
static int FN(query)(const ffnn_net *net, const ffnn_samples *samples,
                     int engine, REAL *outputs, REAL *work)
{
    struct FN(querier) job;
    struct FN(ffnn_pixel_query) *plan = NULL;
    const size_t n = samples->rows, n_layers = net->n_layers;
    job.n_layers = n_layers;
    job.sizes = net->sizes;
    job.weights = (const REAL *const *)net->weights;
    job.biases = (const REAL *const *)net->biases;
    job.work_size = net->work_size;
    job.widest = widest_hidden(n_layers, net->sizes);
    job.inputs = (const REAL *)samples->inputs;
    job.pixels = samples->pixels;
    if (job.pixels) {
        int status;
        FN(fill_scale_table)(job.scale);
        status = FN(ffnn_pixel_query_create)(
            &plan, net->sizes[1], net->sizes[0], (const REAL *)net->weights[0],
            job.scale, n, job.pixels, engine, net->pool);
        if (status != FFNN_OK)
            return status;
    } else if (engine == FFNN_ENGINE_SPARSE) {
        return FFNN_ERROR_ENGINE;
    }
    job.pixel_layer = plan;
    job.outputs = outputs;
    job.work = work;
    job.kernels = FN(ffnn_kernels_active)();
    ffnn_pool_share(net->pool, n, (n + FFNN_QUERY_BLOCK - 1) / FFNN_QUERY_BLOCK,
                    FN(query_task), &job);
    FN(ffnn_pixel_query_free)(plan);
    return FFNN_OK;
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

/* ffnn_backquery's work (see ffnn.h), in work_size elements of work. */
static void FN(backquery)(const ffnn_net *net, const REAL *target,
                          REAL *image, REAL *work)
{
    const size_t n_layers = net->n_layers, *sizes = net->sizes;
    const REAL *const *weights = (const REAL *const *)net->weights;
    const REAL *const *biases = (const REAL *const *)net->biases;
    const struct FN(ffnn_kernels) *K = FN(ffnn_kernels_active)();
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
        /* Undo o = sigmoid(W h + b): the weighted sum is logit(o) - b. */
        if (biases)
            for (size_t j = 0; j < rows; j++)
                signal[j] -= biases[k - 1][j];
        K->matvec_t(rows, cols, weights[k - 1], signal, below);
        FN(rescale)(cols, below);
        if (k > 1)
            K->logit(cols, below, below);
        signal = below;
    }
}

#undef REAL
#undef SUFFIX
