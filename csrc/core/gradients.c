/*
 * ffnn_gradients and ffnn_biased_gradients of ffnn.h: the exact gradient of
 * an update rule's loss, for every weight matrix (and bias vector), summed
 * over samples. It reads the weights and never
 * changes them, so a gradient can be held against finite differences of the
 * loss. gradients_template.h is included once per precision.
 */
#include "ffnn.h"

/* Defines ffnn_biased_gradients_f32, ffnn_gradients_f32. */
#define REAL float
#define SUFFIX _f32
#include "gradients_template.h"

/* Defines ffnn_biased_gradients_f64, ffnn_gradients_f64. */
#define REAL double
#define SUFFIX _f64
#include "gradients_template.h"
