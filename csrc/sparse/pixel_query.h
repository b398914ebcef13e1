/*
 * Internal to the C core (not part of the API in ffnn.h): the first layer
 * of a batch query on uint8 pixels, from the ink alone.
 *
 * The book's input of a pixel p is x = b + s with b = 0.01 (its background)
 * and s = p / 255 * 0.99, zero wherever p is. So W x = b (W 1) + W[:, ink]
 * s[ink]: with W^T made once per call (its row j is column j of W,
 * contiguous), a sample costs its ink pixels' rows of W^T instead of all of
 * W. A sample with too much ink for that to pay goes the dense way (its
 * pixels scaled, then the matrix product), as does every sample of a call
 * too small to pay for W^T. Either way a sample's result depends on that
 * sample and that choice alone, never on which thread or block computes it.
 *
 * The network code (core/network_template.h) makes a plan per call, runs
 * ffnn_pixel_query_layer_<dtype> in place of layer 1's matrix product, then
 * adds the biases and the sigmoid and runs the other layers as for inputs.
 */
#ifndef FFNN_PIXEL_QUERY_H
#define FFNN_PIXEL_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "ffnn.h"

/* Which way the samples of a call go. */
enum ffnn_pixel_engine {
    FFNN_PIXELS_AUTO = 0,   /* each sample the faster way (see the plan) */
    FFNN_PIXELS_DENSE = 1,  /* every sample scaled, then the matrix product */
    FFNN_PIXELS_SPARSE = 2  /* every sample from its ink */
};

/* What a plan's creation returns (the values of ffnn.h's status codes). */
enum ffnn_pixel_status {
    FFNN_PIXELS_OK = 0,
    FFNN_PIXELS_ERROR_MEMORY = 1,
    FFNN_PIXELS_ERROR_ARGUMENT = 2
};

struct ffnn_pixel_query_f32;
struct ffnn_pixel_query_f64;

/* A plan for a call of n samples with layer 1's weights w (rows x cols,
   row-major; borrowed until the plan is freed), shared between `threads`
   threads: W^T, the background's part b (W 1), and each thread's scratch.
   The transposition is shared out in `pool` (NULL: this thread). Returns
   FFNN_PIXELS_OK, _ERROR_MEMORY (nothing allocated then) or
   _ERROR_ARGUMENT (an unknown engine). */
int ffnn_pixel_query_create_f32(struct ffnn_pixel_query_f32 **plan,
                                size_t rows, size_t cols, const float *w,
                                size_t n, int engine, ffnn_pool *pool);
int ffnn_pixel_query_create_f64(struct ffnn_pixel_query_f64 **plan,
                                size_t rows, size_t cols, const double *w,
                                size_t n, int engine, ffnn_pool *pool);
/* out (n x rows) = W x for the n samples of pixels (n x cols), without
   biases or sigmoid; `thread` (below the plan's thread count) picks the
   scratch. */
void ffnn_pixel_query_layer_f32(const struct ffnn_pixel_query_f32 *plan,
                                size_t n, const uint8_t *pixels, float *out,
                                int thread);
void ffnn_pixel_query_layer_f64(const struct ffnn_pixel_query_f64 *plan,
                                size_t n, const uint8_t *pixels, double *out,
                                int thread);
/* How many of the plan's samples so far went from their ink (for the
   tests and benchmarks); NULL allowed in free. */
size_t ffnn_pixel_query_sparse_count_f32(const struct ffnn_pixel_query_f32 *plan);
size_t ffnn_pixel_query_sparse_count_f64(const struct ffnn_pixel_query_f64 *plan);
void ffnn_pixel_query_free_f32(struct ffnn_pixel_query_f32 *plan);
void ffnn_pixel_query_free_f64(struct ffnn_pixel_query_f64 *plan);

/* The batch query of n samples of pixels (n x sizes[0] uint8), as
   ffnn_biased_query_pool does for inputs, the samples going as `engine`
   says (enum ffnn_pixel_engine). Defined in core/network_template.h.
   Returns FFNN_PIXELS_OK or an error of ffnn_pixel_query_create (outputs
   not written then). */
int ffnn_biased_query_pixels_pool_f32(size_t n_layers, const size_t *sizes,
                                      const float *const *weights,
                                      const float *const *biases, size_t n,
                                      const uint8_t *pixels, int engine,
                                      float *outputs, float *work,
                                      ffnn_pool *pool);
int ffnn_biased_query_pixels_pool_f64(size_t n_layers, const size_t *sizes,
                                      const double *const *weights,
                                      const double *const *biases, size_t n,
                                      const uint8_t *pixels, int engine,
                                      double *outputs, double *work,
                                      ffnn_pool *pool);

#endif /* FFNN_PIXEL_QUERY_H */
