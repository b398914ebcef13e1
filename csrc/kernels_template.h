/*
 * Generic single kernels; see kernels.c. Expects REAL, SUFFIX, EXP, LOG and
 * undefines them at the end so the next precision can define its own.
 */
#include "template.h"

void FN(ffnn_matvec)(size_t rows, size_t cols, const REAL *FFNN_RESTRICT w,
                     const REAL *FFNN_RESTRICT x, REAL *FFNN_RESTRICT y)
{
    for (size_t r = 0; r < rows; r++) {
        const REAL *row = w + r * cols;
        /* Four partial sums break the add-latency chain of a single one. */
        REAL s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        size_t c = 0;
        for (; c + 4 <= cols; c += 4) {
            s0 += row[c] * x[c];
            s1 += row[c + 1] * x[c + 1];
            s2 += row[c + 2] * x[c + 2];
            s3 += row[c + 3] * x[c + 3];
        }
        for (; c < cols; c++)
            s0 += row[c] * x[c];
        y[r] = (s0 + s1) + (s2 + s3);
    }
}

void FN(ffnn_matvec_t)(size_t rows, size_t cols, const REAL *FFNN_RESTRICT w,
                       const REAL *FFNN_RESTRICT e, REAL *FFNN_RESTRICT y)
{
    /* Row by row, so W is read in memory order. */
    for (size_t c = 0; c < cols; c++)
        y[c] = 0;
    for (size_t r = 0; r < rows; r++) {
        const REAL *row = w + r * cols;
        const REAL er = e[r];
        for (size_t c = 0; c < cols; c++)
            y[c] += row[c] * er;
    }
}

void FN(ffnn_sigmoid)(size_t n, const REAL *x, REAL *y)
{
    /* exp() only ever sees a non-positive argument, so it cannot overflow:
       1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below. */
    for (size_t i = 0; i < n; i++) {
        const REAL v = x[i];
        if (v >= 0) {
            y[i] = 1 / (1 + EXP(-v));
        } else {
            const REAL z = EXP(v);
            y[i] = z / (1 + z);
        }
    }
}

void FN(ffnn_logit)(size_t n, const REAL *x, REAL *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = LOG(x[i] / (1 - x[i]));
}

void FN(ffnn_outer_update)(size_t rows, size_t cols, REAL *FFNN_RESTRICT w,
                           REAL scale, const REAL *FFNN_RESTRICT a,
                           const REAL *FFNN_RESTRICT b)
{
    for (size_t r = 0; r < rows; r++) {
        REAL *row = w + r * cols;
        const REAL s = scale * a[r];
        for (size_t c = 0; c < cols; c++)
            row[c] += s * b[c];
    }
}

#undef REAL
#undef SUFFIX
#undef EXP
#undef LOG
