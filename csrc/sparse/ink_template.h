/*
 * The ink of the samples, for one precision: which inputs of a sample are
 * ink, as a bit mask, and the columns a sweep of the sparse first layer
 * visits, with their coefficients; included by sparse.c as template.h
 * describes, after state_template.h of the same precision.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64), FFNN_SPARSE_NONE,
 *   FFNN_SPARSE_SSE2 (1 with <emmintrin.h> included, else 0).
 * Defines, static, each with SUFFIX pasted on: pixel_word, ink_of_pixels,
 *   ink_of_inputs, lowest_bit, sparse_lists, ink_count.
 * Undefines REAL and SUFFIX at the end.
 *
 * An input is x = b + s. For pixels s is the book's v / 255 * 0.99, zero
 * exactly for the pixel 0; for float inputs s = x - b, zero exactly where
 * x == b (the difference of two finite floats is 0 only when they are
 * equal; a NaN input counts as ink, so the forward pass sees it).
 */
#ifndef REAL
#error "ink_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "ink_template.h needs SUFFIX (_f32 or _f64) defined"
#endif

#include "template.h"

/* The n <= 8 bytes at p as one word, byte j in bits 8j .. 8j + 7. */
static uint64_t FN(pixel_word)(const uint8_t *p, size_t n)
{
    const uint16_t one = 1;
    unsigned char first;
    uint64_t q = 0;
    memcpy(&first, &one, 1);
    if (n == 8 && first == 1) { /* little-endian: one load */
        memcpy(&q, p, 8);
        return q;
    }
    for (size_t j = 0; j < n; j++)
        q |= (uint64_t)p[j] << (8 * j);
    return q;
}

/* Mask bit c % 64 of word c / 64 is set where input c is ink; returns the
   sum of the row's s, in double. Where x86-64's SSE2 is there (always, on
   x86-64), pixels go sixteen at a time: a compare with zero and its byte
   mask, and a sum of absolute differences to zero that adds up the bytes.
   Elsewhere, and for the last pixels, eight at a time through plain 64-bit
   arithmetic: a byte's top bit after the first two steps says it is
   non-zero, a multiplication gathers the eight top bits into one byte, and
   another sums the bytes in 16-bit lanes. Either way the sum is an exact
   integer. */
static double FN(ink_of_pixels)(size_t n_in, const uint8_t *p, uint64_t *mask)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Fu, tops = 0x8080808080808080u;
    const uint64_t evens = 0x00FF00FF00FF00FFu;
    uint64_t total = 0;
    size_t c = 0;
    for (size_t w = 0; w * 64 < n_in; w++)
        mask[w] = 0;
#if FFNN_SPARSE_SSE2
    {
        const __m128i zero = _mm_setzero_si128();
        __m128i sums = zero;
        uint64_t halves[2];
        for (; c + 64 <= n_in; c += 64) {
            uint64_t bits = 0;
            for (unsigned k = 0; k < 64; k += 16) {
                const __m128i q = _mm_loadu_si128((const __m128i *)(const void *)(p + c + k));
                const unsigned blank = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(q, zero));
                bits |= (uint64_t)(~blank & 0xFFFFu) << k;
                sums = _mm_add_epi64(sums, _mm_sad_epu8(q, zero));
            }
            mask[c / 64] = bits;
        }
        _mm_storeu_si128((__m128i *)(void *)halves, sums);
        total = halves[0] + halves[1];
    }
#endif
    for (; c < n_in; c += 8) {
        const uint64_t q = FN(pixel_word)(p + c, n_in - c < 8 ? n_in - c : 8);
        const uint64_t pairs = (q & evens) + ((q >> 8) & evens);
        const uint64_t inked = ((((q & low7) + low7) | q) & tops) >> 7;
        mask[c / 64] |= (inked * 0x0102040810204080u >> 56) << (c % 64);
        total += pairs * 0x0001000100010001u >> 48;
    }
    return (double)total / 255 * 0.99;
}

/* The same for float inputs with background b. */
static double FN(ink_of_inputs)(size_t n_in, const REAL *x, REAL b,
                                uint64_t *mask)
{
    /* Four sums in a fixed order: the same for every run. */
    double sums[4] = {0, 0, 0, 0};
    for (size_t c = 0; c < n_in; c += 64) {
        uint64_t bits = 0;
        for (size_t k = 0; k < 64 && c + k < n_in; k++) {
            const REAL s = x[c + k] - b;
            bits |= (uint64_t)!(s == 0) << k;
            sums[k % 4] += (double)s;
        }
        mask[c / 64] = bits;
    }
    return (sums[0] + sums[1]) + (sums[2] + sums[3]);
}

/* The index of the lowest set bit of bits (not 0): one instruction where
   the compiler has it, else a de Bruijn multiplication of the lowest bit. */
static unsigned FN(lowest_bit)(uint64_t bits)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(bits);
#else
    static const unsigned char index[64] = {
        0,  1,  2,  53, 3,  7,  54, 27, 4,  38, 41, 8,  34, 55, 48, 28,
        62, 5,  39, 46, 44, 42, 22, 9,  24, 35, 59, 56, 49, 18, 29, 11,
        63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
        51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12};
    return index[((bits & (0 - bits)) * 0x022FDD63CC95386Du) >> 58];
#endif
}

/* This step's two lists of a part. With `flush`, lists[0] first takes
   every column that owes an update (a fold or the end of a run comes).
   Then each ink column of this sample (mask, NULL: none) goes to lists[0]
   with its pending update, or to lists[1] without one, and now owes this
   sample's update, whose g will be at ring slot `slot`. */
static void FN(sparse_lists)(const struct FN(ffnn_sparse) *sp,
                             struct FN(sparse_part) *part, int flush,
                             const uint64_t *mask, const uint8_t *p,
                             const REAL *x, size_t slot)
{
    struct FN(sparse_columns) *owing = &part->lists[0], *fresh = &part->lists[1];
    /* Every array in a local pointer: stores through them cannot then be
       taken to change the lists' fields, which the loop would reload. */
    size_t *const pending = part->pending, *const cols0 = owing->cols,
                 *const gs0 = owing->gs, *const cols1 = fresh->cols;
    REAL *const pending_a = part->pending_a, *const a0 = owing->a,
               *const x0 = owing->x, *const x1 = fresh->x;
    const REAL *const s_of_pixel = sp->s_of_pixel;
    const REAL b = sp->b;
    const size_t ld = part->ld, n_in = sp->n_in, offset = slot * ld;
    size_t n0 = 0, n1 = 0;
    if (flush)
        for (size_t c = 0; c < n_in; c++)
            if (pending[c] != FFNN_SPARSE_NONE) {
                cols0[n0] = c * ld;
                gs0[n0] = pending[c];
                a0[n0++] = pending_a[c];
                pending[c] = FFNN_SPARSE_NONE;
            }
    for (size_t w = 0; mask && w * 64 < n_in; w++)
        for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
            const size_t c = w * 64 + FN(lowest_bit)(bits);
            const REAL s = p ? s_of_pixel[p[c]] : x[c] - b;
            const size_t g = pending[c];
            if (g != FFNN_SPARSE_NONE) {
                cols0[n0] = c * ld;
                gs0[n0] = g;
                a0[n0] = pending_a[c];
                x0[n0++] = s;
            } else {
                cols1[n1] = c * ld;
                x1[n1++] = s;
            }
            pending[c] = offset;
            pending_a[c] = s;
        }
    owing->n = n0;
    fresh->n = n1;
}

/* How many of the inputs of `rows` samples from row 0 on are ink. */
static size_t FN(ink_count)(const uint8_t *pixels, const REAL *inputs,
                            REAL b, size_t n_in, size_t rows)
{
    size_t ink = 0;
    for (size_t i = 0; i < rows * n_in; i++)
        ink += pixels ? (size_t)(pixels[i] != 0) : (size_t)!(inputs[i] == b);
    return ink;
}

#undef REAL
#undef SUFFIX
