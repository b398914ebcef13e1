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

/* The ink kernel against the register-blocked matrix product, per
   multiply-add, measured by benchmarks/bench_train.py (the query
   crossover): a sample goes from its ink when that is cheaper. */
#define SPARSE_COST 2.0

/* The bytes of a block's sums that should stay in the L1 cache. */
#define L1_BYTES 24576

/* Below this many samples in a call, W^T costs more than it saves. */
#define MIN_SPARSE_SAMPLES 16

static void *cache_aligned(void *p)
{
    return (char *)p + ((64 - (uintptr_t)p % 64) % 64);
}

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

/* The index of the lowest byte whose top bit m has set: that bit alone,
   moved to the byte's bottom, multiplies 0x0001020304050607 so that its
   byte b (= 7 - index) lands in the top byte. */
static size_t lowest_byte(uint64_t m)
{
    const uint64_t bit = (m & (~m + 1)) >> 7;
    return (size_t)((bit * 0x0001020304050607u) >> 56);
}

/* The number of non-zero bytes of the n at p, eight at a time: the
   multiply adds ink_bytes' bits up in the top byte. */
static size_t count_ink(const uint8_t *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101u;
    size_t count = 0, c = 0;
    for (; c + 8 <= n; c += 8)
        count += (size_t)(((ink_bytes(p + c) >> 7) * ones) >> 56);
    for (; c < n; c++)
        count += p[c] != 0;
    return count;
}

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
