/*
 * The single kernels of ffnn.h: each calls the kernel of the SIMD level in
 * use (see dispatch.c); the kernels themselves are in simd_template.h.
 */
#include "simd.h"

#define REAL float
#define SUFFIX _f32
#include "kernels_template.h"

#define REAL double
#define SUFFIX _f64
#include "kernels_template.h"
