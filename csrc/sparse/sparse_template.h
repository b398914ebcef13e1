/*
 * The sparse-offset first layer of a training run, for one precision;
 * included by core/network_template.h after its trainer and helpers, which
 * leaves REAL and SUFFIX defined (this file leaves them too).
 *
 * The inputs are x = b 1 + s with s zero at the background (b = 0.01 for
 * pixels, the given background for float inputs). With the layer's weights
 * held as W = V + u 1^T and r = V 1 (state_template.h), and g = lr d:
 *   forward  W x = b r + V[:, ink] s[ink] + u (1^T x)
 *   update   W += g x^T  is  u += b g, V[:, ink] += g s[ink]^T, r += g (1^T s)
 * so a step touches only V's columns at the ink. The update of a column
 * waits until the column is next read, and is joined with that read in one
 * sweep (state_template.h says why this changes no bit of V), so a step
 * reads and writes each column of its sample's ink once (ink_template.h).
 * Every FFNN_SPARSE_FOLD samples u is folded into V and r recomputed; in
 * exact arithmetic nothing changes.
 * Deeper layers stay dense.
 */
#ifndef REAL
#error "sparse_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "sparse_template.h needs SUFFIX (_f32 or _f64) defined"
#endif

#include <math.h>

#include "sparse/engine.h"
#include "template.h"

#include "sparse/state_template.h"
#include "sparse/ink_template.h"

/* Defined by network_template.h after this file, dispatching here. */
static void FN(first_layer_task)(void *ctx, size_t lo, size_t hi, int thread);

/* Whether a run takes the sparse first layer: 1 or 0, or
   -FFNN_ERROR_ENGINE when the schedule asks for it and the samples are
   neither pixels nor inputs with a known background. */
static int FN(sparse_chosen)(const ffnn_schedule *schedule, const size_t *sizes,
                             const ffnn_samples *samples)
{
    const REAL *inputs = (const REAL *)samples->inputs;
    const double background = samples->background;
    const int possible = samples->pixels != NULL ||
                         (inputs != NULL && background == background);
    size_t rows, ink;
    if (schedule->engine == FFNN_ENGINE_SPARSE)
        return possible ? 1 : -FFNN_ERROR_ENGINE;
    if (schedule->engine != FFNN_ENGINE_AUTO || !possible ||
        sizes[1] < FFNN_SPARSE_MIN_HIDDEN || schedule->count < FFNN_SPARSE_MIN_COUNT)
        return 0;
    rows = samples->rows < FFNN_SPARSE_SAMPLED ? samples->rows : FFNN_SPARSE_SAMPLED;
    ink = FN(ink_count)(samples->pixels, inputs, (REAL)background, sizes[0], rows);
    return ink * 256 <= sizes[0] * rows * FFNN_SPARSE_MAX_INK;
}

/* Units lo .. hi - 1 (a share of the layer's `hidden`) as whole groups of
   the working copy: consecutive shares stay consecutive. */
static size_t FN(sparse_unit)(const struct FN(sparse) *sp, size_t h)
{
    const size_t up = FN(sparse_round_up)(h);
    return up < sp->ld ? up : sp->ld;
}

/* The working copy of units lo .. hi - 1 made from the network's weights. */
static void FN(sparse_begin_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    const struct FN(trainer) *job = (const struct FN(trainer) *)ctx;
    struct FN(sparse) *sp = job->sparse;
    (void)thread;
    lo = FN(sparse_unit)(sp, lo);
    hi = FN(sparse_unit)(sp, hi);
    FN(sparse_load_weights)(sp, job->kernels, job->weights[0], lo, hi);
}

/* Start the sparse first layer of a run on job (status 0 or
   FFNN_ERROR_MEMORY, leaving job->sparse NULL). */
static int FN(sparse_begin)(struct FN(trainer) *job, struct FN(sparse) *sp,
                            double background)
{
    /* The book's scaling puts the pixel 0 at 0.01 (core/book.h). */
    const REAL b = job->pixels ? FN(book_input)(0) : (REAL)background;
    const int status = FN(sparse_create)(sp, job->sizes[0], job->sizes[1], b);
    if (status)
        return status;
    job->sparse = sp;
    job->k = 1;
    FN(run)(job, job->sizes[1], FN(sparse_begin_task));
    return 0;
}

/* load_sample's part for the sparse layer: sample s's ink, and this step's
   plan: a fold every FFNN_SPARSE_FOLD samples, after every pending update,
   before the forward pass. */
static void FN(sparse_load)(struct FN(trainer) *job, size_t s)
{
    struct FN(sparse) *sp = job->sparse;
    const size_t i = sample_at(job->order, s), n_in = sp->n_in;
    const uint8_t *p = job->pixels ? job->pixels + i * n_in : NULL;
    const REAL *x = job->pixels ? NULL : job->inputs + i * n_in;
    const double sum = p ? FN(ink_of_pixels)(n_in, p, sp->mask)
                         : FN(ink_of_inputs)(n_in, x, sp->b, sp->mask);
    sp->forward = 1;
    sp->store = 0;
    sp->prev_slot = sp->slot;
    sp->slot = s == 0 ? 0 : sp->slot + 1;
    sp->fold = sp->flush = sp->slot == FFNN_SPARSE_FOLD;
    if (sp->fold)
        sp->slot = 0;
    FN(sparse_lists)(sp, sp->flush, sp->mask, p, x, sp->slot);
    sp->sum_prev = sp->sum;
    sp->sum = (REAL)sum;
    sp->total = (REAL)((double)n_in * (double)sp->b + sum);
}

/* Units lo .. hi - 1 of layer 1 (first_layer_task's part): the last
   sample's g, its part of u and r, then the columns: at a fold every
   pending update and the fold; the forward pass through this sample's ink,
   each column taking its pending update in the same sweep; its sigmoid.
   At the end of a run, every pending update and the weights written back. */
static void FN(sparse_first_layer)(const struct FN(trainer) *job, size_t lo,
                                   size_t hi)
{
    struct FN(sparse) *sp = job->sparse;
    const struct FN(ffnn_kernels) *kernels = job->kernels;
    const struct FN(sparse_columns) *owing = &sp->lists[0], *fresh = &sp->lists[1];
    size_t end, h;
    REAL *v, *g, *ring, *z = sp->z;
    lo = FN(sparse_unit)(sp, lo);
    hi = FN(sparse_unit)(sp, hi);
    if (lo >= hi)
        return;
    end = hi < sp->hidden ? hi : sp->hidden;
    v = sp->v + lo;
    ring = sp->ring + lo;
    /* The forward pass's sums start from the parts that need no column,
       b r + u (1^T x), after the last sample's part of u and r (and any
       fold); the kernels add V[:, ink] s[ink]. */
    if (job->pending) {
        const REAL lr = job->lr, b = sp->b, sum = sp->sum_prev, total = sp->total;
        const int start = sp->forward && !sp->fold;
        g = sp->ring + sp->prev_slot * sp->ld;
        for (h = lo; h < end; h++) {
            const REAL gh = lr * job->deltas[h];
            const REAL uh = sp->u[h] + b * gh, rh = sp->r[h] + gh * sum;
            g[h] = gh;
            sp->u[h] = uh;
            sp->r[h] = rh;
            if (start)
                z[h] = b * rh + uh * total;
        }
        for (; h < hi; h++)
            g[h] = z[h] = 0; /* the padding units */
    }
    if (sp->flush)
        kernels->columns_update_dot(hi - lo, owing->n, owing->cols, owing->gs,
                                    v, ring, owing->a, NULL, NULL);
    if (sp->fold)
        FN(sparse_fold)(sp, kernels, lo, hi);
    if (sp->forward) {
        if (sp->fold || !job->pending)
            for (h = lo; h < hi; h++)
                z[h] = sp->b * sp->r[h] + sp->u[h] * sp->total;
        if (!sp->flush)
            kernels->columns_update_dot(hi - lo, owing->n, owing->cols,
                                        owing->gs, v, ring, owing->a, owing->x,
                                        z + lo);
        kernels->columns_update_dot(hi - lo, fresh->n, fresh->cols, NULL, v,
                                    NULL, NULL, fresh->x, z + lo);
    }
    if (sp->store)
        FN(sparse_store_weights)(sp, job->weights[0], lo, hi);
    if (sp->forward) {
        REAL *o = job->outputs;
        const REAL *bias = FN(layer_bias)(job->biases, 1);
        FN(add_bias)(end - lo, bias ? bias + lo : NULL, z + lo);
        FN(mark_non_finite)(end - lo, z + lo, job->errors + lo);
        kernels->sigmoid(end - lo, z + lo, o + lo);
    }
}

/* The end of a run: the last sample's update, every pending one, then
   W = V + u written back into the network's weights, and the working copy
   freed. */
static void FN(sparse_end)(struct FN(trainer) *job)
{
    struct FN(sparse) *sp = job->sparse;
    sp->forward = 0;
    sp->fold = 0;
    sp->flush = 1;
    sp->store = 1;
    sp->prev_slot = sp->slot;
    sp->sum_prev = sp->sum;
    FN(sparse_lists)(sp, 1, NULL, NULL, NULL, 0);
    job->k = 1;
    FN(run)(job, job->sizes[1], FN(first_layer_task));
    FN(sparse_free)(sp);
    job->sparse = NULL;
}

#undef FFNN_SPARSE_NONE
