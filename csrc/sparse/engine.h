/*
 * Internal to the C core: when a training run's first layer takes the
 * sparse engine (sparse_template.h), and how often it folds.
 */
#ifndef FFNN_SPARSE_ENGINE_H
#define FFNN_SPARSE_ENGINE_H

#include "ffnn.h"

/* Samples between two folds of u into V. Folding bounds the drift of r
   from V 1; it costs a pass over V, as a dense step does. Measured by
   benchmarks/bench_sparse.py --fold: see the numbers there. A divisor of
   the binding's chunks, so that an epoch trained in several calls folds
   where one call would. */
#define FFNN_SPARSE_FOLD 256

/* FFNN_ENGINE_AUTO takes the sparse engine for a first layer of at least
   this many hidden units ... On MNIST (784 inputs, a fifth ink) it is
   faster from about 12 units on in float32 (1.26x at 16, 1.34x at 24,
   1.64x at 32, 2x at 48) and from below 8 in float64 (1.2x at 8; measured
   with benchmarks/bench_sparse.py --hidden): auto waits for the gain to be
   clear, and smaller networks keep the bits of train(), which is dense. */
#define FFNN_SPARSE_MIN_HIDDEN 32
/* ... and inputs of at most this many ink inputs in 256 (counted over the
   first FFNN_SPARSE_SAMPLED rows of the samples): above it the union of two
   samples' ink costs as much as the dense sweep. */
#define FFNN_SPARSE_MAX_INK 96
#define FFNN_SPARSE_SAMPLED 64
/* ... in runs of at least this many samples: a run's working copy costs
   about two dense steps. */
#define FFNN_SPARSE_MIN_COUNT 16

#endif /* FFNN_SPARSE_ENGINE_H */
