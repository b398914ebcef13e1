/*
 * Public single kernels for one precision; see kernels.c. Expects REAL and
 * SUFFIX and undefines them at the end.
 */
#include "template.h"

#define ACTIVE FN(ffnn_kernels_active)()

void FN(ffnn_matvec)(size_t rows, size_t cols, const REAL *FFNN_RESTRICT w,
                     const REAL *FFNN_RESTRICT x, REAL *FFNN_RESTRICT y)
{
    ACTIVE->matvec(rows, cols, w, x, y);
}

void FN(ffnn_matvec_t)(size_t rows, size_t cols, const REAL *FFNN_RESTRICT w,
                       const REAL *FFNN_RESTRICT e, REAL *FFNN_RESTRICT y)
{
    ACTIVE->matvec_t(rows, cols, w, e, y);
}

void FN(ffnn_sigmoid)(size_t n, const REAL *x, REAL *y)
{
    ACTIVE->sigmoid(n, x, y);
}

void FN(ffnn_logit)(size_t n, const REAL *x, REAL *y)
{
    ACTIVE->logit(n, x, y);
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

void FN(ffnn_outer_update)(size_t rows, size_t cols, REAL *FFNN_RESTRICT w,
                           REAL scale, const REAL *FFNN_RESTRICT a,
                           const REAL *FFNN_RESTRICT b)
{
    ACTIVE->outer_update(rows, cols, w, scale, a, b);
}

void FN(ffnn_update_matvec)(size_t rows, size_t cols, REAL *FFNN_RESTRICT w,
                            REAL scale, const REAL *FFNN_RESTRICT a,
                            const REAL *FFNN_RESTRICT b,
                            const REAL *FFNN_RESTRICT x, REAL *FFNN_RESTRICT y)
{
    ACTIVE->update_matvec(rows, cols, w, scale, a, b, x, y);
}

#undef ACTIVE
#undef REAL
#undef SUFFIX
