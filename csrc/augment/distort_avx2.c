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

/* What every group of an image computes with, set once per image. */
typedef struct {
    __m256 pad, zero, umax, vmax, lanes, step_y, step_x;
    __m256i stride;
} constants;

static inline void set_constants(const ffnn_distort_groups *groups, constants *c)
{
    const size_t cols = groups->cols, padded_cols = cols + 2 * PAD;
    c->pad = _mm256_set1_ps((float)PAD);
    c->zero = _mm256_setzero_ps();
    c->umax = _mm256_set1_ps((float)(cols + PAD));
    c->vmax = _mm256_set1_ps((float)(groups->rows + PAD));
    c->lanes = _mm256_set_ps(7.0f, 6.0f, 5.0f, 4.0f, 3.0f, 2.0f, 1.0f, 0.0f);
    c->step_y = _mm256_set1_ps(groups->step_y);
    c->step_x = _mm256_set1_ps(groups->step_x);
    /* vi * padded_cols + ui as one multiply-add of 16-bit halves: all of
       them are below 2^15 (sides up to distort.c's MAX_SIDE). */
    c->stride = _mm256_set1_epi32((int32_t)padded_cols | (1 << 16));
}

/* Groups taken at once: where their points read is found for all of them
   first, then their blends. Each group's work is a long chain of
   dependent steps; in two shorter loops more groups fit in flight. */
#define BATCH 32

/* Where each point of the group at row r, columns t .. t + 7, reads the
   ink buffer (at), and its fractions down (fv) and across (fu). */
static inline void locate8(const ffnn_distort_groups *groups, const constants *c, size_t r,
                           size_t t, uint32_t *FFNN_RESTRICT at, float *FFNN_RESTRICT fv,
                           float *FFNN_RESTRICT fu)
{
    const size_t cols = groups->cols;
    const __m256 column = _mm256_add_ps(_mm256_set1_ps((float)(int32_t)t), c->lanes);
    __m256 y = _mm256_add_ps(_mm256_set1_ps(groups->start[2 * r]), _mm256_mul_ps(c->step_y, column));
    __m256 x = _mm256_add_ps(_mm256_set1_ps(groups->start[2 * r + 1]), _mm256_mul_ps(c->step_x, column));
    __m256 v, u;
    __m256i vi, ui;
    if (groups->partial_y != NULL) {
        const float *w = groups->row_weights + 3 * r;
        const __m256 w0 = _mm256_set1_ps(w[0]), w1 = _mm256_set1_ps(w[1]);
        const __m256 w2 = _mm256_set1_ps(w[2]);
        const size_t at_row = groups->row_first[r] * cols + t;
        const float *py = groups->partial_y + at_row, *px = groups->partial_x + at_row;
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
    v = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(y, c->pad), c->zero), c->vmax);
    u = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(x, c->pad), c->zero), c->umax);
    vi = _mm256_cvttps_epi32(v);
    ui = _mm256_cvttps_epi32(u);
    _mm256_storeu_ps(fv, _mm256_sub_ps(v, _mm256_cvtepi32_ps(vi)));
    _mm256_storeu_ps(fu, _mm256_sub_ps(u, _mm256_cvtepi32_ps(ui)));
    _mm256_storeu_si256((__m256i *)(void *)at,
                       _mm256_madd_epi16(_mm256_or_si256(vi, _mm256_slli_epi32(ui, 16)), c->stride));
}

/* Two floats from p as one 64-bit integer (p need not be aligned for it). */
static inline int64_t pair_bits(const float *p)
{
    int64_t bits;
    memcpy(&bits, p, sizeof bits);
    return bits;
}

/* The blends of a group's eight points, from where locate8 found they
   read (each offset below 2^31: no sign to extend). */
static inline __m256 blend8(const float *ink, size_t padded_cols, const uint32_t *FFNN_RESTRICT at,
                            const float *FFNN_RESTRICT fv, const float *FFNN_RESTRICT fu)
{
    const float *below = ink + padded_cols;
    const __m256 across = _mm256_loadu_ps(fu);
    __m256 top, bottom, tl, tr, bl, br, upper, lower;
    /* Each point's two neighbours above (or below), a pair per load:
       points 0, 1, 4, 5 in one register and 2, 3, 6, 7 in the other, so
       that one shuffle of the two puts the left ones in order, and one the
       right ones. */
#define PAIR(k, base) _mm_loadl_epi64((const __m128i *)(const void *)((base) + at[k]))
#define PAIRS(a, b, c, d, base)                                                              \
    _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_castsi128_ps(                            \
                             _mm_insert_epi64(PAIR(a, base), pair_bits((base) + at[b]), 1))), \
                         _mm_castsi128_ps(_mm_insert_epi64(PAIR(c, base),                     \
                                                           pair_bits((base) + at[d]), 1)),    \
                         1)
    top = PAIRS(0, 1, 4, 5, ink);
    bottom = PAIRS(2, 3, 6, 7, ink);
    tl = _mm256_shuffle_ps(top, bottom, _MM_SHUFFLE(2, 0, 2, 0));
    tr = _mm256_shuffle_ps(top, bottom, _MM_SHUFFLE(3, 1, 3, 1));
    top = PAIRS(0, 1, 4, 5, below);
    bottom = PAIRS(2, 3, 6, 7, below);
    bl = _mm256_shuffle_ps(top, bottom, _MM_SHUFFLE(2, 0, 2, 0));
    br = _mm256_shuffle_ps(top, bottom, _MM_SHUFFLE(3, 1, 3, 1));
#undef PAIRS
#undef PAIR
    upper = _mm256_add_ps(tl, _mm256_mul_ps(across, _mm256_sub_ps(tr, tl)));
    lower = _mm256_add_ps(bl, _mm256_mul_ps(across, _mm256_sub_ps(br, bl)));
    return _mm256_add_ps(upper, _mm256_mul_ps(_mm256_loadu_ps(fv), _mm256_sub_ps(lower, upper)));
}

/* Where the points of groups k0 .. k0 + m - 1 read, into the batch's
   arrays. */
static void locate_batch(const ffnn_distort_groups *groups, const constants *c, size_t k0,
                         size_t m, uint32_t *FFNN_RESTRICT at, float *FFNN_RESTRICT fv,
                         float *FFNN_RESTRICT fu)
{
    const uint32_t *group = groups->group + 2 * k0;
    size_t k;
    for (k = 0; k < m; ++k)
        locate8(groups, c, group[2 * k], group[2 * k + 1], at + 8 * k, fv + 8 * k, fu + 8 * k);
}

/* The scratch of a batch (read and written with unaligned loads and stores:
   mingw-w64's GCC does not align the stack beyond 16 bytes). */
typedef struct {
    uint32_t at[8 * BATCH];
    float fv[8 * BATCH], fu[8 * BATCH];
} batch;

/* Every group's eight blends, into pixels (rounded to the nearest level)
   or, when pixels is NULL, into inputs with the background added (a branch
   taken the same way for a whole image). */
static void groups_into(const ffnn_distort_groups *groups, uint8_t *FFNN_RESTRICT pixels,
                        float *FFNN_RESTRICT inputs, float background)
{
    const size_t cols = groups->cols, n = groups->n_groups, padded_cols = cols + 2 * PAD;
    const uint32_t *group = groups->group;
    const __m256 half = _mm256_set1_ps(0.5f), blank = _mm256_set1_ps(background);
    constants c;
    batch b;
    size_t k0, k;
    set_constants(groups, &c);
    for (k0 = 0; k0 < n; k0 += BATCH) {
        const size_t m = n - k0 < BATCH ? n - k0 : BATCH;
        locate_batch(groups, &c, k0, m, b.at, b.fv, b.fu);
        for (k = 0; k < m; ++k) {
            const size_t at = group[2 * (k0 + k)] * cols + group[2 * (k0 + k) + 1];
            const __m256 blend = blend8(groups->ink, padded_cols, b.at + 8 * k, b.fv + 8 * k, b.fu + 8 * k);
            if (pixels) {
                /* Each in 0 .. 255 after rounding, so the saturating packs change none. */
                const __m256i level = _mm256_cvttps_epi32(_mm256_add_ps(blend, half));
                __m128i eight = _mm_packs_epi32(_mm256_castsi256_si128(level),
                                                _mm256_extracti128_si256(level, 1));
                eight = _mm_packus_epi16(eight, eight);
                _mm_storel_epi64((__m128i *)(void *)(pixels + at), eight);
            } else {
                _mm256_storeu_ps(inputs + at, _mm256_add_ps(blank, blend));
            }
        }
    }
}

void ffnn_distort_groups_avx2_u8(const ffnn_distort_groups *groups, uint8_t *FFNN_RESTRICT out)
{
    groups_into(groups, out, NULL, 0.0f);
}

void ffnn_distort_groups_avx2_f32(const ffnn_distort_groups *groups, float background,
                                  float *FFNN_RESTRICT out)
{
    groups_into(groups, NULL, out, background);
}

void ffnn_distort_ink_avx2(const uint8_t *FFNN_RESTRICT pixels, size_t rows, size_t cols,
                           float per_level, float *FFNN_RESTRICT ink, size_t *top,
                           size_t *bottom)
{
    const size_t padded_cols = cols + 2 * PAD;
    const __m256 scale = _mm256_set1_ps(per_level);
    size_t r, c;
    for (r = 0; r < rows; ++r) {
        const uint8_t *FFNN_RESTRICT src = pixels + r * cols;
        float *FFNN_RESTRICT dst = ink + (r + PAD) * padded_cols + PAD;
        __m128i any = _mm_setzero_si128();
        for (c = 0;; c += 16) {
            /* The last 16 moved back to end at the row's end. */
            const size_t t = c + 16 <= cols ? c : cols - 16;
            const __m128i level = _mm_loadu_si128((const __m128i *)(const void *)(src + t));
            any = _mm_or_si128(any, level);
            _mm256_storeu_ps(dst + t, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(level)),
                                                    scale));
            _mm256_storeu_ps(dst + t + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(
                                                            _mm_srli_si128(level, 8))),
                                                        scale));
            if (c + 16 >= cols)
                break;
        }
        if (!_mm_testz_si128(any, any)) {
            if (r < *top)
                *top = r;
            *bottom = r;
        }
    }
}

/* The quadratic B-spline's weights at fractions f, as bspline_weights of
   distort.c computes them. */
static inline void weights4(__m128 f, __m128 *w0, __m128 *w1, __m128 *w2)
{
    const __m128 half = _mm_set1_ps(0.5f);
    const __m128 g = _mm_sub_ps(_mm_set1_ps(1.0f), f);
    *w0 = _mm_mul_ps(_mm_mul_ps(half, g), g);
    *w1 = _mm_add_ps(half, _mm_mul_ps(f, g));
    *w2 = _mm_mul_ps(_mm_mul_ps(half, f), f);
}

void ffnn_distort_spline_avx2(size_t i0, size_t i1, double step, double offset,
                              float *FFNN_RESTRICT weights, size_t *FFNN_RESTRICT first)
{
    const __m256d by = _mm256_set1_pd(step), from = _mm256_set1_pd(offset);
    size_t i = i0;
    for (; i + 4 <= i1; i += 4) {
        const __m128i index = _mm_add_epi32(_mm_set1_epi32((int32_t)i), _mm_set_epi32(3, 2, 1, 0));
        const __m256d t = _mm256_add_pd(_mm256_mul_pd(_mm256_cvtepi32_pd(index), by), from);
        const __m128i cell = _mm256_cvttpd_epi32(t); /* t >= 0: its floor */
        const __m128 f = _mm256_cvtpd_ps(_mm256_sub_pd(t, _mm256_cvtepi32_pd(cell)));
        __m128 a, b, c;
        weights4(f, &a, &b, &c);
        _mm256_storeu_si256((__m256i *)(void *)(first + i), _mm256_cvtepi32_epi64(cell));
        /* a0 b0 c0 a1, b1 c1 a2 b2, c2 a3 b3 c3: the weights pixel by pixel. */
        _mm_storeu_ps(weights + 3 * i,
                      _mm_shuffle_ps(_mm_unpacklo_ps(a, b), _mm_shuffle_ps(c, a, _MM_SHUFFLE(1, 1, 0, 0)),
                                     _MM_SHUFFLE(2, 0, 1, 0)));
        _mm_storeu_ps(weights + 3 * i + 4,
                      _mm_shuffle_ps(_mm_shuffle_ps(b, c, _MM_SHUFFLE(1, 1, 1, 1)),
                                     _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 2, 2, 2)),
                                     _MM_SHUFFLE(2, 0, 2, 0)));
        _mm_storeu_ps(weights + 3 * i + 8,
                      _mm_shuffle_ps(_mm_shuffle_ps(c, a, _MM_SHUFFLE(3, 3, 2, 2)),
                                     _mm_shuffle_ps(b, c, _MM_SHUFFLE(3, 3, 3, 3)),
                                     _MM_SHUFFLE(2, 0, 2, 0)));
    }
    for (; i < i1; ++i) {
        const double t = (double)(int64_t)i * step + offset;
        const int64_t cell = (int64_t)t;
        const float f = (float)(t - (double)cell), g = 1.0f - f;
        first[i] = (size_t)cell;
        weights[3 * i] = 0.5f * g * g;
        weights[3 * i + 1] = 0.5f + f * g;
        weights[3 * i + 2] = 0.5f * f * f;
    }
}

void ffnn_distort_spread_avx2(const float *FFNN_RESTRICT grid, size_t stacked,
                              size_t grid_plane, const float *FFNN_RESTRICT w,
                              const size_t *FFNN_RESTRICT first, size_t cols, size_t a0,
                              size_t a1, size_t c0, size_t c1, float *FFNN_RESTRICT partial)
{
    const size_t plane = stacked * cols;
    size_t s, a;
    int k, p;
    for (s = c0; s < c1; s += 8) {
        /* The last eight moved back to end at the row's end. */
        const size_t t = s + 8 <= cols ? s : cols - 8;
        __m256 w0[8], w1[8], w2[8];
        const float *FFNN_RESTRICT z[8];
        for (k = 0; k < 8; ++k) {
            const size_t j = t + (size_t)k;
            w0[k] = _mm256_set1_ps(w[3 * j]);
            w1[k] = _mm256_set1_ps(w[3 * j + 1]);
            w2[k] = _mm256_set1_ps(w[3 * j + 2]);
            z[k] = grid + first[j] * stacked;
        }
        for (p = 0; p < 2; ++p) {
            const size_t zo = (size_t)p * grid_plane;
            float *FFNN_RESTRICT q = partial + (size_t)p * plane;
            for (a = a0 & ~(size_t)7; a < a1; a += 8) {
                /* Each column's blend of its three grid columns (eight
                   grid rows each, one load), then the 8 x 8 block turned
                   into eight grid rows of eight columns. */
                __m256 b[8], e[8], o[8];
                for (k = 0; k < 8; ++k) {
                    const float *FFNN_RESTRICT zk = z[k] + zo + a;
                    b[k] = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(w0[k], _mm256_loadu_ps(zk)),
                                                       _mm256_mul_ps(w1[k], _mm256_loadu_ps(zk + stacked))),
                                         _mm256_mul_ps(w2[k], _mm256_loadu_ps(zk + 2 * stacked)));
                }
                for (k = 0; k < 8; k += 2) {
                    e[k] = _mm256_unpacklo_ps(b[k], b[k + 1]);
                    e[k + 1] = _mm256_unpackhi_ps(b[k], b[k + 1]);
                }
                for (k = 0; k < 8; k += 4) {
                    o[k] = _mm256_shuffle_ps(e[k], e[k + 2], _MM_SHUFFLE(1, 0, 1, 0));
                    o[k + 1] = _mm256_shuffle_ps(e[k], e[k + 2], _MM_SHUFFLE(3, 2, 3, 2));
                    o[k + 2] = _mm256_shuffle_ps(e[k + 1], e[k + 3], _MM_SHUFFLE(1, 0, 1, 0));
                    o[k + 3] = _mm256_shuffle_ps(e[k + 1], e[k + 3], _MM_SHUFFLE(3, 2, 3, 2));
                }
                /* o[k] holds grid rows k and k + 4 of columns 0 .. 3 (o[k])
                   and 4 .. 7 (o[k + 4]). */
                for (k = 0; k < 4; ++k) {
                    _mm256_storeu_ps(q + (a + (size_t)k) * cols + t,
                                     _mm256_permute2f128_ps(o[k], o[k + 4], 0x20));
                    _mm256_storeu_ps(q + (a + (size_t)k + 4) * cols + t,
                                     _mm256_permute2f128_ps(o[k], o[k + 4], 0x31));
                }
            }
        }
    }
}
#elif defined(__x86_64__) || defined(_M_X64)
#error "distort_avx2.c must be compiled with -mavx2 -mfma (MSVC: /arch:AVX2) on x86-64"
#else
/* Not an x86-64 target. ISO C forbids an empty translation unit. */
typedef int ffnn_no_distort_avx2;
#endif
