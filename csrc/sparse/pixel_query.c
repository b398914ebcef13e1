/*
 * The first layer of a batch query on pixels, from the ink alone
 * (pixel_query.h); pixel_query_template.h is included once per precision.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernel_table.h"
#include "pool/pool.h"
#include "sparse/pixel_query.h"

/* Samples a thread's dense ones are gathered in for one matrix product. */
#define PIXEL_BLOCK 32

/* What a sample costs each way, in multiply-adds of the register-blocked
   matrix product (a dense sample costs rows * cols of them): from its ink,
   INK_COST per multiply-add of the ink kernel (it streams the rows of W^T
   from the L2 cache), ld per ink pixel, and PIXEL_COST per pixel for
   finding the ink and moving the sums. Fitted to where the two ways cross
   in benchmarks/bench_train.py (MNIST grown by dilation: with 200 hidden
   nodes at about 42 % ink in float and 45 % in double, with 50 at 31 % and
   41 %, with 17 below 18 % and at 35 %), then raised by a tenth, so that a
   sample near the crossing goes dense: at the AVX-512 level 200 hidden
   nodes take the ink up to 37 % of the pixels in float, 17 up to 11 %. */
#define INK_COST 2.5
#define PIXEL_COST 8.0
/* The two where the level takes samples from their ink four at a time
   (ink_group_pays: W^T's rows are loaded once for the group, which costs
   less than the union's extra multiply-adds). Fitted the same way: at the
   AVX-512 level the two ways cross, with 200 hidden nodes, beyond 76 % ink
   in float and double, with 50 at about 55 % in float and 68 % in double,
   with 17 below 18 % in float and at about 45 % in double; these take the
   ink up to 65 %, 45 % and 16 % of the pixels in float (68 %, 51 %, 21 % in
   double). */
#define INK_COST_GROUPED 1.4
#define PIXEL_COST_GROUPED 10.0

/* What making a plan costs (W^T, and the dense samples' sums moved once
   more), as a share of a dense call: a call whose samples would save less
   than this (by the model above, on PLAN_PROBES of them) goes all dense.
   Set by the denser set of benchmarks/bench_train.py, where a twentieth of
   the samples, near the crossing, have little enough ink. */
#define PLAN_COST 0.1
#define PLAN_PROBES 64

/* The 8 bytes at p, p[0] the lowest, whatever the machine's byte order
   (gcc and clang make this one load where that order is little-endian). */
static uint64_t word_at(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
           (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static const uint64_t LOW7 = 0x7f7f7f7f7f7f7f7fu;

/* The top bit of byte b set where p[b] is not zero: ((w & 0x7f..) +
   0x7f..) | w has it set exactly then, no carry crossing a byte. */
static uint64_t ink_bytes(const uint8_t *p)
{
    const uint64_t w = word_at(p);
    return (((w & LOW7) + LOW7) | w) & ~LOW7;
}

/* The byte of the lowest top bit set in an ink_bytes word (not 0). */
static unsigned lowest_byte(uint64_t bits)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(bits) / 8;
#else
    unsigned b = 0;
    for (; !(bits & 0x80); bits >>= 8)
        b++;
    return b;
#endif
}

/* The number of non-zero bytes of the n at p, eight at a time (the
   multiply adds ink_bytes' bits up in the top byte); each word's
   ink_bytes kept in words[c / 8] for list_ink (words NULL: not kept). */
static size_t count_ink(const uint8_t *p, size_t n, uint64_t *words)
{
    const uint64_t ones = 0x0101010101010101u;
    size_t count = 0, c = 0;
    for (; c + 8 <= n; c += 8) {
        const uint64_t m = ink_bytes(p + c);
        if (words)
            words[c / 8] = m;
        count += (size_t)(((m >> 7) * ones) >> 56);
    }
    for (; c < n; c++)
        count += p[c] != 0;
    return count;
}

/* What pixel_query_template.h defines, once per precision, by full name
   (besides the plan's functions of pixel_query.h). */
struct pixel_scratch_f32;
struct pixel_scratch_f64;
static ffnn_pool_task transpose_task_f32;
static ffnn_pool_task transpose_task_f64;
static size_t reserve_f32(size_t *total, size_t n, size_t size);
static size_t reserve_f64(size_t *total, size_t n, size_t size);
static size_t layout_f32(struct ffnn_pixel_query_f32 *q, char *memory);
static size_t layout_f64(struct ffnn_pixel_query_f64 *q, char *memory);
static size_t list_ink_f32(const struct ffnn_pixel_query_f32 *q,
                          const uint64_t *words, const uint8_t *p,
                          size_t *at, float *s);
static size_t list_ink_f64(const struct ffnn_pixel_query_f64 *q,
                          const uint64_t *words, const uint8_t *p,
                          size_t *at, double *s);
static size_t list_union_f32(const struct ffnn_pixel_query_f32 *q,
                            const uint64_t *words, const uint8_t *const *p,
                            size_t *at, float *s);
static size_t list_union_f64(const struct ffnn_pixel_query_f64 *q,
                            const uint64_t *words, const uint8_t *const *p,
                            size_t *at, double *s);
static double expected_saving_f32(size_t rows, size_t cols, size_t ld,
                                 double ink_cost, double pixel_cost,
                                 size_t max_ink, size_t n,
                                 const uint8_t *pixels);
static double expected_saving_f64(size_t rows, size_t cols, size_t ld,
                                 double ink_cost, double pixel_cost,
                                 size_t max_ink, size_t n,
                                 const uint8_t *pixels);
static void flush_dense_f32(const struct ffnn_pixel_query_f32 *q,
                           struct pixel_scratch_f32 *sc, size_t nd, float *out);
static void flush_dense_f64(const struct ffnn_pixel_query_f64 *q,
                           struct pixel_scratch_f64 *sc, size_t nd, double *out);
static void ink_one_f32(const struct ffnn_pixel_query_f32 *q,
                       struct pixel_scratch_f32 *sc, const uint64_t *words,
                       const uint8_t *p, float *out);
static void ink_one_f64(const struct ffnn_pixel_query_f64 *q,
                       struct pixel_scratch_f64 *sc, const uint64_t *words,
                       const uint8_t *p, double *out);
static void ink_group_f32(const struct ffnn_pixel_query_f32 *q,
                         struct pixel_scratch_f32 *sc, const uint8_t *pixels,
                         float *out);
static void ink_group_f64(const struct ffnn_pixel_query_f64 *q,
                         struct pixel_scratch_f64 *sc, const uint8_t *pixels,
                         double *out);

/* Defines struct ffnn_pixel_query_f32, ffnn_pixel_query_create_f32,
   ffnn_pixel_query_layer_f32, ffnn_pixel_query_sparse_count_f32,
   ffnn_pixel_query_free_f32. */
#define REAL float
#define SUFFIX _f32
#include "pixel_query_template.h"

/* Defines struct ffnn_pixel_query_f64, ffnn_pixel_query_create_f64,
   ffnn_pixel_query_layer_f64, ffnn_pixel_query_sparse_count_f64,
   ffnn_pixel_query_free_f64. */
#define REAL double
#define SUFFIX _f64
#include "pixel_query_template.h"
