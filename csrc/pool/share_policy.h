/*
 * Internal to the C core: when a pool shares a task between its threads
 * and when its caller runs it alone (the policies of enum
 * ffnn_share_policy in ffnn.h). pool.c asks before every task it could
 * share; which way a task runs never changes its result, only its speed.
 */
#ifndef FFNN_SHARE_POLICY_H
#define FFNN_SHARE_POLICY_H

#include <stddef.h>

/* A layer is offered to the pool only when it has at least this many
   weights; below that, handing its rows to another core costs more than
   the work it shares. */
#define FFNN_SHARE_MIN_WEIGHTS 16384

/* What the adaptive policy remembers between tasks; unused by the
   deterministic one. Time is in nanoseconds. */
struct ffnn_share_adaptive {
    int shared;           /* how the current round runs: 1 shared, 0 alone */
    int settled;          /* how rounds run between two tries of the other way */
    int warmup;           /* tasks left before the round's clock starts */
    long tasks;           /* tasks since the round's clock started (0: not yet) */
    double start, last;   /* when the clock started; when the last task began */
    double task_ns[2];    /* each way's time per task in its last round (0: none) */
    long rounds;          /* settled rounds since the other way was last tried */
    long try_every[2];    /* settled rounds between two tries of way [i] */
    double call_items;    /* a timed call's steps (0: the call is not timed) */
};

struct ffnn_share_state {
    int policy; /* enum ffnn_share_policy */
    struct ffnn_share_adaptive adaptive;
};

/* A call shorter than this many steps is not worth lending a helper for:
   waking it may take longer than the call. */
#define FFNN_SHARE_MIN_CALL_ITEMS 64

/* Starts `state` with `policy`, forgetting what an earlier one measured.
   Returns 0, or -1 (state untouched) if policy is not one of enum
   ffnn_share_policy. */
int ffnn_share_init(struct ffnn_share_state *state, int policy);

/* 1 if a task of n items in `blocks` blocks should be shared between
   `threads` running threads, 0 if the caller should run it alone. Counts
   the task into the adaptive policy's timing: call it once per task, from
   the pool's caller. */
int ffnn_share_decide(struct ffnn_share_state *state, size_t n, size_t blocks,
                      int threads);

/* The same for a whole call of `items` steps that a helper could be lent
   to (pool.h's ffnn_pool_lend): 1 to lend one, 0 to run alone. The
   adaptive policy times the call from here to ffnn_share_call_end, which
   must follow, and compares the two ways' time per item, each call a round
   of its own. */
int ffnn_share_call_begin(struct ffnn_share_state *state, size_t items, int threads);
void ffnn_share_call_end(struct ffnn_share_state *state);

#endif /* FFNN_SHARE_POLICY_H */
