/*
 * One output row of a distortion, as distort.c hands it to the row kernels
 * of a SIMD level built apart (distort_avx2.c): where its points read a
 * float ink buffer, and what they compute, in the order resample_row4 of
 * distort_template.h computes it, so that every kernel gives the same bits.
 */
#ifndef FFNN_AUGMENT_DISTORT_ROWS_H
#define FFNN_AUGMENT_DISTORT_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "ffnn.h"

typedef struct ffnn_distort_row {
    const float *ink;      /* the padded ink buffer (blank border of 2) */
    size_t rows, cols;     /* of the image; the buffer has cols + 4 columns */
    float start_y, start_x; /* the row's affine point at column 0 */
    float step_y, step_x;   /* and its step per column */
    /* The elastic grid spread along the columns, or NULL: the row's three
       grid rows for y at py, py + cols, py + 2 cols, for x at px, ...,
       blended with weights w. */
    const float *py, *px;
    float w[3];
} ffnn_distort_row;

/*
 * Points j0 .. j1 - 1 of the row (j0 < j1, cols >= 8), eight at a time with
 * AVX2 into out (the row's cols values): pixels rounded to the nearest
 * level, or background plus ink. A group of eight may reach 7 points beyond
 * the span on either side: the elastic grid must be spread along those
 * columns. Only on a CPU with AVX2 (ffnn_simd_get() says AVX2 or AVX-512).
 */
void ffnn_distort_row_avx2_u8(const ffnn_distort_row *row, size_t j0, size_t j1,
                              uint8_t *FFNN_RESTRICT out);
void ffnn_distort_row_avx2_f32(const ffnn_distort_row *row, size_t j0, size_t j1,
                               float background, float *FFNN_RESTRICT out);

#endif /* FFNN_AUGMENT_DISTORT_ROWS_H */
