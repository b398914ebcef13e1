/*
 * The NEON level (arm64, where Advanced SIMD is always present).
 */
#include "kernels/kernel_table.h"

#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>
#include <math.h>

/* What simd_template.h defines at this level, by full name: the kernels
   of the tables ffnn_neon_f32 and ffnn_neon_f64 (kernels/kernel_table.h)
   and the inlined blocks they run through (rows, row_pass, tile_rows,
   tile, t_update_blocks, t_update_pass, column_blocks, column_pass_of,
   column_pass, ink_pass,
   ink_group_pass). */
static ffnn_update_matvec_kernel_f32 update_matvec_neon_f32;
static ffnn_update_matvec_kernel_f64 update_matvec_neon_f64;
static ffnn_outer_update_kernel_f32 outer_update_neon_f32;
static ffnn_outer_update_kernel_f64 outer_update_neon_f64;
static ffnn_matvec_kernel_f32 matvec_neon_f32;
static ffnn_matvec_kernel_f64 matvec_neon_f64;
static ffnn_rows_kernel_f32 rows_neon_f32;
static ffnn_rows_kernel_f64 rows_neon_f64;
static ffnn_row_pass_kernel_f32 row_pass_neon_f32;
static ffnn_row_pass_kernel_f64 row_pass_neon_f64;
static ffnn_matvec_t_update_kernel_f32 matvec_t_update_neon_f32;
static ffnn_matvec_t_update_kernel_f64 matvec_t_update_neon_f64;
static ffnn_t_update_blocks_kernel_f32 t_update_blocks_neon_f32;
static ffnn_t_update_blocks_kernel_f64 t_update_blocks_neon_f64;
static ffnn_t_update_pass_kernel_f32 t_update_pass_neon_f32;
static ffnn_t_update_pass_kernel_f64 t_update_pass_neon_f64;
static ffnn_matvec_kernel_f32 matvec_t_neon_f32;
static ffnn_matvec_kernel_f64 matvec_t_neon_f64;
static ffnn_matmat_kernel_f32 matmat_neon_f32;
static ffnn_matmat_kernel_f64 matmat_neon_f64;
static ffnn_tile_rows_kernel_f32 tile_rows_neon_f32;
static ffnn_tile_rows_kernel_f64 tile_rows_neon_f64;
static ffnn_tile_kernel_f32 tile_neon_f32;
static ffnn_tile_kernel_f64 tile_neon_f64;
static ffnn_map_kernel_f32 sigmoid_neon_f32;
static ffnn_map_kernel_f64 sigmoid_neon_f64;
static ffnn_map_kernel_f32 logit_neon_f32;
static ffnn_map_kernel_f64 logit_neon_f64;
static ffnn_columns_update_dot_kernel_f32 columns_update_dot_neon_f32;
static ffnn_columns_update_dot_kernel_f64 columns_update_dot_neon_f64;
static ffnn_column_pass_kernel_f32 column_blocks_neon_f32;
static ffnn_column_pass_kernel_f64 column_blocks_neon_f64;
static ffnn_column_pass_kernel_f32 column_pass_of_neon_f32;
static ffnn_column_pass_kernel_f64 column_pass_of_neon_f64;
static ffnn_column_pass_kernel_f32 column_pass_neon_f32;
static ffnn_column_pass_kernel_f64 column_pass_neon_f64;
static ffnn_columns_fold_kernel_f32 columns_fold_neon_f32;
static ffnn_columns_fold_kernel_f64 columns_fold_neon_f64;
static ffnn_ink_matvec_kernel_f32 ink_matvec_neon_f32;
static ffnn_ink_matvec_kernel_f64 ink_matvec_neon_f64;
static ffnn_ink_pass_kernel_f32 ink_pass_neon_f32;
static ffnn_ink_pass_kernel_f64 ink_pass_neon_f64;
static ffnn_ink_group_matvec_kernel_f32 ink_group_matvec_neon_f32;
static ffnn_ink_group_matvec_kernel_f64 ink_group_matvec_neon_f64;
static ffnn_ink_group_pass_kernel_f32 ink_group_pass_neon_f32;
static ffnn_ink_group_pass_kernel_f64 ink_group_pass_neon_f64;

/* Defines the table ffnn_neon_f32. */
#define REAL float
#define SUFFIX _neon_f32
#define TABLE ffnn_kernels_f32
#define EXP expf
#define LOG logf
#define V float32x4_t
#define VL 4
#define VZERO() vdupq_n_f32(0)
#define VSET1(s) vdupq_n_f32(s)
#define VLOAD(p) vld1q_f32(p)
#define VSTORE(p, v) vst1q_f32((p), (v))
#define VFMA(a, b, c) vfmaq_f32((c), (a), (b))
#define VADD(a, b) vaddq_f32((a), (b))
#define VSUM(v) vaddvq_f32(v)
#define SFMA(a, b, c) fmaf((a), (b), (c))
#include "simd_template.h"

/* Defines the table ffnn_neon_f64. */
#define REAL double
#define SUFFIX _neon_f64
#define TABLE ffnn_kernels_f64
#define EXP exp
#define LOG log
#define V float64x2_t
#define VL 2
#define VZERO() vdupq_n_f64(0)
#define VSET1(s) vdupq_n_f64(s)
#define VLOAD(p) vld1q_f64(p)
#define VSTORE(p, v) vst1q_f64((p), (v))
#define VFMA(a, b, c) vfmaq_f64((c), (a), (b))
#define VADD(a, b) vaddq_f64((a), (b))
#define VSUM(v) vaddvq_f64(v)
#define SFMA(a, b, c) fma((a), (b), (c))
#include "simd_template.h"

#else
/* ISO C forbids an empty translation unit. */
typedef int ffnn_no_neon;
#endif
