/*
 * The AVX-512F level (x86-64). Built with -mavx512f -mfma (MSVC:
 * /arch:AVX512) as its own library, and only ever called after dispatch.c
 * has seen AVX-512F, FMA and the OS's saving of the ZMM registers.
 */
#include "kernels/kernel_table.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#include <math.h>

/* 32 vector registers: a pass of the sparse first layer's sweep carries up
   to 16 vectors of units (simd_template.h). */
#define FFNN_SPARSE_PASS_VECTORS 16

/* What simd_template.h defines at this level, by full name: the kernels
   of the tables ffnn_avx512_f32 and ffnn_avx512_f64 (kernels/kernel_table.h)
   and the inlined blocks they run through (rows, row_pass, tile_rows,
   tile, t_update_blocks, t_update_pass, column_blocks, column_pass_of,
   column_pass, ink_pass,
   ink_group_pass). */
static ffnn_update_matvec_kernel_f32 update_matvec_avx512_f32;
static ffnn_update_matvec_kernel_f64 update_matvec_avx512_f64;
static ffnn_outer_update_kernel_f32 outer_update_avx512_f32;
static ffnn_outer_update_kernel_f64 outer_update_avx512_f64;
static ffnn_matvec_kernel_f32 matvec_avx512_f32;
static ffnn_matvec_kernel_f64 matvec_avx512_f64;
static ffnn_rows_kernel_f32 rows_avx512_f32;
static ffnn_rows_kernel_f64 rows_avx512_f64;
static ffnn_row_pass_kernel_f32 row_pass_avx512_f32;
static ffnn_row_pass_kernel_f64 row_pass_avx512_f64;
static ffnn_matvec_t_update_kernel_f32 matvec_t_update_avx512_f32;
static ffnn_matvec_t_update_kernel_f64 matvec_t_update_avx512_f64;
static ffnn_t_update_blocks_kernel_f32 t_update_blocks_avx512_f32;
static ffnn_t_update_blocks_kernel_f64 t_update_blocks_avx512_f64;
static ffnn_t_update_pass_kernel_f32 t_update_pass_avx512_f32;
static ffnn_t_update_pass_kernel_f64 t_update_pass_avx512_f64;
static ffnn_matvec_kernel_f32 matvec_t_avx512_f32;
static ffnn_matvec_kernel_f64 matvec_t_avx512_f64;
static ffnn_matmat_kernel_f32 matmat_avx512_f32;
static ffnn_matmat_kernel_f64 matmat_avx512_f64;
static ffnn_tile_rows_kernel_f32 tile_rows_avx512_f32;
static ffnn_tile_rows_kernel_f64 tile_rows_avx512_f64;
static ffnn_tile_kernel_f32 tile_avx512_f32;
static ffnn_tile_kernel_f64 tile_avx512_f64;
static ffnn_map_kernel_f32 sigmoid_avx512_f32;
static ffnn_map_kernel_f64 sigmoid_avx512_f64;
static ffnn_map_kernel_f32 logit_avx512_f32;
static ffnn_map_kernel_f64 logit_avx512_f64;
static ffnn_columns_update_dot_kernel_f32 columns_update_dot_avx512_f32;
static ffnn_columns_update_dot_kernel_f64 columns_update_dot_avx512_f64;
static ffnn_column_pass_kernel_f32 column_blocks_avx512_f32;
static ffnn_column_pass_kernel_f64 column_blocks_avx512_f64;
static ffnn_column_pass_kernel_f32 column_pass_of_avx512_f32;
static ffnn_column_pass_kernel_f64 column_pass_of_avx512_f64;
static ffnn_column_pass_kernel_f32 column_pass_avx512_f32;
static ffnn_column_pass_kernel_f64 column_pass_avx512_f64;
static ffnn_columns_fold_kernel_f32 columns_fold_avx512_f32;
static ffnn_columns_fold_kernel_f64 columns_fold_avx512_f64;
static ffnn_ink_matvec_kernel_f32 ink_matvec_avx512_f32;
static ffnn_ink_matvec_kernel_f64 ink_matvec_avx512_f64;
static ffnn_ink_pass_kernel_f32 ink_pass_avx512_f32;
static ffnn_ink_pass_kernel_f64 ink_pass_avx512_f64;
static ffnn_ink_group_matvec_kernel_f32 ink_group_matvec_avx512_f32;
static ffnn_ink_group_matvec_kernel_f64 ink_group_matvec_avx512_f64;
static ffnn_ink_group_pass_kernel_f32 ink_group_pass_avx512_f32;
static ffnn_ink_group_pass_kernel_f64 ink_group_pass_avx512_f64;

/*
 * The sigmoid in vectors: 1 / (1 + z) for x >= 0 and z / (1 + z) below, with
 * z = e^-|x| (never overflows). e^a for a <= 0: a = k ln2 + r with |r| <=
 * ln2 / 2 (ln2 in two parts, so r is exact), e^r by its Taylor series (to
 * r^7 for float, r^13 for double: truncation below a tenth of an ulp), then
 * times 2^k with scalef, which also rounds correctly into the subnormals.
 * The tail uses masked loads and stores, so every element goes through the
 * same operations wherever a thread's share of a vector starts.
 */
#define LN2 0.6931471805599453094

/* 1 / j! for j = 0 .. 13. */
static const double INVERSE_FACTORIAL[14] = {
    1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
    1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800,
    1.0 / 479001600, 1.0 / 6227020800.0};

static void sigmoid_vec_f32(size_t n, const float *x, float *y)
{
    const __m512 one = _mm512_set1_ps(1), zero = _mm512_setzero_ps();
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = n - i >= 16 ? (__mmask16)0xffff
                                        : (__mmask16)((1u << (n - i)) - 1);
        const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        /* -|v|, held above -200 where e^a is 0 anyway; a NaN stays NaN. */
        const __m512 a = _mm512_max_ps(_mm512_set1_ps(-200),
                                       _mm512_sub_ps(zero, _mm512_abs_ps(v)));
        const __m512 k = _mm512_roundscale_ps(
            _mm512_mul_ps(a, _mm512_set1_ps((float)(1 / LN2))), 0);
        __m512 r = _mm512_fmadd_ps(k, _mm512_set1_ps(-0.693145751953125f), a);
        r = _mm512_fmadd_ps(k, _mm512_set1_ps(-1.428606765330187e-06f), r);
        __m512 p = _mm512_set1_ps((float)INVERSE_FACTORIAL[7]);
        for (int j = 6; j >= 0; j--)
            p = _mm512_fmadd_ps(p, r, _mm512_set1_ps((float)INVERSE_FACTORIAL[j]));
        const __m512 z = _mm512_scalef_ps(p, k), d = _mm512_add_ps(one, z);
        const __mmask16 nonneg = _mm512_cmp_ps_mask(v, zero, _CMP_GE_OQ);
        _mm512_mask_storeu_ps(y + i, m,
                              _mm512_mask_blend_ps(nonneg, _mm512_div_ps(z, d),
                                                   _mm512_div_ps(one, d)));
    }
}

static void sigmoid_vec_f64(size_t n, const double *x, double *y)
{
    const __m512d one = _mm512_set1_pd(1), zero = _mm512_setzero_pd();
    for (size_t i = 0; i < n; i += 8) {
        const __mmask8 m = n - i >= 8 ? (__mmask8)0xff
                                      : (__mmask8)((1u << (n - i)) - 1);
        const __m512d v = _mm512_maskz_loadu_pd(m, x + i);
        const __m512d a = _mm512_max_pd(_mm512_set1_pd(-1000),
                                        _mm512_sub_pd(zero, _mm512_abs_pd(v)));
        const __m512d k = _mm512_roundscale_pd(
            _mm512_mul_pd(a, _mm512_set1_pd(1 / LN2)), 0);
        __m512d r = _mm512_fmadd_pd(k, _mm512_set1_pd(-6.93147180369123816490e-01), a);
        r = _mm512_fmadd_pd(k, _mm512_set1_pd(-1.90821492927058770002e-10), r);
        __m512d p = _mm512_set1_pd(INVERSE_FACTORIAL[13]);
        for (int j = 12; j >= 0; j--)
            p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(INVERSE_FACTORIAL[j]));
        const __m512d z = _mm512_scalef_pd(p, k), d = _mm512_add_pd(one, z);
        const __mmask8 nonneg = _mm512_cmp_pd_mask(v, zero, _CMP_GE_OQ);
        _mm512_mask_storeu_pd(y + i, m,
                              _mm512_mask_blend_pd(nonneg, _mm512_div_pd(z, d),
                                                   _mm512_div_pd(one, d)));
    }
}

/* Defines the table ffnn_avx512_f32. */
#define REAL float
#define SUFFIX _avx512_f32
#define TABLE ffnn_kernels_f32
#define EXP expf
#define LOG logf
#define V __m512
#define VL 16
#define VZERO() _mm512_setzero_ps()
#define VSET1(s) _mm512_set1_ps(s)
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VSUM(v) _mm512_reduce_add_ps(v)
#define SFMA(a, b, c) fmaf((a), (b), (c))
#define SIGMOID_KERNEL sigmoid_vec_f32
#include "simd_template.h"

/* Defines the table ffnn_avx512_f64. */
#define REAL double
#define SUFFIX _avx512_f64
#define TABLE ffnn_kernels_f64
#define EXP exp
#define LOG log
#define V __m512d
#define VL 8
#define VZERO() _mm512_setzero_pd()
#define VSET1(s) _mm512_set1_pd(s)
#define VLOAD(p) _mm512_loadu_pd(p)
#define VSTORE(p, v) _mm512_storeu_pd((p), (v))
#define VFMA(a, b, c) _mm512_fmadd_pd((a), (b), (c))
#define VADD(a, b) _mm512_add_pd((a), (b))
#define VSUM(v) _mm512_reduce_add_pd(v)
#define SFMA(a, b, c) fma((a), (b), (c))
#define SIGMOID_KERNEL sigmoid_vec_f64
#include "simd_template.h"

#elif defined(__x86_64__) || defined(_M_X64)
/* dispatch.c offers this level on every x86-64 target. */
#error "simd_avx512.c must be compiled with -mavx512f -mfma (MSVC: /arch:AVX512) on x86-64"
#else
/* Not an x86-64 target. ISO C forbids an empty translation unit. */
typedef int ffnn_no_avx512;
#endif
