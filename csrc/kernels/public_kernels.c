/*
 * The single kernels of ffnn.h that the binding calls on its own: sigmoid
 * and logit call the kernel of the SIMD level in use (see dispatch.c; the
 * kernels themselves are in simd_template.h), all_finite is plain C. The
 * network code calls the kernel table directly.
 */
#include "kernels/kernel_table.h"

/* Defines ffnn_sigmoid_f32, ffnn_logit_f32, ffnn_all_finite_f32. */
#define REAL float
#define SUFFIX _f32
#include "public_kernels_template.h"

/* Defines ffnn_sigmoid_f64, ffnn_logit_f64, ffnn_all_finite_f64. */
#define REAL double
#define SUFFIX _f64
#include "public_kernels_template.h"
