/*
 * ffnn_rotate for one precision, included by rotate.c (after its
 * source_point, locate_all and <stdlib.h>) as template.h describes.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64).
 * Defines: ffnn_rotate with SUFFIX pasted on.
 * Undefines REAL and SUFFIX at the end.
 */
#ifndef REAL
#error "rotate_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "rotate_template.h needs SUFFIX (_f32 or _f64) defined"
#endif

#include "template.h"

int FN(ffnn_rotate)(size_t n, size_t rows, size_t cols, double degrees,
                    REAL background, const REAL *FFNN_RESTRICT images,
                    REAL *FFNN_RESTRICT out)
{
    source_point *table;
    size_t plane, i, k;
    if (n == 0 || rows == 0 || cols == 0)
        return FFNN_OK;
    table = locate_all(rows, cols, degrees);
    if (table == NULL)
        return FFNN_ERROR_MEMORY;
    plane = rows * cols;
    for (i = 0; i < n; ++i) {
        const REAL *src = images + i * plane;
        REAL *dst = out + i * plane;
        for (k = 0; k < plane; ++k) {
            const source_point *p = &table[k];
            dst[k] = p->inside
                ? (REAL)(p->w00 * src[p->i00] + p->w01 * src[p->i01]
                         + p->w10 * src[p->i10] + p->w11 * src[p->i11])
                : background;
        }
    }
    free(table);
    return FFNN_OK;
}

#undef REAL
#undef SUFFIX
