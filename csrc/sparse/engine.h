/*
 * Internal to the C core: when a training run's first layer takes the
 * sparse engine (sparse_template.h), and how often it folds.
 */
#ifndef FFNN_SPARSE_ENGINE_H
#define FFNN_SPARSE_ENGINE_H

#include "ffnn.h"

/* FFNN_SPARSE_FOLD (ffnn.h), the samples between two folds of u into V.
   Folding bounds the drift of r from V 1; it costs a pass over V, as a
   dense step does. Measured over an
   epoch of full MNIST on 784-200-10 in calls of 4096 samples (each built
   with -DFFNN_SPARSE_FOLD=K), against float64 dense weights: the drift
   does not move with K (float32 7.1e-5 +- 0.2e-5 for K = 16 .. 4096, the
   dense float32 engine 5.6e-5; float64 3.5e-14 .. 5.4e-14), the time does
   (float32 4.95, 4.45, 4.33, 4.24, 4.28 us/sample for K = 16, 64, 256,
   1024, 4096; float64 8.73, 7.60, 7.40, 7.24, 7.30). 256 costs 2 % over
   no fold at all, still bounds the drift of a long call, and divides the
   binding's chunks, so that an epoch trained in several calls folds where
   one call would. */

/* FFNN_ENGINE_AUTO takes the sparse engine for a first layer of at least
   this many hidden units ... On MNIST (784 inputs, a fifth ink; 20 000
   samples in calls of 512) dense / sparse is, float32 and float64: 0.85
   and 1.36 at 8 units, 1.37 and 1.82 at 16, 1.41 and 2.00 at 24, 1.74 and
   2.65 at 32, 2.12 and 2.69 at 48: sparse is faster from about 10 units.
   auto waits for the gain to be clear, and smaller networks keep the bits
   of train(), which is dense. */
#define FFNN_SPARSE_MIN_HIDDEN 32
/* ... and inputs of at most this many ink inputs in 256 (counted over the
   first FFNN_SPARSE_SAMPLED rows of the samples): past it the sweep over
   the ink costs as much as the dense sweep over everything. Measured on
   MNIST images thickened to more ink (benchmarks/bench_sparse.py --ink,
   784-200-10), dense / sparse in float32 and float64: 3.01 and 3.40 at
   MNIST's 0.19 ink, 1.85 and 2.03 at 0.38, 1.55 and 1.68 at 0.47 (about
   Fashion-MNIST's), 1.21 and 1.32 at 0.63, 1.01 and 1.11 at 0.77, 0.89 and
   0.97 at 0.87, 0.80 and 0.87 all ink: the crossover is at about 0.77
   (float32), and auto stops at 0.69, where sparse is still 1.1x faster. */
#define FFNN_SPARSE_MAX_INK 176
#define FFNN_SPARSE_SAMPLED 64
/* ... in runs of at least this many samples: a run's working copy costs
   about two dense steps. */
#define FFNN_SPARSE_MIN_COUNT 16

#endif /* FFNN_SPARSE_ENGINE_H */
