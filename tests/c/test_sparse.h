/*
 * The sparse first layer's checks (test_sparse_template.h) in both
 * precisions, included by test_kernels.c after its other checks: defines
 * run_sparse_f32, run_sparse_f64 and run_sparse.
 */

/* The book's input of a pixel value, as the engines scale it. */
static float book_input_value_f32(int v)
{
    float x = (float)v;
    ffnn_scale_pixels(FFNN_FLOAT32, 1, &x, &x);
    return x;
}

static double book_input_value_f64(int v)
{
    double x = (double)v;
    ffnn_scale_pixels(FFNN_FLOAT64, 1, &x, &x);
    return x;
}

#define REAL float
#define SUFFIX _f32
#define EPS ((double)FLT_EPSILON)
#define DTYPE FFNN_FLOAT32
#include "test_sparse_template.h"

#define REAL double
#define SUFFIX _f64
#define EPS DBL_EPSILON
#define DTYPE FFNN_FLOAT64
#include "test_sparse_template.h"

static void run_sparse(const char *level)
{
    run_sparse_f32(level);
    run_sparse_f64(level);
}
