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
 * too small to pay for W^T, or whose samples mostly have too much ink.
 * Where the level's kernels say it pays, the samples from their ink go
 * FFNN_INK_GROUP at a time over the union of their ink, each row of W^T
 * loaded once for the group (a sample's part is zero where it has no ink,
 * which adds an exact zero): the same bits as alone.
 * Either way a sample's result depends on that sample and its call's
 * choice alone, never on which thread, block or group computes it.
 *
 * The network code (core/network_template.h) makes a plan per call of
 * ffnn_query on pixels, runs ffnn_pixel_query_layer_<dtype> in place of
 * layer 1's matrix product, then adds the biases and the sigmoid and runs
 * the other layers as for inputs.
 */
#ifndef FFNN_PIXEL_QUERY_H
#define FFNN_PIXEL_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "ffnn.h"
#include "pool/pool.h"

struct ffnn_pixel_query_f32;
struct ffnn_pixel_query_f64;

/* A plan for a call of n samples with layer 1's weights w (rows x cols,
   row-major; borrowed until the plan is freed) and input[v] the input of
   the pixel value v as the network scales it (256 entries, copied; input[0]
   is the background), shared between the pool's
   threads, the samples going as `engine` (enum ffnn_engine) says: W^T, the
   background's part b (W 1), and each thread's scratch; the transposition
   is shared out in `pool` (NULL: this thread). *plan is NULL when no sample
   is to go from its ink (FFNN_ENGINE_DENSE, a call or a layer too small,
   or, with FFNN_ENGINE_AUTO, too few of the samples of `pixels` (n x cols)
   with little enough ink for W^T to pay): then the caller's matrix
   product does it all. Returns FFNN_OK,
   FFNN_ERROR_MEMORY (nothing allocated then) or FFNN_ERROR_ARGUMENT (an
   unknown engine). */
int ffnn_pixel_query_create_f32(struct ffnn_pixel_query_f32 **plan,
                                size_t rows, size_t cols, const float *w,
                                const float *input, size_t n,
                                const uint8_t *pixels, int engine,
                                ffnn_pool *pool);
int ffnn_pixel_query_create_f64(struct ffnn_pixel_query_f64 **plan,
                                size_t rows, size_t cols, const double *w,
                                const double *input, size_t n,
                                const uint8_t *pixels, int engine,
                                ffnn_pool *pool);
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

#endif /* FFNN_PIXEL_QUERY_H */
