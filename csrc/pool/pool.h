/*
 * Internal to the C core (not part of the API in ffnn.h): how the network
 * code hands a task to a network's pool (ffnn_pool, created and destroyed
 * through ffnn.h).
 */
#ifndef FFNN_POOL_H
#define FFNN_POOL_H

#include <stddef.h>

#include "ffnn.h"
#include "pool/share_policy.h" /* FFNN_SHARE_MIN_WEIGHTS: which layers to offer */

/* Split [0, n) into `blocks` consecutive parts and run fn(ctx, lo, hi,
   thread) on each, on whichever threads of the pool are free (the caller,
   thread 0, always takes part); return when all are done. With pool ==
   NULL, or when the pool's policy (share_policy.h) runs the task alone,
   one call on the caller covers everything. One caller at a time. */
void ffnn_pool_share(ffnn_pool *pool, size_t n, size_t blocks,
                     void (*fn)(void *ctx, size_t lo, size_t hi, int thread),
                     void *ctx);

#endif /* FFNN_POOL_H */
