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
    REAL *dense_x;        /* PIXEL_BLOCK dense samples' inputs (cols each) */
    REAL *dense_y;        /* ... their sums (rows each) */
    size_t *dense_rows;   /* ... and which sample of the call each is */
    REAL *y;              /* PIXEL_BLOCK sparse samples' sums (ld each) */
    size_t *sparse_rows;  /* ... which sample each is */
    size_t *count;        /* cols: how many of them have ink at each pixel */
    REAL *s;              /* PIXEL_BLOCK per pixel: each one's part over b */
    REAL **to;            /* ... and its sums */
    size_t sparse;        /* samples this thread took from their ink */
};

struct FN(ffnn_pixel_query) {
    size_t rows, cols, ld; /* W is rows x cols; W^T's rows are ld apart */
    size_t chunk;          /* sums per pass over a block's ink (see create) */
    size_t max_ink;        /* a sample with more ink pixels goes dense */
    const REAL *w;
    REAL *wt;          /* W^T, cols x ld, zero beyond `rows` in each row */
    REAL *base;        /* ld entries: b (W 1), zero beyond `rows` */
    REAL input[256];   /* each pixel value's input, as the training scales it */
    REAL ink[256];     /* its part over the background's input, input[0] */
    int threads;
    struct FN(pixel_scratch) *scratch;
    void *memory;      /* the one allocation everything above lives in */
    const struct FN(ffnn_kernels) * kernels;
};

/* Rows lo .. hi - 1 of W into the columns lo .. hi - 1 of W^T, eight rows
   at a time so that each row of W^T gets eight neighbours per visit; and
   their entries of base = b (W 1), each row summed in order, in double. */
static void FN(transpose_task)(void *ctx, size_t lo, size_t hi, int thread)
{
    struct FN(ffnn_pixel_query) *q = (struct FN(ffnn_pixel_query) *)ctx;
    const size_t cols = q->cols, ld = q->ld;
    (void)thread;
    for (size_t r0 = lo; r0 < hi; r0 += 8) {
        const size_t r1 = hi - r0 < 8 ? hi : r0 + 8;
        for (size_t c = 0; c < cols; c++)
            for (size_t r = r0; r < r1; r++)
                q->wt[c * ld + r] = q->w[r * cols + c];
    }
    for (size_t r = lo; r < hi; r++) {
        double sum = 0;
        for (size_t c = 0; c < cols; c++)
            sum += (double)q->w[r * cols + c];
        q->base[r] = (REAL)((double)q->input[0] * sum);
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
static size_t FN(layout)(struct FN(ffnn_pixel_query) *q, char *memory,
                         int sparse)
{
    const size_t cols = q->cols, rows = q->rows, ld = q->ld;
    const size_t threads = (size_t)q->threads;
    size_t total = 0, at[3];
    at[0] = FN(reserve)(&total, threads, sizeof(struct FN(pixel_scratch)));
    at[1] = sparse && ld ? FN(reserve)(&total, cols, ld * sizeof(REAL)) : 1;
    at[2] = sparse ? FN(reserve)(&total, ld, sizeof(REAL)) : 1;
    if (ld > SIZE_MAX / sizeof(REAL) || !at[1] || !at[2])
        return 0;
    if (memory) {
        q->scratch = (struct FN(pixel_scratch) *)(memory + at[0]);
        q->wt = sparse ? (REAL *)(memory + at[1]) : NULL;
        q->base = sparse ? (REAL *)(memory + at[2]) : NULL;
    }
    if (cols > SIZE_MAX / PIXEL_BLOCK || ld > SIZE_MAX / PIXEL_BLOCK)
        return 0;
    for (size_t t = 0; t < threads; t++) {
        size_t th[8];
        th[0] = FN(reserve)(&total, PIXEL_BLOCK * cols, sizeof(REAL));
        th[1] = FN(reserve)(&total, PIXEL_BLOCK * rows, sizeof(REAL));
        th[2] = FN(reserve)(&total, PIXEL_BLOCK, sizeof(size_t));
        for (int k = 3; k < 8; k++)
            th[k] = 1;
        if (sparse) {
            th[3] = FN(reserve)(&total, PIXEL_BLOCK * ld, sizeof(REAL));
            th[4] = FN(reserve)(&total, PIXEL_BLOCK, sizeof(size_t));
            th[5] = FN(reserve)(&total, cols, sizeof(size_t));
            th[6] = FN(reserve)(&total, PIXEL_BLOCK * cols, sizeof(REAL));
            th[7] = FN(reserve)(&total, PIXEL_BLOCK * cols, sizeof(REAL *));
        }
        for (int k = 0; k < 8; k++)
            if (!th[k])
                return 0;
        if (memory) {
            struct FN(pixel_scratch) *sc = q->scratch + t;
            sc->dense_x = (REAL *)(memory + th[0]);
            sc->dense_y = (REAL *)(memory + th[1]);
            sc->dense_rows = (size_t *)(memory + th[2]);
            if (sparse) {
                sc->y = (REAL *)(memory + th[3]);
                sc->sparse_rows = (size_t *)(memory + th[4]);
                sc->count = (size_t *)(memory + th[5]);
                sc->s = (REAL *)(memory + th[6]);
                sc->to = (REAL **)(memory + th[7]);
            }
        }
    }
    return total > SIZE_MAX - 64 ? 0 : total + 64;
}

/* Sample `slot` of the block (pixels p, sums y) into the entries of each
   of its ink pixels. Words of 8 background pixels are skipped at once (most
   of an MNIST digit's margin), and only the ink of the others is visited. */
static void FN(list_ink)(const struct FN(ffnn_pixel_query) *q,
                         struct FN(pixel_scratch) *sc, const uint8_t *p,
                         REAL *y)
{
    const size_t n = q->cols;
    size_t c = 0;
    for (; c + 8 <= n; c += 8) {
        for (uint64_t m = ink_bytes(p + c); m != 0; m &= m - 1) {
            const size_t j = c + lowest_byte(m);
            const size_t at = j * PIXEL_BLOCK + sc->count[j]++;
            sc->s[at] = q->ink[p[j]];
            sc->to[at] = y;
        }
    }
    for (; c < n; c++) {
        if (p[c] != 0) {
            const size_t at = c * PIXEL_BLOCK + sc->count[c]++;
            sc->s[at] = q->ink[p[c]];
            sc->to[at] = y;
        }
    }
}

int FN(ffnn_pixel_query_create)(struct FN(ffnn_pixel_query) **plan,
                                size_t rows, size_t cols, const REAL *w,
                                size_t n, int engine, ffnn_pool *pool)
{
    struct FN(ffnn_pixel_query) *q;
    size_t bytes, lanes;
    int sparse;
    *plan = NULL;
    if (engine != FFNN_PIXELS_AUTO && engine != FFNN_PIXELS_DENSE &&
        engine != FFNN_PIXELS_SPARSE)
        return FFNN_PIXELS_ERROR_ARGUMENT;
    q = (struct FN(ffnn_pixel_query) *)calloc(1, sizeof *q);
    if (!q)
        return FFNN_PIXELS_ERROR_MEMORY;
    q->kernels = FN(ffnn_kernels_active)();
    lanes = q->kernels->lanes;
    q->rows = rows;
    q->cols = cols;
    q->ld = rows > SIZE_MAX - lanes ? 0 : (rows + lanes - 1) / lanes * lanes;
    q->w = w;
    q->threads = ffnn_pool_threads(pool);
    /* A sample goes from its ink when ink * ld * SPARSE_COST < rows * cols:
       the ink kernel streams W^T's rows from cache, SPARSE_COST times the
       cost per multiply-add of the register-blocked matrix product (see
       pixel_query.c). W^T costs about one dense sample to make, so a call
       of few samples keeps to the matrix product. */
    if (engine == FFNN_PIXELS_SPARSE)
        q->max_ink = cols;
    else if (engine == FFNN_PIXELS_DENSE || n < MIN_SPARSE_SAMPLES || q->ld == 0)
        q->max_ink = 0;
    else
        q->max_ink = (size_t)((double)rows * (double)cols /
                              ((double)q->ld * SPARSE_COST));
    sparse = q->max_ink > 0;
    /* A block's sums are made in passes over `chunk` of them, few enough
       for all PIXEL_BLOCK samples' share to stay in the L1 cache (half of
       a 48 KB one) while the rows of W^T stream through. */
    {
        const size_t most = L1_BYTES / (PIXEL_BLOCK * sizeof(REAL));
        const size_t passes = q->ld / (most - most % lanes + lanes) + 1;
        q->chunk = (q->ld / passes + lanes - 1) / lanes * lanes;
        if (q->chunk == 0)
            q->chunk = lanes;
    }
    bytes = FN(layout)(q, NULL, sparse);
    q->memory = bytes ? calloc(1, bytes) : NULL;
    if (!q->memory) {
        free(q);
        return FFNN_PIXELS_ERROR_MEMORY;
    }
    FN(layout)(q, (char *)cache_aligned(q->memory), sparse);
    for (int v = 0; v < 256; v++) {
        /* The training's scaling, v / 255 * 0.99 + 0.01 (network_template.h). */
        q->input[v] = (REAL)v / (REAL)255 * (REAL)0.99 + (REAL)0.01;
        q->ink[v] = (REAL)((double)q->input[v] - (double)q->input[0]);
    }
    if (sparse)
        ffnn_pool_share(pool, rows, (size_t)q->threads, FN(transpose_task), q);
    *plan = q;
    return FFNN_PIXELS_OK;
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

/* The sparse samples gathered so far: pixel after pixel, its row of W^T
   into the sums of the samples with ink there, so that every sum takes its
   terms in the order of the pixels whatever the block (the same bits as
   alone). */
static void FN(flush_sparse)(const struct FN(ffnn_pixel_query) *q,
                             struct FN(pixel_scratch) *sc, size_t ns, REAL *out)
{
    const size_t cols = q->cols, ld = q->ld, rows = q->rows;
    if (ns == 0)
        return;
    for (size_t h0 = 0; h0 < ld; h0 += q->chunk)
        q->kernels->ink_block(h0, ld - h0 < q->chunk ? ld : h0 + q->chunk, cols,
                              sc->count, PIXEL_BLOCK, sc->s, sc->to, q->wt, ld);
    for (size_t i = 0; i < ns; i++)
        memcpy(out + sc->sparse_rows[i] * rows, sc->y + i * ld,
               rows * sizeof(REAL));
    memset(sc->count, 0, cols * sizeof(size_t));
    sc->sparse += ns;
}

void FN(ffnn_pixel_query_layer)(const struct FN(ffnn_pixel_query) *q,
                                size_t n, const uint8_t *pixels, REAL *out,
                                int thread)
{
    const size_t cols = q->cols;
    struct FN(pixel_scratch) *sc = q->scratch + thread;
    size_t nd = 0, ns = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = pixels + i * cols;
        if (q->max_ink > 0 && count_ink(p, cols) <= q->max_ink) {
            REAL *y = sc->y + ns * q->ld;
            memcpy(y, q->base, q->ld * sizeof(REAL));
            FN(list_ink)(q, sc, p, y);
            sc->sparse_rows[ns++] = i;
            if (ns == PIXEL_BLOCK) {
                FN(flush_sparse)(q, sc, ns, out);
                ns = 0;
            }
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
    FN(flush_sparse)(q, sc, ns, out);
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
