/*
 * The points of a distorted image, as distort.c hands them to the kernels
 * of a SIMD level built apart (distort_avx2.c): groups of eight points of a
 * row, where they read a float ink buffer, and what they compute, in the
 * order resample_row4 of distort_template.h computes it, so that every
 * kernel gives the same bits.
 */
#ifndef FFNN_AUGMENT_DISTORT_ROWS_H
#define FFNN_AUGMENT_DISTORT_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "ffnn.h"

typedef struct ffnn_distort_groups {
    const float *ink;       /* the padded ink buffer (a blank border of 2) */
    size_t rows, cols;      /* of the image; the buffer has cols + 4 columns */
    float step_y, step_x;   /* the affine map's step per column */
    const float *start;     /* 2 per row: its affine point (y, x) at column 0 */
    /* The elastic grid spread along the columns (y and x), or NULL: row r
       blends grid rows row_first[r] .. + 2 (cols values each) with the
       weights row_weights[3 r ..]. */
    const float *partial_y, *partial_x;
    const size_t *row_first;
    const float *row_weights;
    /* 2 per group: its row and first column, t + 8 <= cols. */
    const uint32_t *group;
    size_t n_groups;
} ffnn_distort_groups;

/*
 * Every group's eight points into out (rows * cols): pixels rounded to the
 * nearest level, or background plus ink; the points of no group are left
 * as they are. One loop over all the groups of an image, whose rows are
 * too short for a loop each (its last turn would be mispredicted every
 * time). Only on a CPU with AVX2 (ffnn_simd_get() says AVX2 or AVX-512).
 */
void ffnn_distort_groups_avx2_u8(const ffnn_distort_groups *groups, uint8_t *FFNN_RESTRICT out);
void ffnn_distort_groups_avx2_f32(const ffnn_distort_groups *groups, float background,
                                  float *FFNN_RESTRICT out);

/*
 * Pixels (rows * cols, cols >= 16) into the ink buffer's middle, each
 * times per_level, as fill_ink of distort_template.h does it; *top and
 * *bottom lowered and raised to the rows holding ink. AVX2 only, as above.
 */
void ffnn_distort_ink_avx2(const uint8_t *FFNN_RESTRICT pixels, size_t rows, size_t cols,
                           float per_level, float *FFNN_RESTRICT ink, size_t *top,
                           size_t *bottom);

/*
 * spline_axis of distort.c, four pixels at a time: pixels i0 .. i1 - 1's
 * first grid node and 3 B-spline weights, at t = i * step + offset cells
 * (t below 2^31). AVX2 only, as above.
 */
void ffnn_distort_spline_avx2(size_t i0, size_t i1, double step, double offset,
                              float *FFNN_RESTRICT weights, size_t *FFNN_RESTRICT first);

/*
 * spread_columns of distort.c, eight grid rows by eight columns at a time:
 * the grid (2 planes of grid_plane values, node (a, b) at b * stacked + a,
 * stacked a multiple of 8) blended along columns c0 .. c1 - 1 (cols >= 8)
 * with the columns' weights w (3 each) from their first nodes, for grid
 * rows a0 .. a1 - 1, into partial (2 planes of stacked rows of cols). AVX2
 * only, as above.
 */
void ffnn_distort_spread_avx2(const float *FFNN_RESTRICT grid, size_t stacked,
                              size_t grid_plane, const float *FFNN_RESTRICT w,
                              const size_t *FFNN_RESTRICT first, size_t cols, size_t a0,
                              size_t a1, size_t c0, size_t c1, float *FFNN_RESTRICT partial);

#endif /* FFNN_AUGMENT_DISTORT_ROWS_H */
