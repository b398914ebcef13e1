/*
 * The distortions' row kernels at the AVX2 level (x86-64): eight points at
 * a time. Built with the AVX2 level's flags, in that level's library
 * (setup.py), and only called after dispatch.c has seen AVX2 and the OS's
 * saving of the YMM registers. Each point is computed with the operations
 * of resample_row4 (distort_template.h), in its order and without fused
 * multiply-adds, so it comes out bitwise as on every other path.
 */
#include "augment/distort_rows.h"

#if defined(__AVX2__)
#include <immintrin.h>
#include <string.h>

/* The blank border of the ink buffer, as distort.c's PAD. */
#define PAD 2

/* The blends of points t .. t + 7 of the row. */
static inline __m256 blend8(const ffnn_distort_row *row, size_t t)
{
    const size_t cols = row->cols, padded_cols = cols + 2 * PAD;
    const float *ink = row->ink;
    const __m256 pad = _mm256_set1_ps((float)PAD), zero = _mm256_setzero_ps();
    const __m256 umax = _mm256_set1_ps((float)(cols + PAD));
    const __m256 vmax = _mm256_set1_ps((float)(row->rows + PAD));
    const __m256 lanes = _mm256_set_ps(7.0f, 6.0f, 5.0f, 4.0f, 3.0f, 2.0f, 1.0f, 0.0f);
    /* vi * padded_cols + ui as one multiply-add of 16-bit halves: all of
       them are below 2^15 (sides up to distort.c's MAX_SIDE). */
    const __m256i stride = _mm256_set1_epi32((int32_t)padded_cols | (1 << 16));
    const __m256 column = _mm256_add_ps(_mm256_set1_ps((float)t), lanes);
    __m256 y = _mm256_add_ps(_mm256_set1_ps(row->start_y),
                             _mm256_mul_ps(_mm256_set1_ps(row->step_y), column));
    __m256 x = _mm256_add_ps(_mm256_set1_ps(row->start_x),
                             _mm256_mul_ps(_mm256_set1_ps(row->step_x), column));
    __m256 v, u, fv, fu, top, bottom, tl, tr, bl, br, upper, lower;
    __m256i vi, ui, index;
    int32_t at[8];
    if (row->py != NULL) {
        const __m256 w0 = _mm256_set1_ps(row->w[0]), w1 = _mm256_set1_ps(row->w[1]);
        const __m256 w2 = _mm256_set1_ps(row->w[2]);
        const float *py = row->py + t, *px = row->px + t;
        y = _mm256_add_ps(
            y, _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(w0, _mm256_loadu_ps(py)),
                                           _mm256_mul_ps(w1, _mm256_loadu_ps(py + cols))),
                             _mm256_mul_ps(w2, _mm256_loadu_ps(py + 2 * cols))));
        x = _mm256_add_ps(
            x, _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(w0, _mm256_loadu_ps(px)),
                                           _mm256_mul_ps(w1, _mm256_loadu_ps(px + cols))),
                             _mm256_mul_ps(w2, _mm256_loadu_ps(px + 2 * cols))));
    }
    /* max(v, 0) and min(v, vmax) as resample_row clamps (a NaN to 0). */
    v = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(y, pad), zero), vmax);
    u = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(x, pad), zero), umax);
    vi = _mm256_cvttps_epi32(v);
    ui = _mm256_cvttps_epi32(u);
    fv = _mm256_sub_ps(v, _mm256_cvtepi32_ps(vi));
    fu = _mm256_sub_ps(u, _mm256_cvtepi32_ps(ui));
    index = _mm256_madd_epi16(_mm256_or_si256(vi, _mm256_slli_epi32(ui, 16)), stride);
    _mm256_storeu_si256((__m256i *)(void *)at, index);
    /* Each point's two neighbours above, a pair per load: points 0, 1, 4, 5
       in one register and 2, 3, 6, 7 in the other, so that one shuffle of
       the two puts the left ones (and one the right ones) in order. */
#define PAIRS(a, b, c, d, below)                                                             \
    _mm256_insertf128_ps(                                                                    \
        _mm256_castps128_ps256(_mm_castpd_ps(_mm_loadh_pd(                                   \
            _mm_load_sd((const double *)(const void *)(ink + at[a] + (below))),              \
            (const double *)(const void *)(ink + at[b] + (below))))),                        \
        _mm_castpd_ps(_mm_loadh_pd(_mm_load_sd((const double *)(const void *)(ink + at[c] + (below))), \
                                   (const double *)(const void *)(ink + at[d] + (below)))),  \
        1)
    top = PAIRS(0, 1, 4, 5, 0);
    bottom = PAIRS(2, 3, 6, 7, 0);
    tl = _mm256_shuffle_ps(top, bottom, _MM_SHUFFLE(2, 0, 2, 0));
    tr = _mm256_shuffle_ps(top, bottom, _MM_SHUFFLE(3, 1, 3, 1));
    top = PAIRS(0, 1, 4, 5, padded_cols);
    bottom = PAIRS(2, 3, 6, 7, padded_cols);
    bl = _mm256_shuffle_ps(top, bottom, _MM_SHUFFLE(2, 0, 2, 0));
    br = _mm256_shuffle_ps(top, bottom, _MM_SHUFFLE(3, 1, 3, 1));
#undef PAIRS
    upper = _mm256_add_ps(tl, _mm256_mul_ps(fu, _mm256_sub_ps(tr, tl)));
    lower = _mm256_add_ps(bl, _mm256_mul_ps(fu, _mm256_sub_ps(br, bl)));
    return _mm256_add_ps(upper, _mm256_mul_ps(fv, _mm256_sub_ps(lower, upper)));
}

void ffnn_distort_row_avx2_u8(const ffnn_distort_row *row, size_t j0, size_t j1,
                              uint8_t *FFNN_RESTRICT out)
{
    const size_t cols = row->cols;
    const __m256 half = _mm256_set1_ps(0.5f);
    size_t s = j0;
    for (;;) {
        /* The last group moved back to end at the row's end. */
        const size_t t = s + 8 <= cols ? s : cols - 8;
        /* Each in 0 .. 255 after rounding, so the saturating packs change none. */
        const __m256i level = _mm256_cvttps_epi32(_mm256_add_ps(blend8(row, t), half));
        __m128i eight = _mm_packs_epi32(_mm256_castsi256_si128(level),
                                        _mm256_extracti128_si256(level, 1));
        eight = _mm_packus_epi16(eight, eight);
        _mm_storel_epi64((__m128i *)(void *)(out + t), eight);
        if (s + 8 >= j1)
            break;
        s += 8;
    }
}

void ffnn_distort_row_avx2_f32(const ffnn_distort_row *row, size_t j0, size_t j1,
                               float background, float *FFNN_RESTRICT out)
{
    const size_t cols = row->cols;
    const __m256 blank = _mm256_set1_ps(background);
    size_t s = j0;
    for (;;) {
        const size_t t = s + 8 <= cols ? s : cols - 8;
        _mm256_storeu_ps(out + t, _mm256_add_ps(blank, blend8(row, t)));
        if (s + 8 >= j1)
            break;
        s += 8;
    }
}
#elif defined(__x86_64__) || defined(_M_X64)
#error "distort_avx2.c must be compiled with -mavx2 -mfma (MSVC: /arch:AVX2) on x86-64"
#else
/* Not an x86-64 target. ISO C forbids an empty translation unit. */
typedef int ffnn_no_distort_avx2;
#endif
