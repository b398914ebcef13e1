/*
 * The single kernels of ffnn.h: each calls the kernel of the SIMD level in
 * use (see dispatch.c); the kernels themselves are in simd_template.h.
 */
#include "kernels/kernel_table.h"

/* Defines ffnn_matvec_f32, ffnn_matvec_t_f32, ffnn_sigmoid_f32,
   ffnn_logit_f32, ffnn_all_finite_f32, ffnn_outer_update_f32,
   ffnn_update_matvec_f32. */
#define REAL float
#define SUFFIX _f32
#include "public_kernels_template.h"

/* Defines ffnn_matvec_f64, ffnn_matvec_t_f64, ffnn_sigmoid_f64,
   ffnn_logit_f64, ffnn_all_finite_f64, ffnn_outer_update_f64,
   ffnn_update_matvec_f64. */
#define REAL double
#define SUFFIX _f64
#include "public_kernels_template.h"
