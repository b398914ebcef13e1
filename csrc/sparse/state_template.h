/*
 * The sparse first layer's working copy of its weights, for one precision;
 * included by sparse.c as template.h describes.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64), and, from sparse.c,
 *   FFNN_SPARSE_NONE and the headers sparse/engine.h and sparse/sparse.h.
 * Defines, each with SUFFIX pasted on: struct ffnn_sparse (sparse.h's
 *   engine), struct sparse_columns and struct sparse_part; static:
 *   sparse_round_up, sparse_create, sparse_part_create, sparse_free,
 *   sparse_load_weights, sparse_fold, sparse_store_weights.
 * Undefines REAL and SUFFIX at the end.
 *
 * W (hidden x n_in, row-major, the network's) is held as W = V + u 1^T with
 * r = V 1 beside it. V is column-major: column c (the weights of input c
 * into every hidden unit) is contiguous at v + c * ld, ld being the hidden
 * units rounded up to whole 64-byte groups, so that the units are the
 * vector lanes of every SIMD level and a thread's share of them starts on a
 * cache line. The units past `hidden` (padding) are zero throughout.
 *
 * A run is done in one or two parts, each a thread's: a part owns a range
 * of the units (their rows of V, their u, r, z and ring entries) for the
 * whole run, and keeps its own record of the samples' ink (which columns
 * owe an update, this step's column lists, the step's plan). The two
 * records are the same, each made by its thread from the same masks, so
 * that no list has to cross from one core to the other.
 */
#ifndef REAL
#error "state_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "state_template.h needs SUFFIX (_f32 or _f64) defined"
#endif

#include "template.h"

/* Columns of V that one sweep visits, in increasing order of column
   within the list, with what the sweep does to each: an update pending
   since the column was last ink (V[:, c] += g a, g at that offset into the
   ring of g vectors) and/or the forward pass's term (z += V[:, c] x). */
struct FN(sparse_columns) {
    size_t n;
    size_t *cols; /* as offsets into V: column c at c * ld */
    size_t *gs;   /* as offsets into the ring: slot * ld */
    REAL *a, *x;
};

/* One part of a run: its units, and its record of the ink. Allocated on
   cache lines of its own, since its thread writes it at every step. */
struct FN(sparse_part) {
    size_t lo, hi;       /* the units it owns, whole 64-byte groups */
    /* Its units' working copy, apart from the other part's, so that no
       cache line (nor a prefetcher running ahead along one) is both
       threads': unit h at h - lo of each. */
    size_t ld;           /* hi - lo */
    REAL *v;             /* n_in columns of ld */
    REAL *u, *r, *z;     /* the offset, V 1 and the forward pass's sums, ld each */
    REAL *ring;          /* FFNN_SPARSE_FOLD slots of ld: g = lr d of every
                            sample since the last fold */
    /* The updates are lazy: W += g x^T of a sample leaves V[:, ink] as it
       was, and the column takes its update the next time it is read (or
       at a fold, or at the end), in one sweep with that read. A column
       changes only when it is ink, so it owes at most one update, and the
       same operations happen to it as if done at once: V's bits are those
       of the eager order. */
    size_t *pending;     /* per column: the ring offset of its update's g, or NONE */
    REAL *pending_a;     /* per column: its coefficient (the s it had then) */
    /* This step's columns: ink with an update pending (or, at a fold or the
       end, every column with one), and ink without; see ink_template.h. */
    struct FN(sparse_columns) lists[2];
    uint64_t *mask;      /* this sample's ink */
    /* This step's plan, made by ffnn_sparse_load (sparse_template.h). */
    int flush;   /* every pending update first: a fold or the end */
    int fold;    /* then a fold, before the forward pass */
    int forward; /* there is a forward pass (not at the end of a run) */
    int store;   /* the run ends: fold into W and write it back */
    size_t slot, prev_slot; /* this sample's and the last one's ring slot */
    REAL sum_prev;       /* 1^T s of the sample whose update is pending */
    REAL sum, total;     /* 1^T s and 1^T x of this step's sample */
    void *memory;
};

struct FN(ffnn_sparse) {
    struct FN(ffnn_sparse_layer) layer; /* the layer it works on (sparse.h) */
    size_t n_in, hidden, ld;
    REAL b;              /* the background: every x = b + s */
    REAL s_of_pixel[256]; /* s of each pixel value, v / 255 * 0.99 */
    int parts;           /* 1 or 2 */
    struct FN(sparse_part) *part[2];
    void *memory;
};

/* Elements in a 64-byte group. */
#define FFNN_SPARSE_GROUP (64 / sizeof(REAL))

/* n rounded up to a whole group (n >= 0). */
static size_t FN(sparse_round_up)(size_t n)
{
    return (n + FFNN_SPARSE_GROUP - 1) / FFNN_SPARSE_GROUP * FFNN_SPARSE_GROUP;
}

/* A part of a run owning units lo .. hi - 1 of a layer of n_in inputs, no
   update pending, or NULL without the memory. One block, on cache lines of
   its own: the part, the mask, the lists' and the pending updates'
   offsets, their coefficients; then V, three vectors and the ring. */
static struct FN(sparse_part) *FN(sparse_part_create)(size_t n_in, size_t lo,
                                                      size_t hi)
{
    const size_t words = (n_in + 63) / 64, ld = hi - lo;
    const size_t head = (sizeof(struct FN(sparse_part)) + 63) / 64 * 64;
    size_t bytes = head + words * sizeof(uint64_t) + 5 * n_in * sizeof(size_t) +
                   5 * n_in * sizeof(REAL);
    struct FN(sparse_part) *part;
    void *memory;
    char *p;
    bytes = (bytes + 63) / 64 * 64;
    memory = malloc(64 + bytes + (n_in * ld + 3 * ld + FFNN_SPARSE_FOLD * ld) * sizeof(REAL) +
                    64); /* the last line its own too */
    if (!memory)
        return NULL;
    p = (char *)ffnn_cache_aligned(memory);
    part = (struct FN(sparse_part) *)(void *)p;
    memset(part, 0, sizeof *part);
    part->memory = memory;
    part->lo = lo;
    part->hi = hi;
    part->ld = ld;
    part->mask = (uint64_t *)(void *)(p + head);
    part->pending = (size_t *)(void *)(part->mask + words);
    part->lists[0].cols = part->pending + n_in;
    part->lists[0].gs = part->lists[0].cols + n_in;
    part->lists[1].cols = part->lists[0].gs + n_in;
    part->lists[1].gs = part->lists[1].cols + n_in;
    part->pending_a = (REAL *)(void *)(part->lists[1].gs + n_in);
    for (int k = 0; k < 2; k++) {
        part->lists[k].a = part->pending_a + n_in + 2 * (size_t)k * n_in;
        part->lists[k].x = part->lists[k].a + n_in;
    }
    part->v = (REAL *)(void *)(p + bytes);
    part->u = part->v + n_in * ld;
    part->r = part->u + ld;
    part->z = part->r + ld;
    part->ring = part->z + ld;
    for (size_t c = 0; c < n_in; c++)
        part->pending[c] = FFNN_SPARSE_NONE;
    for (size_t h = 0; h < ld; h++)
        part->u[h] = 0;
    return part;
}

/* The working copy for a layer of n_in inputs into `hidden` units, in
   `parts` parts (1 or 2; part 0 owns the first `split` units, whole groups,
   part 1 the rest), no update pending; FFNN_ERROR_MEMORY when it cannot be
   allocated. */
static int FN(sparse_create)(struct FN(ffnn_sparse) *sp, size_t n_in, size_t hidden,
                             REAL b, int parts, size_t split)
{
    const size_t ld = FN(sparse_round_up)(hidden);
    const size_t slots = FFNN_SPARSE_FOLD;
    memset(sp, 0, sizeof *sp);
    if (ld == 0 || n_in > SIZE_MAX / 64 / (ld + 6) / sizeof(REAL) ||
        ld > SIZE_MAX / 64 / slots / sizeof(REAL))
        return FFNN_ERROR_MEMORY;
    sp->n_in = n_in;
    sp->hidden = hidden;
    sp->ld = ld;
    sp->b = b;
    sp->parts = parts;
    if (parts == 1)
        split = ld;
    for (int k = 0; k < parts; k++) {
        sp->part[k] = FN(sparse_part_create)(n_in, k ? split : 0, k ? ld : split);
        if (!sp->part[k]) {
            FN(sparse_free)(sp);
            return FFNN_ERROR_MEMORY;
        }
    }
    /* The book's scaling is v / 255 * 0.99 + 0.01 (core/book.h): s is its
       first part. */
    for (int v = 0; v < 256; v++)
        sp->s_of_pixel[v] = (REAL)v / (REAL)255 * (REAL)0.99;
    return 0;
}

static void FN(sparse_free)(struct FN(ffnn_sparse) *sp)
{
    for (int k = 0; k < 2; k++) {
        if (sp->part[k])
            free(sp->part[k]->memory);
        sp->part[k] = NULL;
    }
}

/* Columns in a tile of the transposes: W's rows are read (or written) 64
   bytes at a time, V's columns one unit at a time, all in cache. */
#define FFNN_SPARSE_TILE 16

/* V = W and r = V 1 for units lo .. hi - 1 of `part` (u is zero). */
static void FN(sparse_load_weights)(const struct FN(ffnn_sparse) *sp,
                                    struct FN(sparse_part) *part,
                                    const struct FN(ffnn_kernels) *kernels,
                                    const REAL *w, size_t lo, size_t hi)
{
    const size_t n_in = sp->n_in, ld = part->ld;
    const size_t end = hi < sp->hidden ? hi : sp->hidden;
    REAL *v = part->v; /* unit h at v[c * ld + h - part->lo] */
    for (size_t c0 = 0; c0 < n_in; c0 += FFNN_SPARSE_TILE) {
        const size_t c1 = n_in - c0 < FFNN_SPARSE_TILE ? n_in : c0 + FFNN_SPARSE_TILE;
        for (size_t h = lo; h < end; h++)
            for (size_t c = c0; c < c1; c++)
                v[c * ld + h - part->lo] = w[h * n_in + c];
    }
    for (size_t c = 0; c < n_in; c++)
        for (size_t h = end; h < hi; h++)
            v[c * ld + h - part->lo] = 0; /* the padding units */
    kernels->columns_fold(hi - lo, n_in, ld, v + (lo - part->lo), NULL,
                          part->r + (lo - part->lo));
}

/* Fold u into V and recompute r for units lo .. hi - 1 of `part`: W is
   unchanged, up to the rounding of V + u. */
static void FN(sparse_fold)(const struct FN(ffnn_sparse) *sp,
                            struct FN(sparse_part) *part,
                            const struct FN(ffnn_kernels) *kernels, size_t lo,
                            size_t hi)
{
    const size_t j = lo - part->lo;
    kernels->columns_fold(hi - lo, sp->n_in, part->ld, part->v + j, part->u + j,
                          part->r + j);
    for (size_t h = j; h < j + (hi - lo); h++)
        part->u[h] = 0;
}

/* W = V + u for units lo .. hi - 1 of `part`: the same values a fold would
   leave in V, so a run continued in a later call goes on exactly as one
   call. */
static void FN(sparse_store_weights)(const struct FN(ffnn_sparse) *sp,
                                     const struct FN(sparse_part) *part, REAL *w,
                                     size_t lo, size_t hi)
{
    const size_t n_in = sp->n_in, ld = part->ld;
    const size_t end = hi < sp->hidden ? hi : sp->hidden;
    const REAL *v = part->v, *u = part->u; /* unit h at h - part->lo */
    for (size_t c0 = 0; c0 < n_in; c0 += FFNN_SPARSE_TILE) {
        const size_t c1 = n_in - c0 < FFNN_SPARSE_TILE ? n_in : c0 + FFNN_SPARSE_TILE;
        for (size_t h = lo; h < end; h++) {
            const REAL uh = u[h - part->lo];
            for (size_t c = c0; c < c1; c++)
                w[h * n_in + c] = v[c * ld + h - part->lo] + uh;
        }
    }
}

#undef FFNN_SPARSE_GROUP
#undef FFNN_SPARSE_TILE
#undef REAL
#undef SUFFIX
