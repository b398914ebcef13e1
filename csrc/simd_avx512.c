/*
 * The AVX-512F level (x86-64). Built with -mavx512f -mfma (MSVC:
 * /arch:AVX512) as its own library, and only ever called after dispatch.c
 * has seen AVX-512F, FMA and the OS's saving of the ZMM registers.
 */
#include "simd.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#include <math.h>

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
#include "simd_template.h"

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
#include "simd_template.h"

#else
/* ISO C forbids an empty translation unit. */
typedef int ffnn_no_avx512;
#endif
