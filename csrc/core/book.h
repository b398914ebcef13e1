/*
 * Internal to the C core: the book's inputs and targets, written once.
 * ffnn_scale_pixels and ffnn_one_hot (book.c) apply them to whole arrays;
 * the network code (net.c and its templates) applies them to one sample at
 * a time as it trains, queries or takes gradients.
 */
#ifndef FFNN_BOOK_H
#define FFNN_BOOK_H

#include <stddef.h>
#include <stdint.h>

/* The book's scaling of a pixel value v: v / 255 * 0.99 + 0.01, each step
   rounded in the precision, as NumPy computes it. */
static inline float book_input_f32(float v)
{
    return v / 255.0f * 0.99f + 0.01f;
}

static inline double book_input_f64(double v)
{
    return v / 255.0 * 0.99 + 0.01;
}

/* The book's target for `label` over n nodes: 0.99 there, 0.01 elsewhere.
   The caller has checked 0 <= label < n. */
static inline void book_target_f32(size_t n, int64_t label, float *t)
{
    for (size_t j = 0; j < n; j++)
        t[j] = 0.01f;
    t[label] = 0.99f;
}

static inline void book_target_f64(size_t n, int64_t label, double *t)
{
    for (size_t j = 0; j < n; j++)
        t[j] = 0.01;
    t[label] = 0.99;
}

/* The first of rows labels outside 0 .. n_classes - 1, or rows if none. */
static inline size_t book_bad_label(size_t rows, size_t n_classes,
                                    const int64_t *labels)
{
    for (size_t i = 0; i < rows; i++)
        if (labels[i] < 0 || (uint64_t)labels[i] >= (uint64_t)n_classes)
            return i;
    return rows;
}

#endif /* FFNN_BOOK_H */
