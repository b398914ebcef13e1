/*
 * Random distortions of training images (Simard, Steinkraus and Platt, 2003):
 * every image moved by its own random affine map and elastic displacement
 * field, then resampled bilinearly, for fit(distort=...).
 *
 * The randomness is a function of (seed, index) alone, where index is the
 * sample's position in the epoch: an image is distorted the same way
 * whatever the calls' sizes, the threads or the order of the calls.
 *
 * Ink (the value minus the background) is what moves, over a background of
 * exactly 0, so blank output pixels are exactly the background: the sparse
 * engine still tells the ink. Sampling outside the picture reads blank.
 */
#ifndef FFNN_AUGMENT_DISTORT_H
#define FFNN_AUGMENT_DISTORT_H

#include <stddef.h>
#include <stdint.h>

#include "ffnn.h"

/* The size of each random change; 0 leaves it out. Each image gets values
   drawn uniformly in the ranges given. */
typedef struct ffnn_distortion {
    double rotate; /* degrees: turned by an angle in [-rotate, rotate] */
    double scale;  /* grown by a factor in [1 - scale, 1 + scale] */
    double shear;  /* columns slid by k times the row, k in [-shear, shear] */
    double shift;  /* moved by up to shift pixels along each axis */
    double alpha;  /* elastic: the displacement field's scale, in pixels */
    double sigma;  /* elastic: the field's smoothness (a Gaussian's width), in pixels */
} ffnn_distortion;

/*
 * Where image `index` of the stream `seed` reads each of its rows * cols
 * output pixels: (y, x), in pixels of the input, row by row. The kernels
 * below sample exactly there. FFNN_ERROR_ARGUMENT for a distortion with a
 * negative, non-finite or too large value (scale >= 1, sigma <= 0 with alpha
 * != 0), FFNN_ERROR_MEMORY if memory is short.
 */
int ffnn_distort_coordinates(const ffnn_distortion *d, uint64_t seed, uint64_t index,
                             size_t rows, size_t cols, float *FFNN_RESTRICT y,
                             float *FFNN_RESTRICT x);

/*
 * n images of rows * cols, each distorted into `out` (n * rows * cols):
 * image i is sample first + i of the stream `seed`. The images are either
 * uint8 `pixels`, written as the book's inputs (background 0.01), or real
 * `inputs` whose blank value is `background` (the other pointer NULL).
 * A distortion of all zeros copies (and scales) the images exactly.
 */
int ffnn_distort_f32(const ffnn_distortion *d, uint64_t seed, uint64_t first, size_t n,
                     size_t rows, size_t cols, const uint8_t *FFNN_RESTRICT pixels,
                     const float *FFNN_RESTRICT inputs, float background,
                     float *FFNN_RESTRICT out);
int ffnn_distort_f64(const ffnn_distortion *d, uint64_t seed, uint64_t first, size_t n,
                     size_t rows, size_t cols, const uint8_t *FFNN_RESTRICT pixels,
                     const double *FFNN_RESTRICT inputs, double background,
                     double *FFNN_RESTRICT out);

/*
 * The same for uint8 pixels into uint8 pixels: each output pixel the blend
 * rounded to the nearest level; a blank pixel stays exactly 0. Training on
 * them takes the pixel path (less memory, and the sparse engine's fastest).
 */
int ffnn_distort_pixels(const ffnn_distortion *d, uint64_t seed, uint64_t first, size_t n,
                        size_t rows, size_t cols, const uint8_t *FFNN_RESTRICT pixels,
                        uint8_t *FFNN_RESTRICT out);

#endif /* FFNN_AUGMENT_DISTORT_H */
