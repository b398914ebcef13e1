/*
 * Internal to the C core (not part of the API in ffnn.h): the sparse
 * training engine, which takes over the first layer of a training run
 * (core/network_template.h) when the schedule's engine, or
 * FFNN_ENGINE_AUTO (sparse/engine.h), says so. Built once per precision
 * in sparse.c.
 *
 * The inputs are x = b 1 + s with s zero at the background (b = 0.01 for
 * pixels, the given background for float inputs). With the layer's weights
 * held as W = V + u 1^T and r = V 1 (state_template.h), and g = lr d:
 *   forward  W x = b r + V[:, ink] s[ink] + u (1^T x)
 *   update   W += g x^T  is  u += b g, V[:, ink] += g s[ink]^T, r += g (1^T s)
 * so a step touches only V's columns at the ink. The update of a column
 * waits until the column is next read, and is joined with that read in one
 * sweep (state_template.h says why this changes no bit of V), so a step
 * reads and writes each column of its sample's ink once (ink_template.h).
 * Every FFNN_SPARSE_FOLD samples u is folded into V and r recomputed; in
 * exact arithmetic nothing changes. Deeper layers stay dense.
 *
 * A training run calls, in this order: ffnn_sparse_choose_<p> (whether),
 * ffnn_sparse_begin_<p> (the engine, in one or two parts), per sample
 * ffnn_sparse_load_<p> and then ffnn_sparse_first_layer_<p>, once for each
 * part; and ffnn_sparse_end_<p> (every pending update, the weights written
 * back, the engine freed). <p> is f32 or f64.
 *
 * In two parts, each part is a thread's for the whole run: it owns a range
 * of the units, makes their working copy (ffnn_sparse_own_<p>), lists each
 * sample's ink itself (ffnn_sparse_load_<p> with its part), computes its
 * units (ffnn_sparse_first_layer_<p>) and makes their last pass
 * (ffnn_sparse_last_pass_<p>) before the end. The two threads share no
 * data but the step's deltas and outputs, which the caller hands over
 * between steps. Each unit goes through exactly the operations it would in
 * one part: the results are bitwise the same.
 */
#ifndef FFNN_SPARSE_H
#define FFNN_SPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ffnn.h"
#include "kernels/kernel_table.h"
#include "pool/pool.h"

/* What the engine works on: layer 1 of a training run, as the trainer
   hands it over at the start. Every pointer is borrowed for the run. */
struct ffnn_sparse_layer_f32 {
    size_t n_in, hidden;     /* the layer's inputs and units */
    float *weights;          /* hidden x n_in, row-major: read at begin,
                                written back at end */
    float lr;                /* the learning rate */
    const uint8_t *pixels;   /* the samples' pixels (rows x n_in), or NULL */
    const float *inputs;     /* else their inputs (rows x n_in) */
    float background;        /* b: the book's input of the pixel 0, or the
                                inputs' background */
    const float *deltas;     /* where the trainer leaves layer 1's deltas of
                                each step (hidden entries) */
    ffnn_pool *pool;
    const struct ffnn_kernels_f32 *kernels;
};

struct ffnn_sparse_layer_f64 {
    size_t n_in, hidden;
    double *weights;
    double lr;
    const uint8_t *pixels;
    const double *inputs;
    double background;
    const double *deltas;
    ffnn_pool *pool;
    const struct ffnn_kernels_f64 *kernels;
};

/* The engine's state during a run (state_template.h). */
struct ffnn_sparse_f32;
struct ffnn_sparse_f64;

/* Whether a run of `schedule` on `samples` (sizes: the net's node counts)
   takes the sparse first layer: *sparse 1 or 0, and FFNN_OK; or
   FFNN_ERROR_ENGINE when the schedule asks for it and the samples are
   neither pixels nor inputs with a known background. */
int ffnn_sparse_choose_f32(const ffnn_schedule *schedule, const size_t *sizes,
                           const ffnn_samples *samples, int *sparse);
int ffnn_sparse_choose_f64(const ffnn_schedule *schedule, const size_t *sizes,
                           const ffnn_samples *samples, int *sparse);

/* The units of part 0 when a layer of `hidden` units is split in two
   parts (whole 64-byte groups, part 1 has the rest); 0 when it is too
   small to split. */
size_t ffnn_sparse_split_f32(size_t hidden);
size_t ffnn_sparse_split_f64(size_t hidden);

/* The engine for `layer` in `parts` parts (1, or 2 when
   ffnn_sparse_split_<p> is not 0): FFNN_OK, or FFNN_ERROR_MEMORY with
   *engine NULL. In one part its working copy is made here from
   layer->weights (shared out in layer->pool); in two, each part makes its
   own with ffnn_sparse_own_<p>, on its thread, before its first step. */
int ffnn_sparse_begin_f32(struct ffnn_sparse_f32 **engine,
                          const struct ffnn_sparse_layer_f32 *layer, int parts);
int ffnn_sparse_begin_f64(struct ffnn_sparse_f64 **engine,
                          const struct ffnn_sparse_layer_f64 *layer, int parts);
/* An engine begun in two parts, before its first step, made one part
   (the helper for the other did not come), its working copy made. */
void ffnn_sparse_alone_f32(struct ffnn_sparse_f32 *engine);
void ffnn_sparse_alone_f64(struct ffnn_sparse_f64 *engine);
/* The engine's parts: 1 or 2. */
int ffnn_sparse_parts_f32(const struct ffnn_sparse_f32 *engine);
int ffnn_sparse_parts_f64(const struct ffnn_sparse_f64 *engine);
/* The working copy of `part`'s units (a run in two parts). */
void ffnn_sparse_own_f32(struct ffnn_sparse_f32 *engine, int part);
void ffnn_sparse_own_f64(struct ffnn_sparse_f64 *engine, int part);

/* Sample `row` of the samples as step s of the run (s = 0, 1, ... in
   order), for `part`: its ink, and the step's plan (a fold every
   FFNN_SPARSE_FOLD samples, after every pending update, before the
   forward pass). */
void ffnn_sparse_load_f32(struct ffnn_sparse_f32 *engine, int part, size_t s,
                          size_t row);
void ffnn_sparse_load_f64(struct ffnn_sparse_f64 *engine, int part, size_t s,
                          size_t row);

/* `part`'s units of layer 1 for this step: the last sample's update when
   `pending` (its deltas at layer->deltas), its part of u and r, then the
   columns: at a fold every pending update and the fold; the forward pass
   through this sample's ink, each column taking its pending update in the
   same sweep. Returns the forward pass's weighted sums (without biases) of
   units *first .. *last - 1 (the part's, less the padding); the caller
   finishes them as a dense layer's. NULL when there is none to finish. */
float *ffnn_sparse_first_layer_f32(struct ffnn_sparse_f32 *engine, int part,
                                   int pending, size_t *first, size_t *last);
double *ffnn_sparse_first_layer_f64(struct ffnn_sparse_f64 *engine, int part,
                                    int pending, size_t *first, size_t *last);

/* The last pass of `part`'s units in a run of two parts, on its thread,
   after its last step: the last sample's update, every pending one, then
   W = V + u 1^T of its units written back into layer->weights. */
void ffnn_sparse_last_pass_f32(struct ffnn_sparse_f32 *engine, int part);
void ffnn_sparse_last_pass_f64(struct ffnn_sparse_f64 *engine, int part);

/* The end of a run (after at least one step), once no part runs: in one
   part the last sample's update, every pending one, then W = V + u 1^T
   written back into layer->weights (in two, ffnn_sparse_last_pass_<p> has
   done that); the engine freed. */
void ffnn_sparse_end_f32(struct ffnn_sparse_f32 *engine);
void ffnn_sparse_end_f64(struct ffnn_sparse_f64 *engine);

#endif /* FFNN_SPARSE_H */
