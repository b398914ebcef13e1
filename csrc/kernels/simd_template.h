/*
 * The kernels of one SIMD level and one precision, written once against a
 * small vector vocabulary; included by each simd_<level>.c, once per
 * precision, as template.h describes.
 *
 * Needs: REAL, SUFFIX (e.g. _avx2_f32), TABLE (the table's struct:
 *   ffnn_kernels_f32 or _f64), EXP, LOG, V (vector type), VL (lanes),
 *   VZERO(), VSET1(s), VLOAD(p), VSTORE(p, v), VFMA(a, b, c) = a * b + c,
 *   VADD(a, b), VSUM(v) (sum of the lanes), and SFMA(a, b, c), the scalar
 *   a * b + c rounded exactly as one lane of VFMA; optionally
 *   SIGMOID_KERNEL, a vector sigmoid replacing the libm one.
 * Defines: the table `const struct TABLE ffnn SUFFIX` (e.g. ffnn_avx2_f32,
 *   declared in kernel_table.h) and the static kernels it points to, with
 *   their inlined building blocks (matvec SUFFIX, rows SUFFIX, ...: the
 *   level's file declares each by its full name, e.g. matvec_avx2_f32).
 * Undefines all of these at the end.
 *
 * Scalar tails use SFMA, so an element gets the same bits whether a vector
 * or a tail computes it.
 */
#ifndef REAL
#error "simd_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "simd_template.h needs SUFFIX (e.g. _avx2_f32) defined"
#endif
#ifndef TABLE
#error "simd_template.h needs TABLE (the table struct) defined"
#endif
#ifndef EXP
#error "simd_template.h needs EXP (the libm exp of REAL) defined"
#endif
#ifndef LOG
#error "simd_template.h needs LOG (the libm log of REAL) defined"
#endif
#ifndef V
#error "simd_template.h needs V (the vector type) defined"
#endif
#ifndef VL
#error "simd_template.h needs VL (the lanes of V) defined"
#endif
#ifndef VZERO
#error "simd_template.h needs VZERO() (a zero vector) defined"
#endif
#ifndef VSET1
#error "simd_template.h needs VSET1(s) (s in every lane) defined"
#endif
#ifndef VLOAD
#error "simd_template.h needs VLOAD(p) (an unaligned load) defined"
#endif
#ifndef VSTORE
#error "simd_template.h needs VSTORE(p, v) (an unaligned store) defined"
#endif
#ifndef VFMA
#error "simd_template.h needs VFMA(a, b, c) (a * b + c) defined"
#endif
#ifndef VADD
#error "simd_template.h needs VADD(a, b) defined"
#endif
#ifndef VSUM
#error "simd_template.h needs VSUM(v) (the sum of the lanes) defined"
#endif
#ifndef SFMA
#error "simd_template.h needs SFMA(a, b, c) (one lane of VFMA) defined"
#endif

#include "template.h"

/* Row-blocked pass over nr (1, 2 or 4, a constant after inlining) rows:
   with `update`, W[i] += s[i] * b; with `dot`, y[i] = W[i] . x. Each row
   keeps two accumulators over vector pairs, then a lone vector, then the
   scalar tail: the same sequence for a row whichever block it is in. The
   loads of b and x serve all the block's rows. */
static FFNN_INLINE void FN(row_pass)(const size_t nr, size_t cols,
                                     REAL *const *w, const REAL *s,
                                     const REAL *b, const REAL *x, REAL *y,
                                     const int update, const int dot)
{
    V a0[4], a1[4], sv[4];
    size_t c = 0, i;
    for (i = 0; i < nr; i++) {
        a0[i] = a1[i] = VZERO();
        sv[i] = VSET1(update ? s[i] : 0);
    }
    for (; c + 2 * VL <= cols; c += 2 * VL) {
        V b0 = VZERO(), b1 = VZERO(), x0 = VZERO(), x1 = VZERO();
        if (update) {
            b0 = VLOAD(b + c);
            b1 = VLOAD(b + c + VL);
        }
        if (dot) {
            x0 = VLOAD(x + c);
            x1 = VLOAD(x + c + VL);
        }
        for (i = 0; i < nr; i++) {
            V u = VLOAD(w[i] + c), v = VLOAD(w[i] + c + VL);
            if (update) {
                u = VFMA(sv[i], b0, u);
                v = VFMA(sv[i], b1, v);
                VSTORE(w[i] + c, u);
                VSTORE(w[i] + c + VL, v);
            }
            if (dot) {
                a0[i] = VFMA(u, x0, a0[i]);
                a1[i] = VFMA(v, x1, a1[i]);
            }
        }
    }
    if (c + VL <= cols) {
        for (i = 0; i < nr; i++) {
            V u = VLOAD(w[i] + c);
            if (update) {
                u = VFMA(sv[i], VLOAD(b + c), u);
                VSTORE(w[i] + c, u);
            }
            if (dot)
                a0[i] = VFMA(u, VLOAD(x + c), a0[i]);
        }
        c += VL;
    }
    for (i = 0; i < nr; i++) {
        REAL sum = dot ? VSUM(VADD(a0[i], a1[i])) : 0;
        for (size_t t = c; t < cols; t++) {
            if (update)
                w[i][t] = SFMA(s[i], b[t], w[i][t]);
            if (dot)
                sum = SFMA(w[i][t], x[t], sum);
        }
        if (dot)
            y[i] = sum;
    }
}

/* Rows in blocks of four, then of two (layer 2's ten rows: 4 + 4 + 2, not
   two lone rows, each a pass over x of its own), the rest one by one. */
static FFNN_INLINE void FN(rows)(size_t rows, size_t cols, REAL *w, REAL scale,
                            const REAL *a, const REAL *b, const REAL *x,
                            REAL *y, const int update, const int dot)
{
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        REAL *wr[4];
        REAL s[4];
        for (size_t i = 0; i < 4; i++) {
            wr[i] = w + (r + i) * cols;
            s[i] = update ? scale * a[r + i] : 0;
        }
        FN(row_pass)(4, cols, wr, s, b, x, y + r, update, dot);
    }
    for (; r + 2 <= rows; r += 2) {
        REAL *wr[2];
        REAL s[2];
        for (size_t i = 0; i < 2; i++) {
            wr[i] = w + (r + i) * cols;
            s[i] = update ? scale * a[r + i] : 0;
        }
        FN(row_pass)(2, cols, wr, s, b, x, y + r, update, dot);
    }
    for (; r < rows; r++) {
        REAL *wr = w + r * cols;
        REAL s = update ? scale * a[r] : 0;
        FN(row_pass)(1, cols, &wr, &s, b, x, y + r, update, dot);
    }
}

static void FN(matvec)(size_t rows, size_t cols, const REAL *w, const REAL *x,
                       REAL *y)
{
    /* The dot-only pass never writes through w. */
    FN(rows)(rows, cols, (REAL *)w, 0, NULL, NULL, x, y, 0, 1);
}

static void FN(outer_update)(size_t rows, size_t cols, REAL *w, REAL scale,
                             const REAL *a, const REAL *b)
{
    FN(rows)(rows, cols, w, scale, a, b, NULL, NULL, 1, 0);
}

static void FN(update_matvec)(size_t rows, size_t cols, REAL *w, REAL scale,
                              const REAL *a, const REAL *b, const REAL *x,
                              REAL *y)
{
    /* Without a the update is skipped, without y the product: the first
       layer's sweep for a run's first sample and its last. */
    if (a && y)
        FN(rows)(rows, cols, w, scale, a, b, x, y, 1, 1);
    else if (a)
        FN(outer_update)(rows, cols, w, scale, a, b);
    else if (y)
        FN(matvec)(rows, cols, w, x, y);
}

/* nv vectors (a constant after inlining) of columns from c on: y = W^T e
   summed over the rows in order in registers, W updated row by row. */
static FFNN_INLINE void FN(t_update_pass)(const size_t nv, size_t rows,
                                          size_t cols, size_t c, REAL *w,
                                          const REAL *e, REAL scale,
                                          const REAL *a, const REAL *b, REAL *y,
                                          const int update)
{
    V acc[4], bv[4];
    size_t i;
    for (i = 0; i < nv; i++) {
        acc[i] = VZERO();
        bv[i] = update ? VLOAD(b + c + i * VL) : VZERO();
    }
    for (size_t r = 0; r < rows; r++) {
        REAL *row = w + r * cols + c;
        const V ev = VSET1(e[r]), sv = VSET1(update ? scale * a[r] : 0);
        for (i = 0; i < nv; i++) {
            const V wv = VLOAD(row + i * VL);
            acc[i] = VFMA(wv, ev, acc[i]);
            if (update)
                VSTORE(row + i * VL, VFMA(sv, bv[i], wv));
        }
    }
    for (i = 0; i < nv; i++)
        VSTORE(y + c + i * VL, acc[i]);
}

static FFNN_INLINE void FN(t_update_blocks)(size_t rows, size_t cols, size_t c0,
                                            size_t c1, REAL *w, const REAL *e,
                                            REAL scale, const REAL *a,
                                            const REAL *b, REAL *y,
                                            const int update)
{
    size_t c = c0;
    for (; c + 4 * VL <= c1; c += 4 * VL)
        FN(t_update_pass)(4, rows, cols, c, w, e, scale, a, b, y, update);
    for (; c + VL <= c1; c += VL)
        FN(t_update_pass)(1, rows, cols, c, w, e, scale, a, b, y, update);
    for (; c < c1; c++) {
        REAL sum = 0;
        for (size_t r = 0; r < rows; r++) {
            REAL *wrc = w + r * cols + c;
            const REAL wv = *wrc;
            sum = SFMA(wv, e[r], sum);
            if (update)
                *wrc = SFMA(scale * a[r], b[c], wv);
        }
        y[c] = sum;
    }
}

static void FN(matvec_t_update)(size_t rows, size_t cols, size_t c0, size_t c1,
                                REAL *w, const REAL *e, REAL scale,
                                const REAL *a, const REAL *b, REAL *y)
{
    /* Columns in blocks of up to four vectors, each block's sums in
       registers over the rows; y[c] sums over r in order, from 0, as
       row-by-row would. */
    if (a)
        FN(t_update_blocks)(rows, cols, c0, c1, w, e, scale, a, b, y, 1);
    else
        FN(t_update_blocks)(rows, cols, c0, c1, w, e, scale, a, b, y, 0);
}

static void FN(matvec_t)(size_t rows, size_t cols, const REAL *w,
                         const REAL *e, REAL *y)
{
    FN(matvec_t_update)(rows, cols, 0, cols, (REAL *)w, e, 0, NULL, NULL, y);
}

/* ns samples (rows of x) by nr rows of W, one accumulator per pair: each
   entry is the same single chain of VFMAs, then the lanes' sum, then the
   scalar tail, in every tile shape. */
static FFNN_INLINE void FN(tile)(const size_t ns, const size_t nr, size_t cols,
                            const REAL *w, const REAL *x, REAL *y,
                            size_t ldy)
{
    V acc[4][4];
    size_t i, j, c = 0;
    for (i = 0; i < ns; i++)
        for (j = 0; j < nr; j++)
            acc[i][j] = VZERO();
    for (; c + VL <= cols; c += VL) {
        V wv[4];
        for (j = 0; j < nr; j++)
            wv[j] = VLOAD(w + j * cols + c);
        for (i = 0; i < ns; i++) {
            const V xv = VLOAD(x + i * cols + c);
            for (j = 0; j < nr; j++)
                acc[i][j] = VFMA(wv[j], xv, acc[i][j]);
        }
    }
    for (i = 0; i < ns; i++) {
        for (j = 0; j < nr; j++) {
            REAL sum = VSUM(acc[i][j]);
            for (size_t t = c; t < cols; t++)
                sum = SFMA(w[j * cols + t], x[i * cols + t], sum);
            y[i * ldy + j] = sum;
        }
    }
}

/* ns samples (rows of x, each of cols) against rows r0 .. r1 - 1 of W, four
   rows per tile while four remain; y holds `rows` outputs per sample. */
static FFNN_INLINE void FN(tile_rows)(const size_t ns, size_t r0, size_t r1,
                                 size_t rows, size_t cols, const REAL *w,
                                 const REAL *x, REAL *y)
{
    size_t r = r0;
    for (; r + 4 <= r1; r += 4)
        FN(tile)(ns, 4, cols, w + r * cols, x, y + r, rows);
    for (; r < r1; r++)
        FN(tile)(ns, 1, cols, w + r * cols, x, y + r, rows);
}

static void FN(matmat)(size_t n, size_t rows, size_t cols, const REAL *w,
                       const REAL *x, REAL *y)
{
    /* A block of W rows small enough to stay in L2 serves every sample
       before the next block is read. */
    size_t block = ((size_t)1 << 18) / (sizeof(REAL) * (cols ? cols : 1));
    block = block < 4 ? 4 : block - block % 4;
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        const size_t r1 = rows - r0 < block ? rows : r0 + block;
        size_t s = 0;
        for (; s + 4 <= n; s += 4)
            FN(tile_rows)(4, r0, r1, rows, cols, w, x + s * cols, y + s * rows);
        for (; s < n; s++)
            FN(tile_rows)(1, r0, r1, rows, cols, w, x + s * cols, y + s * rows);
    }
}

#ifdef SIGMOID_KERNEL
/* This level has a vector sigmoid of its own. */
static void FN(sigmoid)(size_t n, const REAL *x, REAL *y)
{
    SIGMOID_KERNEL(n, x, y);
}
#else
static void FN(sigmoid)(size_t n, const REAL *x, REAL *y)
{
    /* exp() only ever sees a non-positive argument, so it cannot overflow:
       1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below. */
    for (size_t i = 0; i < n; i++) {
        const REAL v = x[i];
        if (v >= 0) {
            y[i] = 1 / (1 + EXP(-v));
        } else {
            const REAL z = EXP(v);
            y[i] = z / (1 + z);
        }
    }
}

#endif

static void FN(logit)(size_t n, const REAL *x, REAL *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = LOG(x[i] / (1 - x[i]));
}

/* ---- the sparse first layer's kernels (csrc/sparse/) -------------------- */
/* The most vectors of units one pass over the columns carries (8 or 16),
   their sums held in registers: 8 for the levels of 16 vector registers;
   a level of 32 (AVX-512) defines 16 before including this file, so that
   200 hidden units take one pass in float32 (two in float64), and the
   columns' list is read once instead of twice (or four times). */
#ifndef FFNN_SPARSE_PASS_VECTORS
#define FFNN_SPARSE_PASS_VECTORS 8
#endif
/* V is column-major there: column c of V at v + c * ld, its hidden units
   contiguous, so the units are the lanes and no kernel gathers; the
   columns a sweep visits come as offsets (c * ld). Each unit
   is one chain of operations over the columns in list order, the same in a
   vector lane or the scalar tail (SFMA): the split of the units between
   blocks or threads never changes a bit. */

/* nv (1 .. FFNN_SPARSE_PASS_VECTORS, a constant after inlining) vectors of
   units over the n columns at v + offsets[j]: with `update`, column += (g +
   g_offsets[j]) * a[j], then with `dot`, y += column * x[j] through the
   updated column. */
static FFNN_INLINE void FN(column_pass)(const size_t nv, size_t n,
                                        const size_t *offsets,
                                        const size_t *g_offsets, REAL *v,
                                        const REAL *g, const REAL *a,
                                        const REAL *x, REAL *y,
                                        const int update, const int dot)
{
    V acc[FFNN_SPARSE_PASS_VECTORS];
    size_t i, j;
    for (i = 0; i < nv; i++)
        acc[i] = dot ? VLOAD(y + i * VL) : VZERO();
    for (j = 0; j < n; j++) {
        REAL *col = v + offsets[j];
        const REAL *gj = update ? g + g_offsets[j] : NULL;
        const V av = VSET1(update ? a[j] : 0), xv = VSET1(dot ? x[j] : 0);
        for (i = 0; i < nv; i++) {
            V w = VLOAD(col + i * VL);
            if (update) {
                w = VFMA(VLOAD(gj + i * VL), av, w);
                VSTORE(col + i * VL, w);
            }
            if (dot)
                acc[i] = VFMA(w, xv, acc[i]);
        }
    }
    if (dot)
        for (i = 0; i < nv; i++)
            VSTORE(y + i * VL, acc[i]);
}

/* A pass of nv (1 .. FFNN_SPARSE_PASS_VECTORS) vectors, nv made a constant
   for column_pass. */
static FFNN_INLINE void FN(column_pass_of)(size_t nv, size_t n,
                                           const size_t *offsets,
                                           const size_t *g_offsets, REAL *v,
                                           const REAL *g, const REAL *a,
                                           const REAL *x, REAL *y,
                                           const int update, const int dot)
{
#define FFNN_SPARSE_PASS(k)                                                    \
    case k:                                                                    \
        FN(column_pass)(k, n, offsets, g_offsets, v, g, a, x, y, update, dot); \
        break;
    switch (nv) {
        FFNN_SPARSE_PASS(1) FFNN_SPARSE_PASS(2) FFNN_SPARSE_PASS(3)
        FFNN_SPARSE_PASS(4) FFNN_SPARSE_PASS(5) FFNN_SPARSE_PASS(6)
        FFNN_SPARSE_PASS(7) FFNN_SPARSE_PASS(8)
#if FFNN_SPARSE_PASS_VECTORS > 8
        FFNN_SPARSE_PASS(9) FFNN_SPARSE_PASS(10) FFNN_SPARSE_PASS(11)
        FFNN_SPARSE_PASS(12) FFNN_SPARSE_PASS(13) FFNN_SPARSE_PASS(14)
        FFNN_SPARSE_PASS(15) FFNN_SPARSE_PASS(16)
#endif
    default:
        break;
    }
#undef FFNN_SPARSE_PASS
}

/* The vectors of pass p when `vectors` are split as evenly as can be into
   passes of at most `most`; 0 once p is past the last pass. */
static size_t FN(pass_vectors)(size_t vectors, size_t most, size_t p)
{
    const size_t passes = (vectors + most - 1) / most;
    return p >= passes ? 0 : vectors * (p + 1) / passes - vectors * p / passes;
}


/* Units in as few passes of up to FFNN_SPARSE_PASS_VECTORS vectors as
   there can be, of sizes as equal as they can be, then one by one. Each
   lane's sum is one chain of dependent multiply-adds over the columns, so
   a pass cannot go faster per column than that chain, whatever its
   vectors: with few registers' worth (AVX2) the passes of four and the
   tail of one vector that 208 units made were bound by it. */
static FFNN_INLINE void FN(column_blocks)(size_t rows, size_t n,
                                          const size_t *offsets,
                                          const size_t *g_offsets, REAL *v,
                                          const REAL *g, const REAL *a,
                                          const REAL *x, REAL *y,
                                          const int update, const int dot)
{
    size_t h = 0, nv;
    for (size_t p = 0;
         (nv = FN(pass_vectors)(rows / VL, FFNN_SPARSE_PASS_VECTORS, p)) > 0; p++) {
        FN(column_pass_of)(nv, n, offsets, g_offsets, v + h,
                           update ? g + h : NULL, a, x, y + h, update, dot);
        h += nv * VL;
    }
    for (; h < rows; h++) {
        REAL sum = dot ? y[h] : 0;
        for (size_t j = 0; j < n; j++) {
            REAL *w = v + offsets[j] + h;
            if (update)
                *w = SFMA(g[g_offsets[j] + h], a[j], *w);
            if (dot)
                sum = SFMA(*w, x[j], sum);
        }
        if (dot)
            y[h] = sum;
    }
}

static void FN(columns_update_dot)(size_t rows, size_t n,
                                   const size_t *offsets,
                                   const size_t *g_offsets, REAL *v,
                                   const REAL *g, const REAL *a, const REAL *x,
                                   REAL *y)
{
    /* Without a the update is skipped, without x the product. */
    if (a && x)
        FN(column_blocks)(rows, n, offsets, g_offsets, v, g, a, x, y, 1, 1);
    else if (a)
        FN(column_blocks)(rows, n, offsets, g_offsets, v, g, a, NULL, NULL, 1, 0);
    else if (x)
        FN(column_blocks)(rows, n, offsets, NULL, v, NULL, NULL, x, y, 0, 1);
}

/* nv vectors of units over every column: with `add`, column += u; then
   r = the sum of the columns, in column order. */
static FFNN_INLINE void FN(fold_pass)(const size_t nv, size_t cols, size_t ld,
                                      REAL *v, const REAL *u, REAL *r,
                                      const int add)
{
    V uv[4], acc[4];
    size_t i;
    for (i = 0; i < nv; i++) {
        uv[i] = add ? VLOAD(u + i * VL) : VZERO();
        acc[i] = VZERO();
    }
    for (size_t c = 0; c < cols; c++) {
        REAL *col = v + c * ld;
        for (i = 0; i < nv; i++) {
            V w = VLOAD(col + i * VL);
            if (add) {
                w = VADD(w, uv[i]);
                VSTORE(col + i * VL, w);
            }
            acc[i] = VADD(acc[i], w);
        }
    }
    for (i = 0; i < nv; i++)
        VSTORE(r + i * VL, acc[i]);
}

static FFNN_INLINE void FN(fold_blocks)(size_t rows, size_t cols, size_t ld,
                                        REAL *v, const REAL *u, REAL *r,
                                        const int add)
{
    size_t h = 0;
    for (; h + 4 * VL <= rows; h += 4 * VL)
        FN(fold_pass)(4, cols, ld, v + h, add ? u + h : NULL, r + h, add);
    for (; h + VL <= rows; h += VL)
        FN(fold_pass)(1, cols, ld, v + h, add ? u + h : NULL, r + h, add);
    for (; h < rows; h++) {
        REAL sum = 0;
        for (size_t c = 0; c < cols; c++) {
            REAL *w = v + c * ld + h;
            if (add)
                *w = *w + u[h];
            sum = sum + *w;
        }
        r[h] = sum;
    }
}

static void FN(columns_fold)(size_t rows, size_t cols, size_t ld, REAL *v,
                             const REAL *u, REAL *r)
{
    if (u)
        FN(fold_blocks)(rows, cols, ld, v, u, r, 1);
    else
        FN(fold_blocks)(rows, cols, ld, v, NULL, r, 0);
}

/* ---- the batch query's first layer on pixels (sparse/pixel_query_*) ---- */


/* nv vectors (a constant after inlining) of y from entry h on: y = init +
   s[0] wt[at[0] ..] + s[1] wt[at[1] ..] + ..., one chain of VFMAs per entry
   in the order of the ink list, the accumulators in registers. Each row is
   addressed from one pointer, so its loads need no register of their own. */
static FFNN_INLINE void FN(ink_pass)(const size_t nv, size_t n_ink,
                                     const REAL *wt, const size_t *at,
                                     const REAL *s, size_t h,
                                     const REAL *init, REAL *y)
{
    V acc[16];
    size_t i, k;
    const REAL *from = wt + h;
    for (i = 0; i < nv; i++)
        acc[i] = VLOAD(init + h + i * VL);
    for (k = 0; k < n_ink; k++) {
        const V sv = VSET1(s[k]);
        const REAL *c = from + at[k];
        for (i = 0; i < nv; i++)
            acc[i] = VFMA(sv, VLOAD(c + i * VL), acc[i]);
    }
    for (i = 0; i < nv; i++)
        VSTORE(y + h + i * VL, acc[i]);
}

#define FFNN_INK_PASS(nv)                                                      \
    case nv:                                                                   \
        FN(ink_pass)(nv, n_ink, wt, at, s, h, init, y);                        \
        break;

static void FN(ink_matvec)(size_t n, size_t n_ink, const REAL *wt,
                           const size_t *at, const REAL *s, const REAL *init,
                           REAL *y)
{
    /* As many accumulators per pass as the registers hold (32 of AVX-512's
       size, else 16, less room for the broadcast and a load), the vectors
       split evenly between the passes: a pass of few chains would wait on
       the latency of its VFMAs. */
    const size_t most = sizeof(V) >= 64 ? 16 : 12;
    size_t h = 0, nv;
    for (size_t p = 0; (nv = FN(pass_vectors)(n / VL, most, p)) > 0; p++) {
        switch (nv) {
            FFNN_INK_PASS(1) FFNN_INK_PASS(2) FFNN_INK_PASS(3) FFNN_INK_PASS(4)
            FFNN_INK_PASS(5) FFNN_INK_PASS(6) FFNN_INK_PASS(7) FFNN_INK_PASS(8)
            FFNN_INK_PASS(9) FFNN_INK_PASS(10) FFNN_INK_PASS(11)
            FFNN_INK_PASS(12) FFNN_INK_PASS(13) FFNN_INK_PASS(14)
            FFNN_INK_PASS(15) FFNN_INK_PASS(16)
        default:
            break;
        }
        h += nv * VL;
    }
    for (; h < n; h++) {
        REAL sum = init[h];
        for (size_t k = 0; k < n_ink; k++)
            sum = SFMA(s[k], wt[at[k] + h], sum);
        y[h] = sum;
    }
}

#undef FFNN_INK_PASS

/* The same sums for FFNN_INK_GROUP samples at once, over the union of
   their ink (s[k * FFNN_INK_GROUP + g] is sample g's part at row k, zero
   where it has no ink): each row's block of nv vectors is loaded once and
   multiply-added into every sample's accumulators, so W^T streams from the
   cache once per group instead of once per sample. A zero part adds an
   exact zero, so each sample's sums are those of ink_matvec on its own ink
   in the same order. */
static FFNN_INLINE void FN(ink_group_pass)(const size_t nv, size_t n_ink,
                                           const REAL *wt, const size_t *at,
                                           const REAL *s, size_t h,
                                           const REAL *init, REAL *const *y)
{
    enum { G = FFNN_INK_GROUP };
    V acc[G][7];
    size_t g, i, k;
    const REAL *from = wt + h;
    for (i = 0; i < nv; i++) {
        const V v = VLOAD(init + h + i * VL);
        for (g = 0; g < G; g++)
            acc[g][i] = v;
    }
    for (k = 0; k < n_ink; k++) {
        const REAL *c = from + at[k];
        const REAL *sk = s + k * G;
        for (i = 0; i < nv; i++) {
            const V w = VLOAD(c + i * VL);
            for (g = 0; g < G; g++)
                acc[g][i] = VFMA(VSET1(sk[g]), w, acc[g][i]);
        }
    }
    for (g = 0; g < G; g++)
        for (i = 0; i < nv; i++)
            VSTORE(y[g] + h + i * VL, acc[g][i]);
}

#define FFNN_INK_GROUP_PASS(nv)                                                \
    case nv:                                                                   \
        FN(ink_group_pass)(nv, n_ink, wt, at, s, h, init, y);                  \
        break;

static void FN(ink_group_matvec)(size_t n, size_t n_ink, const REAL *wt,
                                 const size_t *at, const REAL *s,
                                 const REAL *init, REAL *const *y)
{
    /* A pass holds FFNN_INK_GROUP accumulators per vector: as many vectors
       as leave a register or so for the row's loads (AVX-512's 32, else
       16), split evenly between the passes. Measured on MNIST's test
       images with 200 hidden nodes in float: passes of 7 vectors beat 6 in
       float; groups of 2 (one pass of 13) and of 8 (3 vectors) lose. */
    const size_t most = sizeof(V) >= 64 ? 7 : 3;
    size_t h = 0, nv;
    for (size_t p = 0; (nv = FN(pass_vectors)(n / VL, most, p)) > 0; p++) {
        switch (nv) {
            FFNN_INK_GROUP_PASS(1) FFNN_INK_GROUP_PASS(2)
            FFNN_INK_GROUP_PASS(3) FFNN_INK_GROUP_PASS(4)
            FFNN_INK_GROUP_PASS(5) FFNN_INK_GROUP_PASS(6)
            FFNN_INK_GROUP_PASS(7)
        default:
            break;
        }
        h += nv * VL;
    }
    for (; h < n; h++)
        for (size_t g = 0; g < FFNN_INK_GROUP; g++) {
            REAL sum = init[h];
            for (size_t k = 0; k < n_ink; k++)
                sum = SFMA(s[k * FFNN_INK_GROUP + g], wt[at[k] + h], sum);
            y[g][h] = sum;
        }
}

#undef FFNN_INK_GROUP_PASS

const struct TABLE FFNN_PASTE(ffnn, SUFFIX) = {
    FN(matvec),       FN(matvec_t),      FN(sigmoid),
    FN(logit),        FN(outer_update),  FN(update_matvec),
    FN(matvec_t_update), FN(matmat),     FN(columns_update_dot),
    FN(columns_fold),
    /* the batch query on pixels */
    .lanes = VL, .ink_matvec = FN(ink_matvec),
    .ink_group_matvec = FN(ink_group_matvec),
    /* The union of a group's ink is about twice its samples' own (MNIST),
       so the group's multiply-adds double: that pays only where 32
       registers hold a group's accumulators over wide blocks of W^T's
       rows (benchmarks/bench_train.py; with AVX2 it is a fifth slower). */
    .ink_group_pays = sizeof(V) >= 64,
};

#undef REAL
#undef SUFFIX
#undef TABLE
#undef EXP
#undef LOG
#undef V
#undef VL
#undef VZERO
#undef VSET1
#undef VLOAD
#undef VSTORE
#undef VFMA
#undef VADD
#undef VSUM
#undef SFMA
#undef SIGMOID_KERNEL
