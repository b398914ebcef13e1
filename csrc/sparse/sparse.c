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

/* SSE2 for the ink of pixels (ink_template.h): part of every x86-64 CPU. */
#if defined(__SSE2__) || defined(_M_X64) || defined(_M_AMD64)
#include <emmintrin.h>
#define FFNN_SPARSE_SSE2 1
#else
#define FFNN_SPARSE_SSE2 0
#endif

/* A column without a pending update. */
#define FFNN_SPARSE_NONE ((size_t)-1)

struct sparse_part_f32;
struct sparse_part_f64;

/* What the templates define, once per precision, by full name (besides
   the entry points of sparse.h): state_template.h's working copy, */
static size_t sparse_round_up_f32(size_t n);
static size_t sparse_round_up_f64(size_t n);
static struct sparse_part_f32 *sparse_part_create_f32(size_t n_in, size_t lo,
                                                     size_t hi);
static struct sparse_part_f64 *sparse_part_create_f64(size_t n_in, size_t lo,
                                                     size_t hi);
static int sparse_create_f32(struct ffnn_sparse_f32 *sp, size_t n_in, size_t hidden,
                            float b, int parts, size_t split);
static int sparse_create_f64(struct ffnn_sparse_f64 *sp, size_t n_in, size_t hidden,
                            double b, int parts, size_t split);
static void sparse_free_f32(struct ffnn_sparse_f32 *sp);
static void sparse_free_f64(struct ffnn_sparse_f64 *sp);
static void sparse_load_weights_f32(const struct ffnn_sparse_f32 *sp,
                                  struct sparse_part_f32 *part,
                                  const struct ffnn_kernels_f32 *kernels,
                                  const float *w, size_t lo, size_t hi);
static void sparse_load_weights_f64(const struct ffnn_sparse_f64 *sp,
                                  struct sparse_part_f64 *part,
                                  const struct ffnn_kernels_f64 *kernels,
                                  const double *w, size_t lo, size_t hi);
static void sparse_fold_f32(const struct ffnn_sparse_f32 *sp,
                          struct sparse_part_f32 *part,
                          const struct ffnn_kernels_f32 *kernels, size_t lo,
                          size_t hi);
static void sparse_fold_f64(const struct ffnn_sparse_f64 *sp,
                          struct sparse_part_f64 *part,
                          const struct ffnn_kernels_f64 *kernels, size_t lo,
                          size_t hi);
static void sparse_store_weights_f32(const struct ffnn_sparse_f32 *sp,
                                   const struct sparse_part_f32 *part, float *w,
                                   size_t lo, size_t hi);
static void sparse_store_weights_f64(const struct ffnn_sparse_f64 *sp,
                                   const struct sparse_part_f64 *part, double *w,
                                   size_t lo, size_t hi);
/* ink_template.h's ink lists, */
static uint64_t pixel_word_f32(const uint8_t *p, size_t n);
static uint64_t pixel_word_f64(const uint8_t *p, size_t n);
static double ink_of_pixels_f32(size_t n_in, const uint8_t *p, uint64_t *mask);
static double ink_of_pixels_f64(size_t n_in, const uint8_t *p, uint64_t *mask);
static double ink_of_inputs_f32(size_t n_in, const float *x, float b,
                               uint64_t *mask);
static double ink_of_inputs_f64(size_t n_in, const double *x, double b,
                               uint64_t *mask);
static unsigned lowest_bit_f32(uint64_t bits);
static unsigned lowest_bit_f64(uint64_t bits);
static void sparse_lists_f32(const struct ffnn_sparse_f32 *sp,
                           struct sparse_part_f32 *part, int flush,
                           const uint64_t *mask, const uint8_t *p,
                           const float *x, size_t slot);
static void sparse_lists_f64(const struct ffnn_sparse_f64 *sp,
                           struct sparse_part_f64 *part, int flush,
                           const uint64_t *mask, const uint8_t *p,
                           const double *x, size_t slot);
static size_t ink_count_f32(const uint8_t *pixels, const float *inputs, float b,
                          size_t n_in, size_t rows);
static size_t ink_count_f64(const uint8_t *pixels, const double *inputs, double b,
                          size_t n_in, size_t rows);
/* and sparse_template.h's helpers. */
static size_t sparse_unit_f32(const struct ffnn_sparse_f32 *sp, size_t h);
static size_t sparse_unit_f64(const struct ffnn_sparse_f64 *sp, size_t h);
static void sparse_pass_f32(struct ffnn_sparse_f32 *sp, struct sparse_part_f32 *part,
                            int pending, size_t lo, size_t hi);
static void sparse_pass_f64(struct ffnn_sparse_f64 *sp, struct sparse_part_f64 *part,
                            int pending, size_t lo, size_t hi);
static void sparse_plan_end_f32(struct ffnn_sparse_f32 *sp, struct sparse_part_f32 *part);
static void sparse_plan_end_f64(struct ffnn_sparse_f64 *sp, struct sparse_part_f64 *part);
static ffnn_pool_task sparse_begin_task_f32, sparse_end_task_f32;
static ffnn_pool_task sparse_begin_task_f64, sparse_end_task_f64;

/* Defines struct ffnn_sparse_f32 and its working copy's helpers. */
#define REAL float
#define SUFFIX _f32
#include "sparse/state_template.h"

/* Defines the float ink lists. */
#define REAL float
#define SUFFIX _f32
#include "sparse/ink_template.h"

/* Defines ffnn_sparse_choose_f32, ffnn_sparse_split_f32,
   ffnn_sparse_begin_f32, ffnn_sparse_alone_f32, ffnn_sparse_own_f32, ffnn_sparse_load_f32,
   ffnn_sparse_first_layer_f32, ffnn_sparse_last_pass_f32,
   ffnn_sparse_end_f32. */
#define REAL float
#define SUFFIX _f32
#include "sparse/sparse_template.h"

/* Defines struct ffnn_sparse_f64 and its working copy's helpers. */
#define REAL double
#define SUFFIX _f64
#include "sparse/state_template.h"

/* Defines the double ink lists. */
#define REAL double
#define SUFFIX _f64
#include "sparse/ink_template.h"

/* Defines ffnn_sparse_choose_f64, ffnn_sparse_split_f64,
   ffnn_sparse_begin_f64, ffnn_sparse_alone_f64, ffnn_sparse_own_f64, ffnn_sparse_load_f64,
   ffnn_sparse_first_layer_f64, ffnn_sparse_last_pass_f64,
   ffnn_sparse_end_f64. */
#define REAL double
#define SUFFIX _f64
#include "sparse/sparse_template.h"
