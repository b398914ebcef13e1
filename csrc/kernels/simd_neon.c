/*
 * The NEON level (arm64, where Advanced SIMD is always present).
 */
#include "kernels/kernel_table.h"

#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>
#include <math.h>

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
