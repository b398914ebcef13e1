/*
 * The sparse training engine of sparse.h, built once per precision from
 * three templates, each included here only, as template.h describes:
 * state_template.h (the working copy W = V + u 1^T), ink_template.h (a
 * sample's ink and the columns a sweep visits), sparse_template.h (the
 * engine's entry points, from the two before it).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sparse/engine.h"
#include "sparse/sparse.h"

/* A column without a pending update. */
#define FFNN_SPARSE_NONE ((size_t)-1)

/* Defines struct ffnn_sparse_f32 and its working copy's helpers. */
#define REAL float
#define SUFFIX _f32
#include "sparse/state_template.h"

/* Defines the float ink lists: sparse_lists_f32, ink_of_pixels_f32, ... */
#define REAL float
#define SUFFIX _f32
#include "sparse/ink_template.h"

/* Defines ffnn_sparse_choose_f32, ffnn_sparse_begin_f32,
   ffnn_sparse_load_f32, ffnn_sparse_first_layer_f32, ffnn_sparse_end_f32. */
#define REAL float
#define SUFFIX _f32
#include "sparse/sparse_template.h"

/* Defines struct ffnn_sparse_f64 and its working copy's helpers. */
#define REAL double
#define SUFFIX _f64
#include "sparse/state_template.h"

/* Defines the double ink lists: sparse_lists_f64, ink_of_pixels_f64, ... */
#define REAL double
#define SUFFIX _f64
#include "sparse/ink_template.h"

/* Defines ffnn_sparse_choose_f64, ffnn_sparse_begin_f64,
   ffnn_sparse_load_f64, ffnn_sparse_first_layer_f64, ffnn_sparse_end_f64. */
#define REAL double
#define SUFFIX _f64
#include "sparse/sparse_template.h"
