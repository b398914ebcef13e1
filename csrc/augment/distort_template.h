/*
 * The distortion of a batch of images for one output type, included by
 * distort.c (after its geometry and locate) as template.h describes.
 *
 * Needs: REAL (float or double: the ink and the blend), SUFFIX (_f32, _f64
 * or _u8), OUT (the output's element type), PIXEL_OUT(p) (what pixel p
 * becomes when nothing moves), PIXEL_BACKGROUND (the value a blank pixel
 * becomes, in REAL), INK_PER_LEVEL (the ink of pixel value 1, in REAL) and
 * OUTPUT(background, ink) (the output value of a blend of ink). A float
 * output may define STORE4(o, background, ink) (four blends written with
 * SSE2) and GROUPS8(groups, background, o) (an image's groups of eight
 * points written by distort_avx2.c).
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
                        uint8_t *FFNN_RESTRICT column_ink, int wide, size_t box[4])
{
    const size_t padded_cols = cols + 2 * PAD;
    /* One product per pixel (the book's scaling less its background is a
       division): equal to it up to rounding, and exactly 0 for a blank pixel. */
    const REAL ink_per_level = INK_PER_LEVEL;
    size_t r, c, top = rows, bottom = 0;
    (void)wide; /* only pixels into floats have an AVX2 fill */
    for (c = 0; c < cols; ++c)
        column_ink[c] = 0;
#if FFNN_DISTORT_SSE2 && defined(STORE4)
    /* Sixteen pixels at a time, the last 16 of a row moved back to end at
       its end (converting some twice, alike). */
    if (pixels != NULL && cols >= 16) {
        const __m128 per_level = _mm_set1_ps(ink_per_level);
        const __m128i nothing = _mm_setzero_si128();
#if FFNN_DISTORT_AVX2
        if (wide)
            ffnn_distort_ink_avx2(pixels, rows, cols, ink_per_level, ink, &top, &bottom);
        else
#endif
        for (r = 0; r < rows; ++r) {
            const uint8_t *FFNN_RESTRICT src = pixels + r * cols;
            REAL *FFNN_RESTRICT dst = ink + (r + PAD) * padded_cols + PAD;
            __m128i any = nothing;
            for (c = 0;; c += 16) {
                const size_t t = c + 16 <= cols ? c : cols - 16;
                const __m128i level = _mm_loadu_si128((const __m128i *)(const void *)(src + t));
                const __m128i low = _mm_unpacklo_epi8(level, nothing);
                const __m128i high = _mm_unpackhi_epi8(level, nothing);
                any = _mm_or_si128(any, level);
                _mm_storeu_ps(dst + t, _mm_mul_ps(_mm_cvtepi32_ps(_mm_unpacklo_epi16(low, nothing)),
                                                  per_level));
                _mm_storeu_ps(dst + t + 4, _mm_mul_ps(_mm_cvtepi32_ps(_mm_unpackhi_epi16(low, nothing)),
                                                      per_level));
                _mm_storeu_ps(dst + t + 8, _mm_mul_ps(_mm_cvtepi32_ps(_mm_unpacklo_epi16(high, nothing)),
                                                      per_level));
                _mm_storeu_ps(dst + t + 12,
                              _mm_mul_ps(_mm_cvtepi32_ps(_mm_unpackhi_epi16(high, nothing)), per_level));
                if (c + 16 >= cols)
                    break;
            }
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(any, nothing)) != 0xFFFF) {
                if (r < top)
                    top = r;
                bottom = r;
            }
        }
        /* The columns' ink, a column of 16 at a time (each stored once: a
           store overlapping the last one would have to wait for it). */
        for (c = 0;; c += 16) {
            const size_t t = c + 16 <= cols ? c : cols - 16;
            __m128i any = nothing;
            for (r = 0; r < rows; ++r)
                any = _mm_or_si128(
                    any, _mm_loadu_si128((const __m128i *)(const void *)(pixels + r * cols + t)));
            _mm_storeu_si128((__m128i *)(void *)(column_ink + t), any);
            if (c + 16 >= cols)
                break;
        }
        rows = 0; /* all done: none left for the loop below */
    }
#endif
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
                const uint8_t inked = dst[c] != 0;
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
    if (top > bottom)
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

/*
 * One output row from the ink buffer and the row's coordinates y and x,
 * given at points j0 .. j1 - 1 (indexed by column): every point outside
 * them reads blank alone. `box` is the ink's box (float top, bottom, left,
 * right) grown by a pixel: a point reads ink only strictly within it.
 */
static void FN(resample_row)(const geometry *g, const REAL *FFNN_RESTRICT ink,
                             const float box[4], const float *FFNN_RESTRICT yr,
                             const float *FFNN_RESTRICT xr, size_t j0, size_t j1,
                             REAL background, OUT *FFNN_RESTRICT o)
{
    const size_t rows = g->rows, cols = g->cols;
    const int padded_cols = (int)(cols + 2 * PAD);
    const float top = box[0], bottom = box[1], left = box[2], right = box[3];
    const REAL umax = (REAL)(cols + PAD), vmax = (REAL)(rows + PAD);
    int32_t *FFNN_RESTRICT at = g->at;
    REAL *FFNN_RESTRICT fv = (REAL *)g->fv, *FFNN_RESTRICT fu = (REAL *)g->fu;
    size_t lo = j0, hi = j1, j;
    (void)background; /* pixels' OUTPUT has none */
    for (j = j0; j < j1; ++j)
        at[j] = (yr[j] > top) & (yr[j] < bottom) & (xr[j] > left) & (xr[j] < right);
    while (lo < hi && !at[lo])
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

#if FFNN_DISTORT_SSE2 && defined(STORE4)
/*
 * Output row r's points j0 .. j1 - 1 from a float ink buffer, four at a time
 * with SSE2, computing the coordinates as it goes: row_coordinates' and
 * resample_row's arithmetic in the same order, so each point comes out
 * bitwise as there. The last group of four is moved back to end at the
 * row's end, and a group may reach 3 points beyond the span on either side:
 * the caller has spread the elastic grid along those columns too. Every
 * point is blended, even one reading only blank pixels, which comes out
 * blank (a branch to skip those costs more in mispredictions than it saves).
 * Needs cols >= 4.
 */
static void FN(resample_row4)(const geometry *g, const affine_map *a, size_t r,
                              const float *FFNN_RESTRICT ink, size_t j0, size_t j1,
                              REAL background, OUT *FFNN_RESTRICT o)
{
    const size_t cols = g->cols, rows = g->rows, padded_cols = cols + 2 * PAD;
    const __m128 pad = _mm_set1_ps((float)PAD), zero = _mm_setzero_ps();
    const __m128 umax = _mm_set1_ps((float)(cols + PAD)), vmax = _mm_set1_ps((float)(rows + PAD));
    const __m128 lanes = _mm_set_ps(3.0f, 2.0f, 1.0f, 0.0f);
    const __m128 step_y = _mm_set1_ps((float)a->m01), step_x = _mm_set1_ps((float)a->m11);
    /* vi * padded_cols + ui as one multiply-add of 16-bit halves: all of
       them are below 2^15 (sides up to MAX_SIDE). */
    const __m128i stride = _mm_set1_epi32((int32_t)padded_cols | (1 << 16));
    const float *py = NULL, *px = NULL;
    __m128 start_y, start_x, w0 = zero, w1 = zero, w2 = zero;
    const __m128 blank = _mm_set1_ps(background); /* pixels' STORE4 has none */
    size_t s = j0;
    {
        float y0, x0;
        row_start(a, r, &y0, &x0);
        start_y = _mm_set1_ps(y0);
        start_x = _mm_set1_ps(x0);
    }
    if (g->elastic) {
        const float *w = g->row_weights + 3 * r;
        py = g->partial + g->row_first[r] * cols;
        px = py + g->stacked * cols;
        w0 = _mm_set1_ps(w[0]);
        w1 = _mm_set1_ps(w[1]);
        w2 = _mm_set1_ps(w[2]);
    }
    (void)blank;
    (void)background;
    for (;;) {
        const size_t t = s + 4 <= cols ? s : cols - 4;
        const __m128 column = _mm_add_ps(_mm_set1_ps((float)t), lanes);
        __m128 y = _mm_add_ps(start_y, _mm_mul_ps(step_y, column));
        __m128 x = _mm_add_ps(start_x, _mm_mul_ps(step_x, column));
        __m128 v, u, fv, fu, tl, tr, bl, br, upper, lower;
        __m128i vi, ui, index, q01, q23, d01, d23;
        int32_t at[4];
        if (py != NULL) {
            const float *p1 = py + cols, *p2 = py + 2 * cols;
            const float *q1 = px + cols, *q2 = px + 2 * cols;
            y = _mm_add_ps(y, _mm_add_ps(_mm_add_ps(_mm_mul_ps(w0, _mm_loadu_ps(py + t)),
                                                    _mm_mul_ps(w1, _mm_loadu_ps(p1 + t))),
                                         _mm_mul_ps(w2, _mm_loadu_ps(p2 + t))));
            x = _mm_add_ps(x, _mm_add_ps(_mm_add_ps(_mm_mul_ps(w0, _mm_loadu_ps(px + t)),
                                                    _mm_mul_ps(w1, _mm_loadu_ps(q1 + t))),
                                         _mm_mul_ps(w2, _mm_loadu_ps(q2 + t))));
        }
        /* max(v, 0) and min(v, vmax) as resample_row clamps (a NaN to 0). */
        v = _mm_min_ps(_mm_max_ps(_mm_add_ps(y, pad), zero), vmax);
        u = _mm_min_ps(_mm_max_ps(_mm_add_ps(x, pad), zero), umax);
        vi = _mm_cvttps_epi32(v);
        ui = _mm_cvttps_epi32(u);
        fv = _mm_sub_ps(v, _mm_cvtepi32_ps(vi));
        fu = _mm_sub_ps(u, _mm_cvtepi32_ps(ui));
        index = _mm_madd_epi16(_mm_or_si128(vi, _mm_slli_epi32(ui, 16)), stride);
        at[0] = _mm_cvtsi128_si32(index);
        at[1] = _mm_cvtsi128_si32(_mm_shuffle_epi32(index, _MM_SHUFFLE(1, 1, 1, 1)));
        at[2] = _mm_cvtsi128_si32(_mm_shuffle_epi32(index, _MM_SHUFFLE(2, 2, 2, 2)));
        at[3] = _mm_cvtsi128_si32(_mm_shuffle_epi32(index, _MM_SHUFFLE(3, 3, 3, 3)));
        /* Each point's two neighbours above and the two below, a pair per load. */
        q01 = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(const void *)(ink + at[0])),
                                 _mm_loadl_epi64((const __m128i *)(const void *)(ink + at[1])));
        q23 = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(const void *)(ink + at[2])),
                                 _mm_loadl_epi64((const __m128i *)(const void *)(ink + at[3])));
        d01 = _mm_unpacklo_epi64(
            _mm_loadl_epi64((const __m128i *)(const void *)(ink + at[0] + padded_cols)),
            _mm_loadl_epi64((const __m128i *)(const void *)(ink + at[1] + padded_cols)));
        d23 = _mm_unpacklo_epi64(
            _mm_loadl_epi64((const __m128i *)(const void *)(ink + at[2] + padded_cols)),
            _mm_loadl_epi64((const __m128i *)(const void *)(ink + at[3] + padded_cols)));
        tl = _mm_shuffle_ps(_mm_castsi128_ps(q01), _mm_castsi128_ps(q23), _MM_SHUFFLE(2, 0, 2, 0));
        tr = _mm_shuffle_ps(_mm_castsi128_ps(q01), _mm_castsi128_ps(q23), _MM_SHUFFLE(3, 1, 3, 1));
        bl = _mm_shuffle_ps(_mm_castsi128_ps(d01), _mm_castsi128_ps(d23), _MM_SHUFFLE(2, 0, 2, 0));
        br = _mm_shuffle_ps(_mm_castsi128_ps(d01), _mm_castsi128_ps(d23), _MM_SHUFFLE(3, 1, 3, 1));
        upper = _mm_add_ps(tl, _mm_mul_ps(fu, _mm_sub_ps(tr, tl)));
        lower = _mm_add_ps(bl, _mm_mul_ps(fu, _mm_sub_ps(br, bl)));
        STORE4(o + t, blank, _mm_add_ps(upper, _mm_mul_ps(fv, _mm_sub_ps(lower, upper))));
        if (s + 4 >= j1)
            break;
        s += 4;
    }
}
#endif

/*
 * One output image from the ink buffer, its box (top, bottom, left, right)
 * and sample `index`'s distortion. Only the points of each row that may
 * read ink get coordinates: those whose affine point lies within the box,
 * grown by a pixel and by the most the elastic field moves a point.
 */
static void FN(resample)(geometry *g, const ffnn_distortion *d, uint64_t seed, uint64_t index,
                         const REAL *FFNN_RESTRICT ink, const size_t box[4], REAL background,
                         OUT *FFNN_RESTRICT out)
{
    const size_t rows = g->rows, cols = g->cols;
    const float grown[4] = {(float)box[0] - 1.0f, (float)box[1] + 1.0f, (float)box[2] - 1.0f,
                            (float)box[3] + 1.0f};
    const double lo[2] = {grown[0], grown[2]}, hi[2] = {grown[1], grown[3]};
    size_t *FFNN_RESTRICT span = g->span;
    size_t r, j, first_row = rows, last_row = 0, c0 = cols, c1 = 0, beyond;
    affine_map a;
    draw(g, d, seed, index, &a);
    row_spans(&a, rows, cols, lo, hi, g->reach, span);
    for (r = 0; r < rows; ++r) {
        if (span[2 * r] < span[2 * r + 1]) {
            if (r < first_row)
                first_row = r;
            last_row = r;
            c0 = span[2 * r] < c0 ? span[2 * r] : c0;
            c1 = span[2 * r + 1] > c1 ? span[2 * r + 1] : c1;
        }
    }
    /* resample_row4's groups of four reach up to 3 points beyond a span,
       the AVX2 kernels' groups of eight up to 7. */
    beyond = g->wide ? 7 : 3;
    c0 = c0 > beyond ? c0 - beyond : 0;
    c1 = c1 + beyond < cols ? c1 + beyond : cols;
    if (g->elastic && first_row < rows) {
        spline_axis(first_row, last_row + 1, g->spacing, g->offset[0], g->row_weights,
                    g->row_first, g->wide);
        spline_axis(c0, c1, g->spacing, g->offset[1], g->col_weights, g->col_first, g->wide);
        spread_columns(g, g->row_first[first_row], g->row_first[last_row] + 3, c0, c1);
    }
#if FFNN_DISTORT_SSE2 && defined(STORE4)
    if (cols >= 4) {
        for (j = 0; j < rows * cols; ++j)
            out[j] = OUTPUT(background, (REAL)0);
#if FFNN_DISTORT_AVX2 && defined(GROUPS8)
        if (g->wide) {
            ffnn_distort_groups groups;
            if (first_row < rows) {
                group_points(g, &a, first_row, last_row, ink, &groups);
                GROUPS8(&groups, background, out);
            }
            return;
        }
#endif
        for (r = first_row; r < rows && r <= last_row; ++r)
            if (span[2 * r] < span[2 * r + 1])
                FN(resample_row4)(g, &a, r, ink, span[2 * r], span[2 * r + 1], background,
                                  out + r * cols);
        return;
    }
#endif
    for (r = 0; r < rows; ++r) {
        OUT *FFNN_RESTRICT o = out + r * cols;
        const size_t j0 = span[2 * r], j1 = span[2 * r + 1];
        if (j0 == j1) {
            for (j = 0; j < cols; ++j)
                o[j] = OUTPUT(background, (REAL)0);
            continue;
        }
        row_coordinates(g, &a, r, j0, j1, g->y, g->x);
        FN(resample_row)(g, ink, grown, g->y, g->x, j0, j1, background, o);
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
    status = geometry_create(&g, d, rows, cols, sizeof(REAL), 0);
    if (status != FFNN_OK)
        return status;
#if FFNN_DISTORT_AVX2 && defined(GROUPS8)
    g.wide = use_wide(cols);
#endif
    for (i = 0; i < n; ++i) {
        OUT *o = out + i * plane;
        if (!FN(fill_ink)(rows, cols, pixels != NULL ? pixels + i * plane : NULL,
                          inputs != NULL ? inputs + i * plane : NULL, background,
                          (REAL *)g.ink, g.marks, g.wide, box)) {
            for (k = 0; k < plane; ++k)
                o[k] = OUTPUT(background, (REAL)0);
            continue;
        }
        FN(resample)(&g, d, seed, first + i, (const REAL *)g.ink, box, background, o);
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
#ifdef STORE4
#undef STORE4
#endif
#ifdef GROUPS8
#undef GROUPS8
#endif
