/*
 * The scalar level: plain C that compiles everywhere, one element per
 * "vector". Always built; every other level is held against it.
 */
#include <math.h>

#include "kernels/kernel_table.h"

/* What simd_template.h defines at this level, by full name: the kernels
   of the tables ffnn_scalar_f32 and ffnn_scalar_f64 (kernels/kernel_table.h)
   and the inlined blocks they run through (rows, row_pass, tile_rows,
   tile, t_update_blocks, t_update_pass, column_blocks, column_pass_of,
   column_pass, ink_pass,
   ink_group_pass). */
static ffnn_update_matvec_kernel_f32 update_matvec_scalar_f32;
static ffnn_update_matvec_kernel_f64 update_matvec_scalar_f64;
static ffnn_outer_update_kernel_f32 outer_update_scalar_f32;
static ffnn_outer_update_kernel_f64 outer_update_scalar_f64;
static ffnn_matvec_kernel_f32 matvec_scalar_f32;
static ffnn_matvec_kernel_f64 matvec_scalar_f64;
static ffnn_rows_kernel_f32 rows_scalar_f32;
static ffnn_rows_kernel_f64 rows_scalar_f64;
static ffnn_row_pass_kernel_f32 row_pass_scalar_f32;
static ffnn_row_pass_kernel_f64 row_pass_scalar_f64;
static ffnn_matvec_t_update_kernel_f32 matvec_t_update_scalar_f32;
static ffnn_matvec_t_update_kernel_f64 matvec_t_update_scalar_f64;
static ffnn_t_update_blocks_kernel_f32 t_update_blocks_scalar_f32;
static ffnn_t_update_blocks_kernel_f64 t_update_blocks_scalar_f64;
static ffnn_t_update_pass_kernel_f32 t_update_pass_scalar_f32;
static ffnn_t_update_pass_kernel_f64 t_update_pass_scalar_f64;
static ffnn_matvec_kernel_f32 matvec_t_scalar_f32;
static ffnn_matvec_kernel_f64 matvec_t_scalar_f64;
static ffnn_matmat_kernel_f32 matmat_scalar_f32;
static ffnn_matmat_kernel_f64 matmat_scalar_f64;
static ffnn_tile_rows_kernel_f32 tile_rows_scalar_f32;
static ffnn_tile_rows_kernel_f64 tile_rows_scalar_f64;
static ffnn_tile_kernel_f32 tile_scalar_f32;
static ffnn_tile_kernel_f64 tile_scalar_f64;
static ffnn_map_kernel_f32 sigmoid_scalar_f32;
static ffnn_map_kernel_f64 sigmoid_scalar_f64;
static ffnn_map_kernel_f32 logit_scalar_f32;
static ffnn_map_kernel_f64 logit_scalar_f64;
static ffnn_columns_update_dot_kernel_f32 columns_update_dot_scalar_f32;
static ffnn_columns_update_dot_kernel_f64 columns_update_dot_scalar_f64;
static ffnn_column_pass_kernel_f32 column_blocks_scalar_f32;
static ffnn_column_pass_kernel_f64 column_blocks_scalar_f64;
static ffnn_column_pass_kernel_f32 column_pass_of_scalar_f32;
static ffnn_column_pass_kernel_f64 column_pass_of_scalar_f64;
static ffnn_column_pass_kernel_f32 column_pass_scalar_f32;
static ffnn_column_pass_kernel_f64 column_pass_scalar_f64;
static ffnn_columns_fold_kernel_f32 columns_fold_scalar_f32;
static ffnn_columns_fold_kernel_f64 columns_fold_scalar_f64;
static ffnn_ink_matvec_kernel_f32 ink_matvec_scalar_f32;
static ffnn_ink_matvec_kernel_f64 ink_matvec_scalar_f64;
static ffnn_ink_pass_kernel_f32 ink_pass_scalar_f32;
static ffnn_ink_pass_kernel_f64 ink_pass_scalar_f64;
static ffnn_ink_group_matvec_kernel_f32 ink_group_matvec_scalar_f32;
static ffnn_ink_group_matvec_kernel_f64 ink_group_matvec_scalar_f64;
static ffnn_ink_group_pass_kernel_f32 ink_group_pass_scalar_f32;
static ffnn_ink_group_pass_kernel_f64 ink_group_pass_scalar_f64;

/* Defines the table ffnn_scalar_f32. */
#define VL 1
#define VZERO() 0
#define VSET1(s) (s)
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VADD(a, b) ((a) + (b))
#define VSUM(v) (v)
#define SFMA(a, b, c) ((a) * (b) + (c))

#define REAL float
#define V float
#define SUFFIX _scalar_f32
#define TABLE ffnn_kernels_f32
#define EXP expf
#define LOG logf
#include "simd_template.h"

/* Defines the table ffnn_scalar_f64. */
#define VL 1
#define VZERO() 0
#define VSET1(s) (s)
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VADD(a, b) ((a) + (b))
#define VSUM(v) (v)
#define SFMA(a, b, c) ((a) * (b) + (c))

#define REAL double
#define V double
#define SUFFIX _scalar_f64
#define TABLE ffnn_kernels_f64
#define EXP exp
#define LOG log
#include "simd_template.h"
