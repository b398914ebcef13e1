/*
 * The scalar level: plain C that compiles everywhere, one element per
 * "vector". Always built; every other level is held against it.
 */
#include <math.h>

#include "kernels/kernel_table.h"

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
