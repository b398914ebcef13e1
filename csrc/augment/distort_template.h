/*
 * The distortion of a batch of images for one output type, included by
 * distort.c (after its geometry and locate) as template.h describes.
 *
 * Needs: REAL (float or double: the ink and the blend), SUFFIX (_f32, _f64
 * or _u8), OUT (the output's element type), PIXEL_OUT(p) (what pixel p
 * becomes when nothing moves), PIXEL_BACKGROUND (the value a blank pixel
 * becomes, in REAL), INK_PER_LEVEL (the ink of pixel value 1, in REAL) and
 * OUTPUT(background, ink) (the output value of a blend of ink).
 * Defines: static distort with SUFFIX pasted on.
 * Undefines all of them at the end.
 */
#ifndef REAL
#error "distort_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "distort_template.h needs SUFFIX (_f32 or _f64) defined"
#endif
#if !defined(OUT) || !defined(PIXEL_OUT) || !defined(PIXEL_BACKGROUND) || !defined(INK_PER_LEVEL) \
    || !defined(OUTPUT)
#error "distort_template.h needs OUT, PIXEL_OUT, PIXEL_BACKGROUND, INK_PER_LEVEL and OUTPUT defined"
#endif

#include "template.h"

/*
 * Image i's ink into the middle of the padded buffer, and the box holding
 * all of it (rows top..bottom, columns left..right); 0 if it has none.
 */
static int FN(fill_ink)(size_t rows, size_t cols, const uint8_t *FFNN_RESTRICT pixels,
                        const REAL *FFNN_RESTRICT inputs, REAL background,
                        REAL *FFNN_RESTRICT ink,
                        int32_t *FFNN_RESTRICT column_ink, size_t box[4])
{
    const size_t padded_cols = cols + 2 * PAD;
    /* One product per pixel (the book's scaling less its background is a
       division): equal to it up to rounding, and exactly 0 for a blank pixel. */
    const REAL ink_per_level = INK_PER_LEVEL;
    size_t r, c, top = rows, bottom = 0;
    for (c = 0; c < cols; ++c)
        column_ink[c] = 0;
    for (r = 0; r < rows; ++r) {
        REAL *FFNN_RESTRICT dst = ink + (r + PAD) * padded_cols + PAD;
        int32_t any = 0;
        if (pixels != NULL) {
            const uint8_t *FFNN_RESTRICT src = pixels + r * cols;
            for (c = 0; c < cols; ++c)
                dst[c] = (REAL)src[c] * ink_per_level;
            for (c = 0; c < cols; ++c) {
                column_ink[c] |= src[c];
                any |= src[c];
            }
        } else {
            const REAL *FFNN_RESTRICT src = inputs + r * cols;
            for (c = 0; c < cols; ++c)
                dst[c] = src[c] - background;
            for (c = 0; c < cols; ++c) {
                const int32_t inked = dst[c] != 0;
                column_ink[c] |= inked;
                any |= inked;
            }
        }
        if (any) {
            if (r < top)
                top = r;
            bottom = r;
        }
    }
    if (top == rows)
        return 0;
    box[0] = top;
    box[1] = bottom;
    for (c = 0; !column_ink[c]; ++c)
        ;
    box[2] = c;
    for (c = cols - 1; !column_ink[c]; --c)
        ;
    box[3] = c;
    return 1;
}

/* One output image from the ink buffer and the coordinates in g. */
static void FN(resample)(const geometry *g, const REAL *FFNN_RESTRICT ink, const size_t box[4],
                         REAL background, OUT *FFNN_RESTRICT out)
{
    const size_t rows = g->rows, cols = g->cols;
    const int padded_cols = (int)(cols + 2 * PAD);
    /* A point reads ink only strictly within a pixel of the box. */
    const float top = (float)box[0] - 1.0f, bottom = (float)box[1] + 1.0f;
    const float left = (float)box[2] - 1.0f, right = (float)box[3] + 1.0f;
    const REAL umax = (REAL)(cols + PAD), vmax = (REAL)(rows + PAD);
    int32_t *FFNN_RESTRICT at = g->at;
    REAL *FFNN_RESTRICT fv = (REAL *)g->fv, *FFNN_RESTRICT fu = (REAL *)g->fu;
    size_t r, j;
    (void)background; /* pixels' OUTPUT has none */
    for (r = 0; r < rows; ++r) {
        const float *FFNN_RESTRICT yr = g->y + r * cols, *FFNN_RESTRICT xr = g->x + r * cols;
        OUT *FFNN_RESTRICT o = out + r * cols;
        size_t lo = 0, hi = cols;
        for (j = 0; j < cols; ++j)
            at[j] = (yr[j] > top) & (yr[j] < bottom) & (xr[j] > left) & (xr[j] < right);
        while (lo < cols && !at[lo])
            ++lo;
        while (hi > lo && !at[hi - 1])
            --hi;
        for (j = 0; j < lo; ++j)
            o[j] = OUTPUT(background, (REAL)0);
        for (j = hi; j < cols; ++j)
            o[j] = OUTPUT(background, (REAL)0);
        /* Where each point reads, for the whole stretch at once. Clamped into
           the padding (a NaN to 0), a point reads blank neighbours only;
           anywhere else this is bilinear sampling with blank outside the
           picture. */
        for (j = lo; j < hi; ++j) {
            REAL v = (REAL)yr[j] + (REAL)PAD, u = (REAL)xr[j] + (REAL)PAD;
            int32_t vi, ui;
            v = v > 0 ? v : 0;
            v = v < vmax ? v : vmax;
            u = u > 0 ? u : 0;
            u = u < umax ? u : umax;
            vi = (int32_t)v;
            ui = (int32_t)u;
            fv[j] = v - (REAL)vi;
            fu[j] = u - (REAL)ui;
            at[j] = vi * padded_cols + ui;
        }
        for (j = lo; j < hi; ++j) {
            const REAL *p = ink + at[j];
            const REAL upper = p[0] + fu[j] * (p[1] - p[0]);
            const REAL lower = p[padded_cols] + fu[j] * (p[padded_cols + 1] - p[padded_cols]);
            o[j] = OUTPUT(background, upper + fv[j] * (lower - upper));
        }
    }
}

static int FN(distort)(const ffnn_distortion *d, uint64_t seed, uint64_t first, size_t n,
                       size_t rows, size_t cols, const uint8_t *FFNN_RESTRICT pixels,
                       const REAL *FFNN_RESTRICT inputs, REAL background, OUT *FFNN_RESTRICT out)
{
    geometry g;
    size_t plane, i, k, box[4];
    int status = check_distortion(d);
    if (status != FFNN_OK)
        return status;
    if (n == 0 || rows == 0 || cols == 0)
        return FFNN_OK;
    if ((pixels == NULL) == (inputs == NULL) || out == NULL)
        return FFNN_ERROR_ARGUMENT;
    if (rows > SIZE_MAX / cols || n > SIZE_MAX / (rows * cols))
        return FFNN_ERROR_MEMORY;
    plane = rows * cols;
    if (pixels != NULL)
        background = PIXEL_BACKGROUND;
    if (is_identity(d)) {
        for (k = 0; k < n * plane; ++k)
            out[k] = pixels != NULL ? PIXEL_OUT(pixels[k]) : (OUT)inputs[k];
        return FFNN_OK;
    }
    status = geometry_create(&g, d, rows, cols, sizeof(REAL));
    if (status != FFNN_OK)
        return status;
    for (i = 0; i < n; ++i) {
        OUT *o = out + i * plane;
        if (!FN(fill_ink)(rows, cols, pixels != NULL ? pixels + i * plane : NULL,
                          inputs != NULL ? inputs + i * plane : NULL, background,
                          (REAL *)g.ink, g.at, box)) {
            for (k = 0; k < plane; ++k)
                o[k] = OUTPUT(background, (REAL)0);
            continue;
        }
        locate(&g, d, seed, first + i);
        FN(resample)(&g, (const REAL *)g.ink, box, background, o);
    }
    free(g.block);
    return FFNN_OK;
}

#undef REAL
#undef SUFFIX
#undef OUT
#undef PIXEL_OUT
#undef PIXEL_BACKGROUND
#undef INK_PER_LEVEL
#undef OUTPUT
