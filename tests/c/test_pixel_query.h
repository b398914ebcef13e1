/*
 * The batch query on pixels from their ink (ffnn_query_engine, whose
 * plan is csrc/sparse/pixel_query.h), both precisions:
 * test_pixel_query(level) runs the checks of test_pixel_query_template.h
 * at the level in use. Included by
 * test_kernels.c after test_kernels_template.h, whose helpers (fill_f32,
 * net_of_f32, samples_f32, ...) the checks use.
 */

/* Networks, input first, 0 ending each: odd input sizes (785 is MNIST's
   784 pixels plus one) and hidden layers of 1, 5 and 203 nodes. */
static const size_t PIXEL_NETS[][5] = {
    {1, 5, 2, 0}, {3, 1, 2, 0}, {17, 203, 3, 0}, {785, 203, 10, 0},
    {785, 5, 3, 0}, {785, 64, 17, 3, 0}};

/* Kinds of pictures: ink on about a fifth of the pixels, none, all. */
enum { SOME_INK = 0, NO_INK = 1, ALL_INK = 2, PICTURE_KINDS = 3 };

/* Enough samples to make W^T worth it (FFNN_PIXEL_MIN_SAMPLES), over more
   than one block of 32. */
#define PIXEL_SAMPLES 70

/* Defines test_pixel_query_f32 and its helpers. */
#define REAL float
#define SUFFIX _f32
#define EPS ((double)FLT_EPSILON)
#define DTYPE FFNN_FLOAT32
#include "test_pixel_query_template.h"

/* Defines test_pixel_query_f64 and its helpers. */
#define REAL double
#define SUFFIX _f64
#define EPS DBL_EPSILON
#define DTYPE FFNN_FLOAT64
#include "test_pixel_query_template.h"

static void test_pixel_query(const char *level)
{
    test_pixel_query_f32(level);
    test_pixel_query_f64(level);
}
