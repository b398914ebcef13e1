/*
 * The sparse training engine's entry points (sparse.h) for one precision;
 * included by sparse.c as template.h describes, after state_template.h and
 * ink_template.h of the same precision, whose helpers it calls.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64).
 * Defines, each with SUFFIX pasted on: ffnn_sparse_choose,
 *   ffnn_sparse_split, ffnn_sparse_begin, ffnn_sparse_alone, ffnn_sparse_parts,
 *   ffnn_sparse_own, ffnn_sparse_load, ffnn_sparse_first_layer,
 *   ffnn_sparse_last_pass, ffnn_sparse_end; static: sparse_unit,
 *   sparse_pass, sparse_plan_end and the pool's tasks.
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

/* Part 0 of a run in two parts takes this share of the units (whole
   groups), less than half: besides its units, its thread lists its
   sample's ink while the other thread's lists are made as the step's
   later layers run. On 784-200-10 (full MNIST, always shared, best of 5,
   load 0.8) float32 and float64 took 2.36 and 3.86 us a step at 0.35,
   2.39 and 3.55 at 0.42, 2.38 and 3.75 at 0.5 (one thread: 3.1, 5.6). */
#ifndef FFNN_SPARSE_PART0_SHARE
#define FFNN_SPARSE_PART0_SHARE 0.42
#endif

size_t FN(ffnn_sparse_split)(size_t hidden)
{
    const size_t group = FN(sparse_round_up)(1);
    const size_t groups = FN(sparse_round_up)(hidden) / group;
    size_t first;
    if (groups < 2)
        return 0;
    first = (size_t)((double)groups * FFNN_SPARSE_PART0_SHARE + 0.5);
    if (first < 1)
        first = 1;
    if (first > groups - 1)
        first = groups - 1;
    return first * group;
}

/* The working copy of units lo .. hi - 1 made from the network's weights. */
static void FN(sparse_begin_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    struct FN(ffnn_sparse) *sp = (struct FN(ffnn_sparse) *)ctx;
    (void)thread;
    lo = FN(sparse_unit)(sp, lo);
    hi = FN(sparse_unit)(sp, hi);
    FN(sparse_load_weights)(sp, sp->part[0], sp->layer.kernels, sp->layer.weights, lo, hi);
}

int FN(ffnn_sparse_begin)(struct FN(ffnn_sparse) **engine,
                          const struct FN(ffnn_sparse_layer) *layer, int parts)
{
    struct FN(ffnn_sparse) *sp;
    const size_t split = parts == 2 ? FN(ffnn_sparse_split)(layer->hidden) : 0;
    int status;
    *engine = NULL;
    if (split == 0)
        parts = 1;
    sp = (struct FN(ffnn_sparse) *)malloc(sizeof *sp);
    if (!sp)
        return FFNN_ERROR_MEMORY;
    status = FN(sparse_create)(sp, layer->n_in, layer->hidden, layer->background,
                               parts, split);
    if (status) {
        free(sp);
        return status;
    }
    sp->layer = *layer;
    if (parts == 1)
        ffnn_pool_run(layer->pool, layer->hidden, layer->hidden * layer->n_in,
                      FN(sparse_begin_task), sp);
    *engine = sp;
    return FFNN_OK;
}

void FN(ffnn_sparse_alone)(struct FN(ffnn_sparse) *sp)
{
    const struct FN(ffnn_sparse_layer) *layer = &sp->layer;
    if (sp->parts == 2) {
        struct FN(sparse_part) *whole = FN(sparse_part_create)(sp->n_in, 0, sp->ld);
        if (whole) { /* else the caller runs both parts */
            FN(sparse_free)(sp);
            sp->part[0] = whole;
            sp->parts = 1;
        } else {
            FN(ffnn_sparse_own)(sp, 0);
            FN(ffnn_sparse_own)(sp, 1);
            return;
        }
    }
    ffnn_pool_run(layer->pool, layer->hidden, layer->hidden * layer->n_in,
                  FN(sparse_begin_task), sp);
}

int FN(ffnn_sparse_parts)(const struct FN(ffnn_sparse) *sp)
{
    return sp->parts;
}

void FN(ffnn_sparse_own)(struct FN(ffnn_sparse) *sp, int part)
{
    struct FN(sparse_part) *mine = sp->part[part];
    FN(sparse_load_weights)(sp, mine, sp->layer.kernels, sp->layer.weights, mine->lo,
                            mine->hi);
}

void FN(ffnn_sparse_load)(struct FN(ffnn_sparse) *sp, int part_index, size_t s,
                          size_t row)
{
    struct FN(sparse_part) *part = sp->part[part_index];
    const size_t n_in = sp->n_in;
    const uint8_t *p = sp->layer.pixels ? sp->layer.pixels + row * n_in : NULL;
    const REAL *x = sp->layer.pixels ? NULL : sp->layer.inputs + row * n_in;
    const double sum = p ? FN(ink_of_pixels)(n_in, p, part->mask)
                         : FN(ink_of_inputs)(n_in, x, sp->b, part->mask);
    part->forward = 1;
    part->store = 0;
    part->prev_slot = part->slot;
    part->slot = s == 0 ? 0 : part->slot + 1;
    part->fold = part->flush = part->slot == FFNN_SPARSE_FOLD;
    if (part->fold)
        part->slot = 0;
    FN(sparse_lists)(sp, part, part->flush, part->mask, p, x, part->slot);
    part->sum_prev = part->sum;
    part->sum = (REAL)sum;
    part->total = (REAL)((double)n_in * (double)sp->b + sum);
}

/* Units lo .. hi - 1 (whole groups, within the part's) of a step by the
   part's plan: the last sample's update when `pending` (its deltas at
   layer.deltas), its part of u and r, then the columns: at a fold every
   pending update and the fold; the forward pass through this sample's
   ink, each column taking its pending update in the same sweep; at the
   end of a run, W written back. */
static void FN(sparse_pass)(struct FN(ffnn_sparse) *sp, struct FN(sparse_part) *part,
                            int pending, size_t lo, size_t hi)
{
    const struct FN(ffnn_kernels) *kernels = sp->layer.kernels;
    const struct FN(sparse_columns) *owing = &part->lists[0], *fresh = &part->lists[1];
    const size_t end = hi < sp->hidden ? hi : sp->hidden, j0 = lo - part->lo;
    const REAL *deltas = sp->layer.deltas + part->lo;
    REAL *v = part->v + j0, *ring = part->ring + j0, *z = part->z, *u = part->u,
         *r = part->r;
    size_t j;
    if (lo >= hi)
        return;
    /* Unit h is at j = h - part->lo of the part's vectors. The forward
       pass's sums start from the parts that need no column, b r + u (1^T
       x), after the last sample's part of u and r (and any fold); the
       kernels add V[:, ink] s[ink]. */
    if (pending) {
        const REAL lr = sp->layer.lr, b = sp->b, sum = part->sum_prev,
                   total = part->total;
        const size_t n = end - part->lo;
        /* Distinct vectors of the part's block: restrict lets the compiler
           take them whole vectors at a time without checks. */
        REAL *FFNN_RESTRICT g = part->ring + part->prev_slot * part->ld;
        REAL *FFNN_RESTRICT uu = u, *FFNN_RESTRICT rr = r, *FFNN_RESTRICT zz = z;
        const REAL *FFNN_RESTRICT dd = deltas;
        if (part->forward && !part->fold) {
            for (j = j0; j < n; j++) {
                const REAL gh = lr * dd[j];
                const REAL uh = uu[j] + b * gh, rh = rr[j] + gh * sum;
                g[j] = gh;
                uu[j] = uh;
                rr[j] = rh;
                zz[j] = b * rh + uh * total;
            }
        } else {
            for (j = j0; j < n; j++) {
                const REAL gh = lr * dd[j];
                g[j] = gh;
                uu[j] = uu[j] + b * gh;
                rr[j] = rr[j] + gh * sum;
            }
        }
        for (; j < hi - part->lo; j++)
            g[j] = z[j] = 0; /* the padding units */
    }
    if (part->flush)
        kernels->columns_update_dot(hi - lo, owing->n, owing->cols, owing->gs,
                                    v, ring, owing->a, NULL, NULL);
    if (part->fold)
        FN(sparse_fold)(sp, part, kernels, lo, hi);
    if (part->forward) {
        if (part->fold || !pending)
            for (j = j0; j < hi - part->lo; j++)
                z[j] = sp->b * r[j] + u[j] * part->total;
        if (!part->flush)
            kernels->columns_update_dot(hi - lo, owing->n, owing->cols,
                                        owing->gs, v, ring, owing->a, owing->x,
                                        z + j0);
        kernels->columns_update_dot(hi - lo, fresh->n, fresh->cols, NULL, v,
                                    NULL, NULL, fresh->x, z + j0);
    }
    if (part->store)
        FN(sparse_store_weights)(sp, part, sp->layer.weights, lo, hi);
}

REAL *FN(ffnn_sparse_first_layer)(struct FN(ffnn_sparse) *sp, int part_index,
                                  int pending, size_t *first, size_t *last)
{
    struct FN(sparse_part) *part = sp->part[part_index];
    FN(sparse_pass)(sp, part, pending, part->lo, part->hi);
    *first = part->lo;
    *last = part->hi < sp->hidden ? part->hi : sp->hidden;
    if (*first >= *last)
        return NULL;
    return part->z;
}

/* A part's plan for the last pass of a run: every pending update, W
   written back, no forward pass. */
static void FN(sparse_plan_end)(struct FN(ffnn_sparse) *sp, struct FN(sparse_part) *part)
{
    part->forward = 0;
    part->fold = 0;
    part->flush = 1;
    part->store = 1;
    part->prev_slot = part->slot;
    part->sum_prev = part->sum;
    FN(sparse_lists)(sp, part, 1, NULL, NULL, NULL, 0);
}

void FN(ffnn_sparse_last_pass)(struct FN(ffnn_sparse) *sp, int part_index)
{
    struct FN(sparse_part) *part = sp->part[part_index];
    FN(sparse_plan_end)(sp, part);
    FN(sparse_pass)(sp, part, 1, part->lo, part->hi);
}

/* The last pass of a run in one part over units lo .. hi - 1. */
static void FN(sparse_end_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    struct FN(ffnn_sparse) *sp = (struct FN(ffnn_sparse) *)ctx;
    (void)thread;
    FN(sparse_pass)(sp, sp->part[0], 1, FN(sparse_unit)(sp, lo), FN(sparse_unit)(sp, hi));
}

void FN(ffnn_sparse_end)(struct FN(ffnn_sparse) *sp)
{
    const struct FN(ffnn_sparse_layer) layer = sp->layer;
    if (sp->parts == 1) {
        FN(sparse_plan_end)(sp, sp->part[0]);
        ffnn_pool_run(layer.pool, layer.hidden, layer.hidden * layer.n_in,
                      FN(sparse_end_task), sp);
    }
    FN(sparse_free)(sp);
    free(sp);
}

#undef REAL
#undef SUFFIX
