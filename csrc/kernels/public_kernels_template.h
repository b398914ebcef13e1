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
       those stay 0 exactly when all are finite, whatever their grouping: no
       branch in the loop, and sixteen sums, which the compiler takes as a
       few vectors whose adds do not wait on each other. */
    REAL s[16] = {0};
    size_t i = 0, k;
    for (; i + 16 <= n; i += 16)
        for (k = 0; k < 16; k++)
            s[k] += x[i + k] - x[i + k];
    for (; i < n; i++)
        s[0] += x[i] - x[i];
    for (k = 1; k < 16; k++)
        s[0] += s[k];
    return s[0] == 0;
}

#undef REAL
#undef SUFFIX
