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
