/*
 * The public single kernels of one precision, included by public_kernels.c as
 * template.h describes.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64).
 * Defines: ffnn_sigmoid, ffnn_logit, ffnn_all_finite, each with SUFFIX
 *   pasted on; the first two call through the table of the SIMD level in
 *   use (ffnn_kernels_active_f32 / _f64, dispatch.c).
 * Undefines REAL and SUFFIX at the end.
 */
#ifndef REAL
#error "public_kernels_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "public_kernels_template.h needs SUFFIX (_f32 or _f64) defined"
#endif

#include "template.h"

void FN(ffnn_sigmoid)(size_t n, const REAL *x, REAL *y)
{
    FN(ffnn_kernels_active)()->sigmoid(n, x, y);
}

void FN(ffnn_logit)(size_t n, const REAL *x, REAL *y)
{
    FN(ffnn_kernels_active)()->logit(n, x, y);
}

int FN(ffnn_all_finite)(size_t n, const REAL *x)
{
    /* x - x is 0 for every finite x and NaN for NaN and +-inf, so sums of
       those stay 0 exactly when all are finite: no branch in the loop, and
       four sums, as in matvec, so the adds do not wait on each other. */
    REAL s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += x[i] - x[i];
        s1 += x[i + 1] - x[i + 1];
        s2 += x[i + 2] - x[i + 2];
        s3 += x[i + 3] - x[i + 3];
    }
    for (; i < n; i++)
        s0 += x[i] - x[i];
    return (s0 + s1) + (s2 + s3) == 0;
}

#undef REAL
#undef SUFFIX
