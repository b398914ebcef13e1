/*
 * The ink of the samples, for one precision: the columns a sweep of the
 * sparse first layer visits and their coefficients, read straight from the
 * samples' rows; included by sparse_template.h, which leaves REAL and
 * SUFFIX defined.
 *
 * An input is x = b + s. For pixels s is the book's v / 255 * 0.99, zero
 * exactly for the pixel 0; for float inputs s = x - b, zero exactly where
 * x == b (the difference of two finite floats is 0 only when they are
 * equal). A column is ink where s != 0 in either of the two rows.
 */
#ifndef REAL
#error "ink_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "ink_template.h needs SUFFIX (_f32 or _f64) defined"
#endif

#include <string.h>

#include "template.h"

/* Bytes of pixels looked at as one word: blank runs are skipped a word at a
   time (MNIST's margins are mostly blank in both images). */
#define FFNN_INK_WORD 8

/* list = the columns where either row is ink, a from `prev`, x from `cur`
   (NULL: that row has no ink). Returns the sum of cur's s, in double. */
static double FN(columns_of_pixels)(const struct FN(sparse) *sp,
                                    struct FN(sparse_columns) *list,
                                    const uint8_t *prev, const uint8_t *cur)
{
    static const uint8_t blank[FFNN_INK_WORD] = {0};
    const REAL *s = sp->s_of_pixel;
    const size_t n_in = sp->n_in;
    size_t n = 0, c = 0;
    double sum = 0;
    const uint8_t *p = prev, *q = cur;
    for (; c < n_in; c += FFNN_INK_WORD) {
        const size_t width = n_in - c < FFNN_INK_WORD ? n_in - c : FFNN_INK_WORD;
        const uint8_t *pw = p ? p + c : blank, *qw = q ? q + c : blank;
        if (width == FFNN_INK_WORD && memcmp(pw, blank, FFNN_INK_WORD) == 0 &&
            memcmp(qw, blank, FFNN_INK_WORD) == 0)
            continue;
        /* Every column is written, and kept only if it is ink: no branch
           on the pixels. */
        for (size_t k = 0; k < width; k++) {
            const uint8_t a = p ? pw[k] : 0, x = q ? qw[k] : 0;
            list->cols[n] = c + k;
            list->a[n] = s[a];
            list->x[n] = s[x];
            sum += (double)s[x];
            n += (size_t)((a | x) != 0);
        }
    }
    list->n = n;
    return sum;
}

/* The same for float inputs with background b. */
static double FN(columns_of_inputs)(const struct FN(sparse) *sp,
                                    struct FN(sparse_columns) *list,
                                    const REAL *prev, const REAL *cur)
{
    const REAL b = sp->b;
    const size_t n_in = sp->n_in;
    size_t n = 0;
    double sum = 0;
    for (size_t c = 0; c < n_in; c++) {
        const REAL a = prev ? prev[c] - b : 0, x = cur ? cur[c] - b : 0;
        list->cols[n] = c;
        list->a[n] = a;
        list->x[n] = x;
        sum += (double)x;
        /* A NaN input is ink, so the forward pass sees it. */
        n += (size_t)(!(a == 0) | !(x == 0));
    }
    list->n = n;
    return sum;
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

#undef FFNN_INK_WORD
