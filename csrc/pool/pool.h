/*
 * Internal to the C core (not part of the API in ffnn.h): the thread pool
 * a network shares its large layers' work with. Used by core/ and sparse/.
 */
#ifndef FFNN_POOL_H
#define FFNN_POOL_H

#include <stddef.h>

#include "ffnn.h"
#include "pool/share_policy.h" /* FFNN_SHARE_MIN_WEIGHTS: which layers to offer */

/*
 * A small pool of threads for one network: the network code splits each
 * large layer's rows (or, for W^T e, its columns) between the threads, so
 * every weight and output is computed by exactly the same operations as
 * with one thread: results are bitwise identical. A pool runs one call at
 * a time.
 */
typedef struct ffnn_pool ffnn_pool;

/* A pool of `threads` threads, the calling thread counting as one (so 1
   starts none). NULL if threads is not in 1 .. FFNN_MAX_THREADS or the
   system refused. */
ffnn_pool *ffnn_pool_create(int threads);
/* Stops and joins the threads; NULL is allowed. A pool inherited through
   fork() can be used (the child starts its own threads) and destroyed (the
   parent's threads and lock are left alone). */
void ffnn_pool_destroy(ffnn_pool *pool);
/* The pool's thread count; 1 for NULL. */
int ffnn_pool_threads(const ffnn_pool *pool);
/* Makes `policy` (enum ffnn_share_policy) the pool's, from its next task
   on, forgetting what an earlier one measured. Returns 0, or -1 (nothing
   changed) if pool is NULL or policy unknown. Not while the pool runs a
   call. A new pool's is FFNN_SHARE_DETERMINISTIC. */
int ffnn_pool_set_policy(ffnn_pool *pool, int policy);
/* The pool's policy; FFNN_SHARE_DETERMINISTIC for NULL. */
int ffnn_pool_policy(const ffnn_pool *pool);

/* A task: items lo .. hi - 1 of what ctx describes, on the pool's thread
   `thread` (0 .. threads - 1; 0 is the caller). */
typedef void ffnn_pool_task(void *ctx, size_t lo, size_t hi, int thread);

/* Split [0, n) into `blocks` consecutive parts and run fn(ctx, lo, hi,
   thread) on each, on whichever threads of the pool are free (the caller,
   thread 0, always takes part); return when all are done. With pool ==
   NULL, or when the pool's policy (share_policy.h) runs the task alone,
   one call on the caller covers everything. One caller at a time. */
void ffnn_pool_share(ffnn_pool *pool, size_t n, size_t blocks,
                     ffnn_pool_task *fn, void *ctx);

/* Whether to lend a helper to the caller for a whole call of `items`
   steps (below): the pool's policy for such calls (share_policy.h), which
   times each call from here to ffnn_pool_lend_end, and a helper running.
   Asked once per call; ffnn_pool_lend_end closes the call whatever the
   answer. */
int ffnn_pool_lend_wanted(ffnn_pool *pool, size_t items);
/* Lend a helper for the call (after ffnn_pool_lend_wanted said so):
   fn(ctx, 1, 2, thread) runs on one helper while the caller goes on with
   its own part, the two meeting through marks (below) as often as they
   need. So that a helper's data stays in its core's cache for the call,
   not only for one task. Returns 1 if a helper took fn, 0 if none did
   within a bound (asleep, or its core busy): then fn never runs. While fn
   is lent, every ffnn_pool_share of the pool runs on the caller alone. */
int ffnn_pool_lend(ffnn_pool *pool, ffnn_pool_task *fn, void *ctx);
/* The end of a call begun by ffnn_pool_lend_wanted (`lent`, what
   ffnn_pool_lend returned, or 0):
   waits for the lent fn to return, and tells the policy the call's time. */
void ffnn_pool_lend_end(ffnn_pool *pool, int lent);

/* A count that one thread raises and another waits for, on a cache line
   of its own (the padding), so that the waiting thread reads a line only
   the other one writes. */
typedef struct ffnn_pool_mark {
    char before[64];
    long long value;
    char after[64];
} ffnn_pool_mark;

/* mark->value = value, after every write of this thread before it. */
void ffnn_pool_mark_set(ffnn_pool_mark *mark, long long value);
/* Waits until mark->value >= value or < 0 (the other thread gave up), and
   returns it; every write made before it was set is then seen. Spins a
   while, then yields the core at each look, so that a thread waiting for
   a descheduled one leaves its core to others. */
long long ffnn_pool_mark_wait(ffnn_pool_mark *mark, long long value);
/* mark->value now. */
long long ffnn_pool_mark_get(ffnn_pool_mark *mark);
/* If mark->value is `old`, makes it `value` and returns 1 (one thread of
   several trying wins), else returns 0. */
int ffnn_pool_mark_claim(ffnn_pool_mark *mark, long long old, long long value);
/* The pause of a wait's round `round` (0, 1, ...): a spin, then, after
   as many rounds as the pool's own waits spin, a yield of the core. */
void ffnn_pool_pause(long round);

/* Run task(ctx, lo, hi, thread) over the n items of a layer of `weights`
   weights: shared out between the pool's threads if the layer is large,
   else all on this thread. One block per thread: each block costs
   cache-line hand-overs between the cores, and a block of a multiple of
   four rows runs entirely in four-row passes. */
static inline void ffnn_pool_run(ffnn_pool *pool, size_t n, size_t weights,
                                 ffnn_pool_task *task, void *ctx)
{
    const size_t threads = (size_t)ffnn_pool_threads(pool);
    if (threads > 1 && weights >= FFNN_SHARE_MIN_WEIGHTS)
        ffnn_pool_share(pool, n, threads, task, ctx);
    else
        task(ctx, 0, n, 0);
}

#endif /* FFNN_POOL_H */
