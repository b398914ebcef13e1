/*
 * Internal to the C core (not part of the API in ffnn.h): the table of
 * kernels that each SIMD level provides.
 *
 * simd_template.h fills one table per level and precision; dispatch.c picks
 * the table of the level in use; public_kernels.c, the network code in
 * core/ and the binding's test module (src/ffnn/_testing.pyx) only ever
 * call through it.
 */
#ifndef FFNN_KERNEL_TABLE_H
#define FFNN_KERNEL_TABLE_H

#include <stdint.h>

#include "ffnn.h"

/* The kernels' building blocks must be inlined so their flags and block
   sizes become constants. */
#if defined(__GNUC__) || defined(__clang__)
#define FFNN_INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define FFNN_INLINE __forceinline
#else
#define FFNN_INLINE inline
#endif

/*
 * Besides the single kernels (matvec, matvec_t, sigmoid, logit, outer_update;
 * ffnn.h makes sigmoid and logit public), each level has three fused ones:
 *   update_matvec: for r in rows, W[r] += (scale * a[r]) * b, then
 *       y[r] = W[r] . x with the updated row (one pass over W). a == NULL
 *       skips the update, y == NULL the product.
 *   matvec_t_update: over columns c0 .. c1 - 1 only, y = W^T e with W as it
 *       was, then W[r] += (scale * a[r]) * b (one pass over W).
 *   matmat: Y (n, rows) = X (n, cols) W^T, register- and cache-blocked;
 * two for the sparse first layer (csrc/sparse/), on a column-major V
 * whose column c (rows entries, the hidden units) is at v + c * ld:
 *   columns_update_dot: for j in 0 .. n - 1, the column at v + offsets[j]
 *       += (the rows entries at g + g_offsets[j]) * a[j], then y += column
 *       * x[j] with the updated column (y accumulates). a == NULL skips the
 *       update, x == NULL the product (y unused).
 *   columns_fold: every column += u (u == NULL: none), then r = the sum of
 *       the columns, in column order;
 * and, for the batch query on pixels (csrc/sparse/pixel_query_*), the
 * level's vector width and
 *   ink_matvec: y[h] = init[h] + sum over k < n_ink of s[k] wt[at[k] + h]
 *       for h < n, the terms in the order of k: the first layer's sums of
 *       one sample from the rows of W^T (columns of W, contiguous) at its
 *       ink pixels; whole vectors while `lanes` more entries remain, each
 *       entry the same chain of multiply-adds either way.
 *   ink_group_matvec: ink_matvec for FFNN_INK_GROUP samples at once, over
 *       the union of their ink: y[g][h] = init[h] + sum over k < n_ink of
 *       s[k * FFNN_INK_GROUP + g] wt[at[k] + h], s zero where sample g has
 *       no ink; each entry the chain of ink_matvec on that sample's own
 *       ink, bit for bit (a zero part adds an exact zero), with W^T's rows
 *       loaded once for the group; ink_group_pays says whether the pixel
 *       query should use it at this level (it does more multiply-adds).
 * Every entry of a result goes through the same operations whatever block
 * or thread computes it, so splitting rows or columns between threads
 * never changes a bit.
 */
/* The kernels' types, a float and a double twin each: the table's entries
   point to functions of these types, and each level (simd_<level>.c)
   declares its kernels by them under their full names (matvec_avx2_f32,
   ...) before simd_template.h defines them. */
typedef void ffnn_matvec_kernel_f32(size_t rows, size_t cols, const float *w,
                                    const float *x, float *y);
typedef void ffnn_matvec_kernel_f64(size_t rows, size_t cols, const double *w,
                                    const double *x, double *y);
/* sigmoid and logit */
typedef void ffnn_map_kernel_f32(size_t n, const float *x, float *y);
typedef void ffnn_map_kernel_f64(size_t n, const double *x, double *y);
typedef void ffnn_outer_update_kernel_f32(size_t rows, size_t cols, float *w,
                                          float scale, const float *a,
                                          const float *b);
typedef void ffnn_outer_update_kernel_f64(size_t rows, size_t cols, double *w,
                                          double scale, const double *a,
                                          const double *b);
typedef void ffnn_update_matvec_kernel_f32(size_t rows, size_t cols, float *w,
                                           float scale, const float *a,
                                           const float *b, const float *x,
                                           float *y);
typedef void ffnn_update_matvec_kernel_f64(size_t rows, size_t cols, double *w,
                                           double scale, const double *a,
                                           const double *b, const double *x,
                                           double *y);
typedef void ffnn_matvec_t_update_kernel_f32(size_t rows, size_t cols,
                                             size_t c0, size_t c1, float *w,
                                             const float *e, float scale,
                                             const float *a, const float *b,
                                             float *y);
typedef void ffnn_matvec_t_update_kernel_f64(size_t rows, size_t cols,
                                             size_t c0, size_t c1, double *w,
                                             const double *e, double scale,
                                             const double *a, const double *b,
                                             double *y);
typedef void ffnn_matmat_kernel_f32(size_t n, size_t rows, size_t cols,
                                    const float *w, const float *x, float *y);
typedef void ffnn_matmat_kernel_f64(size_t n, size_t rows, size_t cols,
                                    const double *w, const double *x, double *y);
typedef void ffnn_columns_update_dot_kernel_f32(
    size_t rows, size_t n, const size_t *offsets, const size_t *g_offsets,
    float *v, const float *g, const float *a, const float *x, float *y);
typedef void ffnn_columns_update_dot_kernel_f64(
    size_t rows, size_t n, const size_t *offsets, const size_t *g_offsets,
    double *v, const double *g, const double *a, const double *x, double *y);
typedef void ffnn_columns_fold_kernel_f32(size_t rows, size_t cols, size_t ld,
                                          float *v, const float *u, float *r);
typedef void ffnn_columns_fold_kernel_f64(size_t rows, size_t cols, size_t ld,
                                          double *v, const double *u, double *r);
typedef void ffnn_ink_matvec_kernel_f32(size_t n, size_t n_ink, const float *wt,
                                        const size_t *at, const float *s,
                                        const float *init, float *y);
typedef void ffnn_ink_matvec_kernel_f64(size_t n, size_t n_ink, const double *wt,
                                        const size_t *at, const double *s,
                                        const double *init, double *y);
typedef void ffnn_ink_group_matvec_kernel_f32(size_t n, size_t n_ink,
                                              const float *wt, const size_t *at,
                                              const float *s, const float *init,
                                              float *const *y);
typedef void ffnn_ink_group_matvec_kernel_f64(size_t n, size_t n_ink,
                                              const double *wt, const size_t *at,
                                              const double *s, const double *init,
                                              double *const *y);

/* The table of a level and precision P (f32, f64), of the types above. */
#define FFNN_DECLARE_TABLE(P)                                                  \
    struct ffnn_kernels_##P {                                                  \
        ffnn_matvec_kernel_##P *matvec;                                        \
        ffnn_matvec_kernel_##P *matvec_t; /* y = W^T e */                      \
        ffnn_map_kernel_##P *sigmoid;                                          \
        ffnn_map_kernel_##P *logit;                                            \
        ffnn_outer_update_kernel_##P *outer_update;                            \
        ffnn_update_matvec_kernel_##P *update_matvec;                          \
        ffnn_matvec_t_update_kernel_##P *matvec_t_update;                      \
        ffnn_matmat_kernel_##P *matmat;                                        \
        ffnn_columns_update_dot_kernel_##P *columns_update_dot;                \
        ffnn_columns_fold_kernel_##P *columns_fold;                            \
        /* The batch query on pixels (sparse/pixel_query_template.h). */       \
        size_t lanes;                                                          \
        ffnn_ink_matvec_kernel_##P *ink_matvec;                                \
        ffnn_ink_group_matvec_kernel_##P *ink_group_matvec;                    \
        int ink_group_pays; /* the query takes groups, not single samples */   \
    }

FFNN_DECLARE_TABLE(f32);
FFNN_DECLARE_TABLE(f64);

/* The shapes of the kernels' inlined building blocks in simd_template.h,
   for the levels' declarations of them by their full names (rows_avx2_f32,
   ...): the flags and block sizes become constants where they are
   inlined. */
typedef void ffnn_row_pass_kernel_f32(size_t nr, size_t cols, float *const *w,
                                      const float *s, const float *b,
                                      const float *x, float *y, int update,
                                      int dot);
typedef void ffnn_row_pass_kernel_f64(size_t nr, size_t cols, double *const *w,
                                      const double *s, const double *b,
                                      const double *x, double *y, int update,
                                      int dot);
typedef void ffnn_rows_kernel_f32(size_t rows, size_t cols, float *w,
                                  float scale, const float *a, const float *b,
                                  const float *x, float *y, int update, int dot);
typedef void ffnn_rows_kernel_f64(size_t rows, size_t cols, double *w,
                                  double scale, const double *a, const double *b,
                                  const double *x, double *y, int update, int dot);
typedef void ffnn_tile_kernel_f32(size_t ns, size_t nr, size_t cols,
                                  const float *w, const float *x, float *y,
                                  size_t ldy);
typedef void ffnn_tile_kernel_f64(size_t ns, size_t nr, size_t cols,
                                  const double *w, const double *x, double *y,
                                  size_t ldy);
typedef void ffnn_tile_rows_kernel_f32(size_t ns, size_t r0, size_t r1,
                                       size_t rows, size_t cols, const float *w,
                                       const float *x, float *y);
typedef void ffnn_tile_rows_kernel_f64(size_t ns, size_t r0, size_t r1,
                                       size_t rows, size_t cols, const double *w,
                                       const double *x, double *y);
/* matvec_t_update's blocks of columns (t_update_blocks) and its pass over
   nv vectors of them (t_update_pass) */
typedef void ffnn_t_update_blocks_kernel_f32(size_t rows, size_t cols, size_t c0,
                                             size_t c1, float *w, const float *e,
                                             float scale, const float *a,
                                             const float *b, float *y, int update);
typedef void ffnn_t_update_blocks_kernel_f64(size_t rows, size_t cols, size_t c0,
                                             size_t c1, double *w, const double *e,
                                             double scale, const double *a,
                                             const double *b, double *y, int update);
typedef void ffnn_t_update_pass_kernel_f32(size_t nv, size_t rows, size_t cols,
                                           size_t c, float *w, const float *e,
                                           float scale, const float *a,
                                           const float *b, float *y, int update);
typedef void ffnn_t_update_pass_kernel_f64(size_t nv, size_t rows, size_t cols,
                                           size_t c, double *w, const double *e,
                                           double scale, const double *a,
                                           const double *b, double *y, int update);
/* column_blocks (nv: the units), column_pass_of and column_pass (nv:
   vectors of them) */
typedef void ffnn_column_pass_kernel_f32(size_t nv, size_t n,
                                         const size_t *offsets,
                                         const size_t *g_offsets, float *v,
                                         const float *g, const float *a,
                                         const float *x, float *y, int update,
                                         int dot);
typedef void ffnn_column_pass_kernel_f64(size_t nv, size_t n,
                                         const size_t *offsets,
                                         const size_t *g_offsets, double *v,
                                         const double *g, const double *a,
                                         const double *x, double *y, int update,
                                         int dot);
typedef void ffnn_ink_pass_kernel_f32(size_t nv, size_t n_ink, const float *wt,
                                      const size_t *at, const float *s, size_t h,
                                      const float *init, float *y);
typedef void ffnn_ink_pass_kernel_f64(size_t nv, size_t n_ink, const double *wt,
                                      const size_t *at, const double *s, size_t h,
                                      const double *init, double *y);
typedef void ffnn_ink_group_pass_kernel_f32(size_t nv, size_t n_ink,
                                            const float *wt, const size_t *at,
                                            const float *s, size_t h,
                                            const float *init, float *const *y);
typedef void ffnn_ink_group_pass_kernel_f64(size_t nv, size_t n_ink,
                                            const double *wt, const size_t *at,
                                            const double *s, size_t h,
                                            const double *init, double *const *y);

/* The first 64-byte boundary at or after p: arrays that start there never
   have a vector load straddle two cache lines. The callers allocate 64
   bytes more than they use. */
static inline void *ffnn_cache_aligned(void *p)
{
    return (char *)p + ((64 - (uintptr_t)p % 64) % 64);
}

/* The samples ink_group_matvec takes at once. */
#define FFNN_INK_GROUP 4

/* The tables of the levels this build has (see dispatch.c). */
extern const struct ffnn_kernels_f32 ffnn_scalar_f32, ffnn_avx2_f32,
    ffnn_avx512_f32, ffnn_neon_f32;
extern const struct ffnn_kernels_f64 ffnn_scalar_f64, ffnn_avx2_f64,
    ffnn_avx512_f64, ffnn_neon_f64;

/* The tables of the level in use. */
const struct ffnn_kernels_f32 *ffnn_kernels_active_f32(void);
const struct ffnn_kernels_f64 *ffnn_kernels_active_f64(void);

#endif /* FFNN_KERNEL_TABLE_H */
