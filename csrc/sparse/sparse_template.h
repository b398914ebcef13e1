/*
 * The sparse training engine's entry points (sparse.h) for one precision;
 * included by sparse.c as template.h describes, after state_template.h and
 * ink_template.h of the same precision, whose helpers it calls.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64).
 * Defines, each with SUFFIX pasted on: ffnn_sparse_choose,
 *   ffnn_sparse_begin, ffnn_sparse_load, ffnn_sparse_first_layer,
 *   ffnn_sparse_end; static: sparse_unit and the pool's tasks.
 * Undefines REAL and SUFFIX at the end.
 */
#ifndef REAL
#error "sparse_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "sparse_template.h needs SUFFIX (_f32 or _f64) defined"
#endif

#include "template.h"

int FN(ffnn_sparse_choose)(const ffnn_schedule *schedule, const size_t *sizes,
                           const ffnn_samples *samples, int *sparse)
{
    const REAL *inputs = (const REAL *)samples->inputs;
    const double background = samples->background;
    const int possible = samples->pixels != NULL ||
                         (inputs != NULL && background == background);
    size_t rows, ink;
    *sparse = 0;
    if (schedule->engine == FFNN_ENGINE_SPARSE) {
        if (!possible)
            return FFNN_ERROR_ENGINE;
        *sparse = 1;
        return FFNN_OK;
    }
    if (schedule->engine != FFNN_ENGINE_AUTO || !possible ||
        sizes[1] < FFNN_SPARSE_MIN_HIDDEN || schedule->count < FFNN_SPARSE_MIN_COUNT)
        return FFNN_OK;
    rows = samples->rows < FFNN_SPARSE_SAMPLED ? samples->rows : FFNN_SPARSE_SAMPLED;
    ink = FN(ink_count)(samples->pixels, inputs, (REAL)background, sizes[0], rows);
    *sparse = ink * 256 <= sizes[0] * rows * FFNN_SPARSE_MAX_INK;
    return FFNN_OK;
}

/* Units lo .. hi - 1 (a share of the layer's `hidden`) as whole groups of
   the working copy: consecutive shares stay consecutive. */
static size_t FN(sparse_unit)(const struct FN(ffnn_sparse) *sp, size_t h)
{
    const size_t up = FN(sparse_round_up)(h);
    return up < sp->ld ? up : sp->ld;
}

/* The working copy of units lo .. hi - 1 made from the network's weights. */
static void FN(sparse_begin_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    struct FN(ffnn_sparse) *sp = (struct FN(ffnn_sparse) *)ctx;
    (void)thread;
    lo = FN(sparse_unit)(sp, lo);
    hi = FN(sparse_unit)(sp, hi);
    FN(sparse_load_weights)(sp, sp->layer.kernels, sp->layer.weights, lo, hi);
}

int FN(ffnn_sparse_begin)(struct FN(ffnn_sparse) **engine,
                          const struct FN(ffnn_sparse_layer) *layer)
{
    struct FN(ffnn_sparse) *sp;
    int status;
    *engine = NULL;
    sp = (struct FN(ffnn_sparse) *)malloc(sizeof *sp);
    if (!sp)
        return FFNN_ERROR_MEMORY;
    status = FN(sparse_create)(sp, layer->n_in, layer->hidden, layer->background);
    if (status) {
        free(sp);
        return status;
    }
    sp->layer = *layer;
    ffnn_pool_run(layer->pool, layer->hidden, layer->hidden * layer->n_in,
                  FN(sparse_begin_task), sp);
    *engine = sp;
    return FFNN_OK;
}

void FN(ffnn_sparse_load)(struct FN(ffnn_sparse) *sp, size_t s, size_t row)
{
    const size_t n_in = sp->n_in;
    const uint8_t *p = sp->layer.pixels ? sp->layer.pixels + row * n_in : NULL;
    const REAL *x = sp->layer.pixels ? NULL : sp->layer.inputs + row * n_in;
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

REAL *FN(ffnn_sparse_first_layer)(struct FN(ffnn_sparse) *sp, int pending,
                                  size_t *first, size_t *last)
{
    const struct FN(ffnn_kernels) *kernels = sp->layer.kernels;
    const struct FN(sparse_columns) *owing = &sp->lists[0], *fresh = &sp->lists[1];
    size_t end, h, lo, hi;
    REAL *v, *g, *ring, *z = sp->z;
    lo = FN(sparse_unit)(sp, *first);
    hi = FN(sparse_unit)(sp, *last);
    if (lo >= hi)
        return NULL;
    end = hi < sp->hidden ? hi : sp->hidden;
    v = sp->v + lo;
    ring = sp->ring + lo;
    /* The forward pass's sums start from the parts that need no column,
       b r + u (1^T x), after the last sample's part of u and r (and any
       fold); the kernels add V[:, ink] s[ink]. */
    if (pending) {
        const REAL lr = sp->layer.lr, b = sp->b, sum = sp->sum_prev, total = sp->total;
        const int start = sp->forward && !sp->fold;
        g = sp->ring + sp->prev_slot * sp->ld;
        for (h = lo; h < end; h++) {
            const REAL gh = lr * sp->layer.deltas[h];
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
        if (sp->fold || !pending)
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
        FN(sparse_store_weights)(sp, sp->layer.weights, lo, hi);
    if (!sp->forward)
        return NULL;
    *first = lo;
    *last = end;
    return z + lo;
}

/* The last pass of a run over units lo .. hi - 1: no forward pass. */
static void FN(sparse_end_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    (void)thread;
    FN(ffnn_sparse_first_layer)((struct FN(ffnn_sparse) *)ctx, 1, &lo, &hi);
}

void FN(ffnn_sparse_end)(struct FN(ffnn_sparse) *sp)
{
    const struct FN(ffnn_sparse_layer) layer = sp->layer;
    sp->forward = 0;
    sp->fold = 0;
    sp->flush = 1;
    sp->store = 1;
    sp->prev_slot = sp->slot;
    sp->sum_prev = sp->sum;
    FN(sparse_lists)(sp, 1, NULL, NULL, NULL, 0);
    ffnn_pool_run(layer.pool, layer.hidden, layer.hidden * layer.n_in,
                  FN(sparse_end_task), sp);
    FN(sparse_free)(sp);
    free(sp);
}

#undef REAL
#undef SUFFIX
