/*
 * The first layer of a batch query on pixels (pixel_query.h), for one
 * precision; included by pixel_query.c as template.h describes.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64).
 * Defines, each with SUFFIX pasted on: struct ffnn_pixel_query,
 *   ffnn_pixel_query_create, ffnn_pixel_query_layer,
 *   ffnn_pixel_query_sparse_count, ffnn_pixel_query_free, and their static
 *   helpers.
 * Undefines REAL and SUFFIX at the end.
 */
#ifndef REAL
#error "pixel_query_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "pixel_query_template.h needs SUFFIX (_f32 or _f64) defined"
#endif

#include "template.h"

/* One thread's scratch. */
struct FN(pixel_scratch) {
    REAL *dense_x;      /* PIXEL_BLOCK dense samples' inputs (cols each) */
    REAL *dense_y;      /* ... their sums (rows each) */
    size_t *dense_rows; /* ... and which sample of the call each is */
    uint64_t *words;    /* FFNN_INK_GROUP samples' ink_bytes, word by word */
    size_t *at;         /* where their ink pixels' rows of W^T start */
    REAL *s;            /* ... and their parts over the background */
    REAL *y;            /* their sums from them (ld each) */
    size_t group[FFNN_INK_GROUP]; /* which samples of the call those are */
    size_t sparse;      /* samples this thread took from their ink */
};

struct FN(ffnn_pixel_query) {
    size_t rows, cols, ld; /* W is rows x cols; W^T's rows are ld apart */
    size_t max_ink;        /* a sample with more ink pixels goes dense */
    const REAL *w;
    REAL *wt;          /* W^T, cols x ld, zero beyond `rows` in each row */
    REAL *base;        /* ld entries: b (W 1), zero beyond `rows` */
    REAL input[256];   /* each pixel value's input, as the training scales it */
    REAL ink[256];     /* its part over the background's input, input[0] */
    int threads;
    struct FN(pixel_scratch) *scratch;
    void *memory;      /* the one allocation all the arrays live in */
    const struct FN(ffnn_kernels) * kernels;
};

/* Rows lo .. hi - 1 of W into the columns lo .. hi - 1 of W^T, a cache
   line's worth of rows at a time so that each line of W^T is written
   whole in one visit; and their entries of base = b (W 1), each row summed
   in order in double on the way (the rows' sums are independent chains, so
   they do not wait on each other's additions). */
static void FN(transpose_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    enum { LINE = 64 / sizeof(REAL) };
    struct FN(ffnn_pixel_query) *q = (struct FN(ffnn_pixel_query) *)ctx;
    const size_t cols = q->cols, ld = q->ld;
    (void)thread;
    for (size_t r0 = lo; r0 < hi; r0 += LINE) {
        const size_t nr = hi - r0 < LINE ? hi - r0 : LINE;
        double sum[LINE] = {0};
        for (size_t c = 0; c < cols; c++)
            for (size_t i = 0; i < nr; i++) {
                const REAL v = q->w[(r0 + i) * cols + c];
                q->wt[c * ld + r0 + i] = v;
                sum[i] += (double)v;
            }
        for (size_t i = 0; i < nr; i++)
            q->base[r0 + i] = (REAL)((double)q->input[0] * sum[i]);
    }
}

/* The offset of n more elements of `size` at the next 64-byte boundary
   after *total, which moves past them; 0 on overflow (no array starts at
   offset 0: the thread scratch structs come first). */
static size_t FN(reserve)(size_t *total, size_t n, size_t size)
{
    const size_t at = (*total + 63) / 64 * 64;
    if (at < *total || (size != 0 && n > (SIZE_MAX - at - 64) / size))
        return 0;
    *total = at + n * size;
    return at;
}

/* Where each array of the plan lives in its one allocation, from `memory`
   on (NULL: only count). Returns the bytes needed, 0 on overflow. */
static size_t FN(layout)(struct FN(ffnn_pixel_query) *q, char *memory)
{
    const size_t cols = q->cols, rows = q->rows, ld = q->ld;
    const size_t threads = (size_t)q->threads, words = cols / 8 + 1;
    size_t total = 0, at[3];
    at[0] = FN(reserve)(&total, threads, sizeof(struct FN(pixel_scratch)));
    at[1] = ld <= SIZE_MAX / sizeof(REAL)
                ? FN(reserve)(&total, cols, ld * sizeof(REAL)) : 0;
    at[2] = FN(reserve)(&total, ld, sizeof(REAL));
    if (!at[1] || !at[2] || cols > SIZE_MAX / PIXEL_BLOCK ||
        rows > SIZE_MAX / PIXEL_BLOCK || ld > SIZE_MAX / FFNN_INK_GROUP ||
        cols + 8 > SIZE_MAX / FFNN_INK_GROUP)
        return 0;
    if (memory) {
        q->scratch = (struct FN(pixel_scratch) *)(memory + at[0]);
        q->wt = (REAL *)(memory + at[1]);
        q->base = (REAL *)(memory + at[2]);
    }
    for (size_t t = 0; t < threads; t++) {
        size_t th[7];
        th[0] = FN(reserve)(&total, PIXEL_BLOCK * cols, sizeof(REAL));
        th[1] = FN(reserve)(&total, PIXEL_BLOCK * rows, sizeof(REAL));
        th[2] = FN(reserve)(&total, PIXEL_BLOCK, sizeof(size_t));
        th[3] = FN(reserve)(&total, words * FFNN_INK_GROUP, sizeof(uint64_t));
        th[4] = FN(reserve)(&total, cols + 8, sizeof(size_t));
        th[5] = FN(reserve)(&total, (cols + 8) * FFNN_INK_GROUP, sizeof(REAL));
        th[6] = FN(reserve)(&total, ld * FFNN_INK_GROUP, sizeof(REAL));
        for (int k = 0; k < 7; k++)
            if (!th[k])
                return 0;
        if (memory) {
            struct FN(pixel_scratch) *sc = q->scratch + t;
            sc->dense_x = (REAL *)(memory + th[0]);
            sc->dense_y = (REAL *)(memory + th[1]);
            sc->dense_rows = (size_t *)(memory + th[2]);
            sc->words = (uint64_t *)(memory + th[3]);
            sc->at = (size_t *)(memory + th[4]);
            sc->s = (REAL *)(memory + th[5]);
            sc->y = (REAL *)(memory + th[6]);
        }
    }
    return total > SIZE_MAX - 64 ? 0 : total + 64;
}

/* A sample's ink pixels, in order: where their rows of W^T start into at,
   their
   parts over the background into s, from the ink_bytes words that
   count_ink left in `words`. Words of background cost one test each, and
   a word with ink costs eight branch-free steps (a step's entry is kept
   only for ink), whatever its pattern: no branch to mispredict. */
static size_t FN(list_ink)(const struct FN(ffnn_pixel_query) *q,
                           const uint64_t *words, const uint8_t *p,
                           size_t *at, REAL *s)
{
    const size_t n = q->cols, ld = q->ld;
    size_t k = 0, c = 0;
    for (; c + 8 <= n; c += 8) {
        if (words[c / 8] == 0)
            continue;
        for (size_t j = c; j < c + 8; j++) {
            at[k] = j * ld;
            s[k] = q->ink[p[j]];
            k += p[j] != 0;
        }
    }
    for (; c < n; c++) {
        at[k] = c * ld;
        s[k] = q->ink[p[c]];
        k += p[c] != 0;
    }
    return k;
}

/* The union of the ink pixels of the FFNN_INK_GROUP samples at p[g], in
   order: where their rows of W^T start into at, and each sample's part
   over the background into s[k * FFNN_INK_GROUP + g], zero where that
   sample has no ink (ink[0] is zero), from the samples' ink_bytes words
   (cols / 8 + 1 apart in `words`). The union's pixels of a word are taken
   by their lowest set bits: a third of the group's work, eight steps per
   word for each sample, went into testing every byte. */
static size_t FN(list_union)(const struct FN(ffnn_pixel_query) *q,
                             const uint64_t *words, const uint8_t *const *p,
                             size_t *at, REAL *s)
{
    enum { G = FFNN_INK_GROUP };
    const size_t n = q->cols, ld = q->ld, stride = n / 8 + 1;
    size_t k = 0, c = 0;
    for (; c + 8 <= n; c += 8) {
        uint64_t any = 0;
        for (size_t g = 0; g < G; g++)
            any |= words[g * stride + c / 8];
        for (; any; any &= any - 1) {
            const size_t j = c + lowest_byte(any);
            at[k] = j * ld;
            for (size_t g = 0; g < G; g++)
                s[k * G + g] = q->ink[p[g][j]];
            k++;
        }
    }
    for (; c < n; c++) {
        unsigned ink = 0;
        at[k] = c * ld;
        for (size_t g = 0; g < G; g++) {
            s[k * G + g] = q->ink[p[g][c]];
            ink |= p[g][c];
        }
        k += ink != 0;
    }
    return k;
}

/* The share of a dense call's time that taking the samples with at most
   max_ink ink pixels from their ink would save, by the cost model of
   pixel_query.c, estimated on PLAN_PROBES of the n samples spread evenly
   over the call. */
static double FN(expected_saving)(size_t rows, size_t cols, size_t ld,
                                  double ink_cost, double pixel_cost,
                                  size_t max_ink, size_t n,
                                  const uint8_t *pixels)
{
    const size_t probes = n < PLAN_PROBES ? n : PLAN_PROBES;
    double saving = 0;
    for (size_t j = 0; j < probes; j++) {
        const size_t ink = count_ink(pixels + (j * n / probes) * cols, cols, NULL);
        if (ink <= max_ink)
            saving += 1 - ((double)ink * (double)ld * ink_cost +
                           (double)cols * pixel_cost) /
                              ((double)rows * (double)cols);
    }
    return saving / (double)probes;
}

int FN(ffnn_pixel_query_create)(struct FN(ffnn_pixel_query) **plan,
                                size_t rows, size_t cols, const REAL *w,
                                const REAL *input, size_t n,
                                const uint8_t *pixels, int engine,
                                ffnn_pool *pool)
{
    const struct FN(ffnn_kernels) *kernels = FN(ffnn_kernels_active)();
    const size_t lanes = kernels->lanes;
    const size_t ld = rows > SIZE_MAX - lanes ? 0 : (rows + lanes - 1) / lanes * lanes;
    const double ink_cost = kernels->ink_group_pays ? INK_COST_GROUPED : INK_COST;
    const double pixel_cost = kernels->ink_group_pays ? PIXEL_COST_GROUPED : PIXEL_COST;
    struct FN(ffnn_pixel_query) *q;
    size_t bytes, max_ink;
    *plan = NULL;
    if (engine != FFNN_ENGINE_AUTO && engine != FFNN_ENGINE_DENSE &&
        engine != FFNN_ENGINE_SPARSE)
        return FFNN_ERROR_ARGUMENT;
    /* A sample goes from its ink when ink * ld * ink_cost + cols *
       pixel_cost < rows * cols (pixel_query.c). W^T costs about one dense
       sample to make, so a call of few samples keeps to the matrix
       product. */
    if (engine == FFNN_ENGINE_SPARSE)
        max_ink = cols;
    else if (engine == FFNN_ENGINE_DENSE || n < FFNN_PIXEL_MIN_SAMPLES || ld == 0 ||
             (double)rows <= pixel_cost)
        max_ink = 0;
    else
        max_ink = (size_t)((double)cols * ((double)rows - pixel_cost) /
                           ((double)ld * ink_cost));
    /* Making W^T, and moving the dense samples' sums once more, cost about
       PLAN_COST of a dense call (pixel_query.c): with few samples of little
       ink (a picture set with much ink), the call is all dense. */
    if (engine == FFNN_ENGINE_AUTO && max_ink > 0 &&
        FN(expected_saving)(rows, cols, ld, ink_cost, pixel_cost, max_ink, n,
                            pixels) < PLAN_COST)
        max_ink = 0;
    if (max_ink == 0 || ld == 0)
        return ld == 0 && max_ink > 0 ? FFNN_ERROR_MEMORY : FFNN_OK;
    q = (struct FN(ffnn_pixel_query) *)calloc(1, sizeof *q);
    if (!q)
        return FFNN_ERROR_MEMORY;
    q->kernels = kernels;
    q->rows = rows;
    q->cols = cols;
    q->ld = ld;
    q->max_ink = max_ink;
    q->w = w;
    q->threads = ffnn_pool_threads(pool);
    bytes = FN(layout)(q, NULL);
    /* Not calloc: the pages would be zeroed only to be written over. */
    q->memory = bytes ? malloc(bytes) : NULL;
    if (!q->memory) {
        free(q);
        return FFNN_ERROR_MEMORY;
    }
    FN(layout)(q, (char *)ffnn_cache_aligned(q->memory));
    /* Only the lanes beyond `rows` must be zero (the kernel adds them up,
       to no use, in whole vectors); the transposition writes the rest. */
    for (size_t c = 0; c < cols; c++)
        memset(q->wt + c * ld + rows, 0, (ld - rows) * sizeof(REAL));
    memset(q->base + rows, 0, (ld - rows) * sizeof(REAL));
    for (int t = 0; t < q->threads; t++)
        q->scratch[t].sparse = 0;
    for (int v = 0; v < 256; v++) {
        q->input[v] = input[v];
        q->ink[v] = (REAL)((double)q->input[v] - (double)q->input[0]);
    }
    ffnn_pool_share(pool, rows, (size_t)q->threads, FN(transpose_task), q);
    *plan = q;
    return FFNN_OK;
}

/* The dense samples gathered so far through the matrix product, their sums
   put where the samples' rows are. */
static void FN(flush_dense)(const struct FN(ffnn_pixel_query) *q,
                            struct FN(pixel_scratch) *sc, size_t nd, REAL *out)
{
    if (nd == 0)
        return;
    q->kernels->matmat(nd, q->rows, q->cols, q->w, sc->dense_x, sc->dense_y);
    for (size_t i = 0; i < nd; i++)
        memcpy(out + sc->dense_rows[i] * q->rows, sc->dense_y + i * q->rows,
               q->rows * sizeof(REAL));
}

/* One sample from its ink alone, its ink_bytes words at `words`. */
static void FN(ink_one)(const struct FN(ffnn_pixel_query) *q,
                        struct FN(pixel_scratch) *sc, const uint64_t *words,
                        const uint8_t *p, REAL *out)
{
    const size_t rows = q->rows;
    const size_t n_ink = FN(list_ink)(q, words, p, sc->at, sc->s);
    /* Straight into the sample's row when that is whole vectors. */
    REAL *y = q->ld == rows ? out : sc->y;
    q->kernels->ink_matvec(q->ld, n_ink, q->wt, sc->at, sc->s, q->base, y);
    if (y != out)
        memcpy(out, y, rows * sizeof(REAL));
}

/* The FFNN_INK_GROUP samples gathered in sc->group from their ink, in one
   pass over the union of their ink (bit for bit what ink_one gives each). */
static void FN(ink_group)(const struct FN(ffnn_pixel_query) *q,
                          struct FN(pixel_scratch) *sc,
                          const uint8_t *pixels, REAL *out)
{
    enum { G = FFNN_INK_GROUP };
    const size_t rows = q->rows, cols = q->cols, ld = q->ld;
    const uint8_t *p[G];
    REAL *y[G];
    size_t g, n_union;
    for (g = 0; g < G; g++) {
        p[g] = pixels + sc->group[g] * cols;
        y[g] = ld == rows ? out + sc->group[g] * rows : sc->y + g * ld;
    }
    n_union = FN(list_union)(q, sc->words, p, sc->at, sc->s);
    q->kernels->ink_group_matvec(ld, n_union, q->wt, sc->at, sc->s, q->base, y);
    if (ld != rows)
        for (g = 0; g < G; g++)
            memcpy(out + sc->group[g] * rows, y[g], rows * sizeof(REAL));
}

void FN(ffnn_pixel_query_layer)(const struct FN(ffnn_pixel_query) *q,
                                size_t n, const uint8_t *pixels, REAL *out,
                                int thread)
{
    const size_t rows = q->rows, cols = q->cols, stride = cols / 8 + 1;
    struct FN(pixel_scratch) *sc = q->scratch + thread;
    size_t nd = 0, ng = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = pixels + i * cols;
        /* The samples from their ink gather in groups, their words side by
           side; a sample's sums do not depend on its group. */
        if (count_ink(p, cols, sc->words + ng * stride) <= q->max_ink) {
            sc->group[ng++] = i;
            if (!q->kernels->ink_group_pays) {
                FN(ink_one)(q, sc, sc->words, p, out + i * rows);
                ng = 0;
            } else if (ng == FFNN_INK_GROUP) {
                FN(ink_group)(q, sc, pixels, out);
                ng = 0;
            }
            sc->sparse++;
            continue;
        }
        for (size_t c = 0; c < cols; c++)
            sc->dense_x[nd * cols + c] = q->input[p[c]];
        sc->dense_rows[nd++] = i;
        if (nd == PIXEL_BLOCK) {
            FN(flush_dense)(q, sc, nd, out);
            nd = 0;
        }
    }
    /* The last few alone. */
    for (size_t g = 0; g < ng; g++)
        FN(ink_one)(q, sc, sc->words + g * stride, pixels + sc->group[g] * cols,
                    out + sc->group[g] * rows);
    FN(flush_dense)(q, sc, nd, out);
}

size_t FN(ffnn_pixel_query_sparse_count)(const struct FN(ffnn_pixel_query) *q)
{
    size_t total = 0;
    for (int t = 0; t < q->threads; t++)
        total += q->scratch[t].sparse;
    return total;
}

void FN(ffnn_pixel_query_free)(struct FN(ffnn_pixel_query) *q)
{
    if (!q)
        return;
    free(q->memory);
    free(q);
}

#undef REAL
#undef SUFFIX
