/*
 * Whole-network functions of ffnn.h (training, query, backquery) for any
 * number of layers, built from the kernels of the SIMD level in use.
 * network_template.h is included once per precision.
 */
#include <math.h>
#include <stdint.h>

#include "kernels/kernel_table.h"
#include "pool/pool.h"

/* Samples per chunk of a batch query: their activations stay in cache while
   the chunk goes through every layer. */
#define FFNN_QUERY_BLOCK 32

/* A layer is split between threads only when it has at least this many
   weights; below that a barrier costs more than the work it shares. */
#define SPLIT_MIN_WEIGHTS 16384

/* A hint to start loading the cache line at p; samples are visited in random
   order, so the hardware cannot guess the next one. */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#define PREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* Prefetch the n bytes at p. */
static void prefetch_bytes(const void *p, size_t n)
{
    for (size_t i = 0; i < n; i += 64)
        PREFETCH((const char *)p + i);
}

/* Elements in 64 bytes of floats: enough to align either precision. */
#define ALIGN 16

/* Overflow-checked total += count * n; returns 0 on overflow. */
static int add_product(size_t *total, size_t count, size_t n)
{
    if (n != 0 && count > (SIZE_MAX - *total) / n)
        return 0;
    *total += count * n;
    return 1;
}

size_t ffnn_work_size(size_t n_layers, const size_t *sizes)
{
    size_t total = 0, widest_hidden = 0;
    for (size_t k = 1; k < n_layers; k++)
        if (sizes[k] > widest_hidden)
            widest_hidden = sizes[k];
    for (size_t k = 1; k <= n_layers; k++)
        if (!add_product(&total, 3, sizes[k]))
            return 0;
    /* Three input vectors, each starting on a cache line (see
       input_stride), hence the slack of ALIGN elements around each. */
    if (!add_product(&total, 3, sizes[0]) || !add_product(&total, 4, ALIGN) ||
        !add_product(&total, 1, sizes[n_layers]) ||
        !add_product(&total, 2 * FFNN_QUERY_BLOCK, widest_hidden))
        return 0;
    return total;
}

/* The distance between the input vectors of a training job, the first of
   them on a 64-byte boundary, so that their vector loads never straddle two
   cache lines. */
static size_t input_stride(size_t n_in)
{
    return (n_in + ALIGN - 1) / ALIGN * ALIGN;
}

static void *cache_aligned(void *p)
{
    return (char *)p + ((64 - (uintptr_t)p % 64) % 64);
}

/* Defines ffnn_biased_train_step_f32, ffnn_train_step_f32,
   ffnn_biased_train_samples_pool_f32, ffnn_train_samples_pool_f32,
   ffnn_train_samples_f32, ffnn_biased_query_pool_f32, ffnn_query_pool_f32,
   ffnn_query_f32, ffnn_biased_query_pixels_pool_f32,
   ffnn_biased_backquery_f32, ffnn_backquery_f32. */
#define REAL float
#define SUFFIX _f32
#include "network_template.h"

/* Defines ffnn_biased_train_step_f64, ffnn_train_step_f64,
   ffnn_biased_train_samples_pool_f64, ffnn_train_samples_pool_f64,
   ffnn_train_samples_f64, ffnn_biased_query_pool_f64, ffnn_query_pool_f64,
   ffnn_query_f64, ffnn_biased_query_pixels_pool_f64,
   ffnn_biased_backquery_f64, ffnn_backquery_f64. */
#define REAL double
#define SUFFIX _f64
#include "network_template.h"
