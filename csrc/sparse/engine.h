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
   this many hidden units ... */
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
