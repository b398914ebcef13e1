/*
 * The AVX2 + FMA level (x86-64). Built with -mavx2 -mfma (MSVC:
 * /arch:AVX2) as its own library, and only ever called after dispatch.c has
 * seen AVX2, FMA and the OS's saving of the YMM registers.
 */
#include "kernels/kernel_table.h"

#if defined(__AVX2__)
#include <immintrin.h>
#include <math.h>

/* What simd_template.h defines at this level, by full name: the kernels
   of the tables ffnn_avx2_f32 and ffnn_avx2_f64 (kernels/kernel_table.h)
   and the inlined blocks they run through (rows, row_pass, tile_rows,
   tile, t_update_blocks, t_update_pass, column_blocks, column_pass_of,
   column_pass, ink_pass,
   ink_group_pass). */
static ffnn_update_matvec_kernel_f32 update_matvec_avx2_f32;
static ffnn_update_matvec_kernel_f64 update_matvec_avx2_f64;
static ffnn_outer_update_kernel_f32 outer_update_avx2_f32;
static ffnn_outer_update_kernel_f64 outer_update_avx2_f64;
static ffnn_matvec_kernel_f32 matvec_avx2_f32;
static ffnn_matvec_kernel_f64 matvec_avx2_f64;
static ffnn_rows_kernel_f32 rows_avx2_f32;
static ffnn_rows_kernel_f64 rows_avx2_f64;
static ffnn_row_pass_kernel_f32 row_pass_avx2_f32;
static ffnn_row_pass_kernel_f64 row_pass_avx2_f64;
static ffnn_matvec_t_update_kernel_f32 matvec_t_update_avx2_f32;
static ffnn_matvec_t_update_kernel_f64 matvec_t_update_avx2_f64;
static ffnn_t_update_blocks_kernel_f32 t_update_blocks_avx2_f32;
static ffnn_t_update_blocks_kernel_f64 t_update_blocks_avx2_f64;
static ffnn_t_update_pass_kernel_f32 t_update_pass_avx2_f32;
static ffnn_t_update_pass_kernel_f64 t_update_pass_avx2_f64;
static ffnn_matvec_kernel_f32 matvec_t_avx2_f32;
static ffnn_matvec_kernel_f64 matvec_t_avx2_f64;
static ffnn_matmat_kernel_f32 matmat_avx2_f32;
static ffnn_matmat_kernel_f64 matmat_avx2_f64;
static ffnn_tile_rows_kernel_f32 tile_rows_avx2_f32;
static ffnn_tile_rows_kernel_f64 tile_rows_avx2_f64;
static ffnn_tile_kernel_f32 tile_avx2_f32;
static ffnn_tile_kernel_f64 tile_avx2_f64;
static ffnn_map_kernel_f32 sigmoid_avx2_f32;
static ffnn_map_kernel_f64 sigmoid_avx2_f64;
static ffnn_map_kernel_f32 logit_avx2_f32;
static ffnn_map_kernel_f64 logit_avx2_f64;
static ffnn_columns_update_dot_kernel_f32 columns_update_dot_avx2_f32;
static ffnn_columns_update_dot_kernel_f64 columns_update_dot_avx2_f64;
static ffnn_column_pass_kernel_f32 column_blocks_avx2_f32;
static ffnn_column_pass_kernel_f64 column_blocks_avx2_f64;
static ffnn_column_pass_kernel_f32 column_pass_of_avx2_f32;
static ffnn_column_pass_kernel_f64 column_pass_of_avx2_f64;
static ffnn_column_pass_kernel_f32 column_pass_avx2_f32;
static ffnn_column_pass_kernel_f64 column_pass_avx2_f64;
static ffnn_columns_fold_kernel_f32 columns_fold_avx2_f32;
static ffnn_columns_fold_kernel_f64 columns_fold_avx2_f64;
static ffnn_ink_matvec_kernel_f32 ink_matvec_avx2_f32;
static ffnn_ink_matvec_kernel_f64 ink_matvec_avx2_f64;
static ffnn_ink_pass_kernel_f32 ink_pass_avx2_f32;
static ffnn_ink_pass_kernel_f64 ink_pass_avx2_f64;
static ffnn_ink_group_matvec_kernel_f32 ink_group_matvec_avx2_f32;
static ffnn_ink_group_matvec_kernel_f64 ink_group_matvec_avx2_f64;
static ffnn_ink_group_pass_kernel_f32 ink_group_pass_avx2_f32;
static ffnn_ink_group_pass_kernel_f64 ink_group_pass_avx2_f64;

static inline float hsum_f32(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline double hsum_f64(__m256d v)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
    return _mm_cvtsd_f64(s);
}

/* Defines the table ffnn_avx2_f32. */
#define REAL float
#define SUFFIX _avx2_f32
#define TABLE ffnn_kernels_f32
#define EXP expf
#define LOG logf
#define V __m256
#define VL 8
#define VZERO() _mm256_setzero_ps()
#define VSET1(s) _mm256_set1_ps(s)
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VSUM(v) hsum_f32(v)
#define SFMA(a, b, c) fmaf((a), (b), (c))
#include "simd_template.h"

/* Defines the table ffnn_avx2_f64. */
#define REAL double
#define SUFFIX _avx2_f64
#define TABLE ffnn_kernels_f64
#define EXP exp
#define LOG log
#define V __m256d
#define VL 4
#define VZERO() _mm256_setzero_pd()
#define VSET1(s) _mm256_set1_pd(s)
#define VLOAD(p) _mm256_loadu_pd(p)
#define VSTORE(p, v) _mm256_storeu_pd((p), (v))
#define VFMA(a, b, c) _mm256_fmadd_pd((a), (b), (c))
#define VADD(a, b) _mm256_add_pd((a), (b))
#define VSUM(v) hsum_f64(v)
#define SFMA(a, b, c) fma((a), (b), (c))
#include "simd_template.h"

#elif defined(__x86_64__) || defined(_M_X64)
/* dispatch.c offers this level on every x86-64 target. */
#error "simd_avx2.c must be compiled with -mavx2 -mfma (MSVC: /arch:AVX2) on x86-64"
#else
/* Not an x86-64 target. ISO C forbids an empty translation unit. */
typedef int ffnn_no_avx2;
#endif
