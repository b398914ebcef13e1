/*
 * When a pool shares a task (share_policy.h). Two policies:
 *
 * - deterministic: every task that can be split is shared. The decision
 *   depends only on the task's size and the thread count, so every run
 *   takes the same path, and the tests exercise the shared one.
 *
 * - adaptive: sharing pays only when the helpers run when a task starts.
 *   On a machine busier than it has cores they are often descheduled, and
 *   a helper preempted in the middle of its block holds the caller up for
 *   a time slice of the scheduler, hundreds of times the task; and a
 *   helper spinning between tasks takes a core the other program wants.
 *   So the caller times rounds of tasks, shared and alone, keeps the
 *   faster way, and now and then tries the other. A try that is clearly
 *   losing ends after a few tasks and doubles the wait before the next
 *   one (up to TRY_MOST rounds), so a way that keeps losing, sharing under
 *   load or running alone on an idle machine, costs almost nothing; a try
 *   that wins switches at once, and so does a settled way that has become
 *   much slower than the other was.
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "pool/share_policy.h"

#include "ffnn.h"

#if defined(_WIN32)
#include <windows.h>
static double now_ns(void)
{
    LARGE_INTEGER count, frequency;
    QueryPerformanceCounter(&count);
    QueryPerformanceFrequency(&frequency);
    return (double)count.QuadPart * 1e9 / (double)frequency.QuadPart;
}
#else
#include <time.h>
static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}
#endif

/* Tasks after a change of way that are not timed: the helpers wake up and
   the rows move between the cores' caches. */
#define WARMUP_TASKS 4
/* A round's timed part lasts at least this many tasks and nanoseconds:
   several of the scheduler's time slices, so that one preemption of the
   caller does not decide a comparison. */
#define ROUND_TASKS 64
#define ROUND_NS 8e6
/* A try of the other way that is clearly slower than the settled one
   after this many tasks ends there: only a try that wins needs a whole
   round to show it. */
#define LOSING_TASKS 16
/* A longer pause between two tasks is the program doing something else:
   the round starts its clock again rather than count it. */
#define GAP_NS 50e6
/* Settled rounds before the first try of the other way, and the most. */
#define TRY_FIRST 4
#define TRY_MOST 256
/* The settled way's round this much slower than the other way's last one
   calls for a try at once: the load has changed. */
#define SLOWER 1.25

static void adaptive_init(struct ffnn_share_adaptive *a)
{
    a->shared = a->settled = 0;
    a->warmup = WARMUP_TASKS;
    a->tasks = 0;
    a->start = a->last = 0;
    a->task_ns[0] = a->task_ns[1] = 0;
    a->rounds = 0;
    a->try_every[0] = a->try_every[1] = TRY_FIRST;
    a->call_items = 0;
}

int ffnn_share_init(struct ffnn_share_state *state, int policy)
{
    if (policy != FFNN_SHARE_DETERMINISTIC && policy != FFNN_SHARE_ADAPTIVE)
        return -1;
    state->policy = policy;
    adaptive_init(&state->adaptive);
    return 0;
}

/* The way the next round runs, once a round of way a->shared took
   `task_ns` per task. */
static int next_way(struct ffnn_share_adaptive *a, double task_ns)
{
    const int way = a->shared, other = !a->settled;
    a->task_ns[way] = task_ns;
    if (way != a->settled) {
        /* A try: it wins only if faster. */
        if (task_ns < a->task_ns[a->settled]) {
            a->settled = way;
            a->try_every[!way] = TRY_FIRST;
        } else if (a->try_every[way] < TRY_MOST) {
            a->try_every[way] *= 2;
        }
        a->rounds = 0;
        return a->settled;
    }
    if (a->task_ns[other] == 0 || ++a->rounds >= a->try_every[other] ||
        task_ns > SLOWER * a->task_ns[other])
        return other;
    return way;
}

/* Whether the round under way tries the other way and is already clearly
   slower than the settled one: it can end early, a loss. */
static int losing_try(const struct ffnn_share_adaptive *a, double now)
{
    return a->shared != a->settled &&
           now - a->start > SLOWER * a->task_ns[a->settled] * (double)a->tasks;
}

/* The adaptive decision for one task that could be shared. */
static int adaptive_decide(struct ffnn_share_adaptive *a)
{
    const double now = now_ns(), since = now - a->last;
    a->last = now;
    if (a->warmup > 0) {
        a->warmup--;
        return a->shared;
    }
    if (a->tasks == 0 || since > GAP_NS) {
        /* The round's clock starts, or starts again after a pause. */
        a->start = now;
        a->tasks = 1;
        return a->shared;
    }
    if ((a->tasks >= ROUND_TASKS && now - a->start >= ROUND_NS) ||
        (a->tasks >= LOSING_TASKS && losing_try(a, now))) {
        const int way = next_way(a, (now - a->start) / (double)a->tasks);
        a->start = now;
        a->tasks = 1;
        if (way != a->shared) {
            a->shared = way;
            a->warmup = WARMUP_TASKS - 1; /* this task is the first */
            a->tasks = 0;
        }
        return a->shared;
    }
    a->tasks++;
    return a->shared;
}

int ffnn_share_decide(struct ffnn_share_state *state, size_t n, size_t blocks,
                      int threads)
{
    if (threads < 2 || blocks < 2 || n < 2)
        return 0;
    if (state->policy == FFNN_SHARE_ADAPTIVE)
        return adaptive_decide(&state->adaptive);
    return 1;
}

/* A call is long (milliseconds): it is a round of its own, timed whole,
   the helper's wake-up and the call's own start included, since every
   lent call pays them. */
int ffnn_share_call_begin(struct ffnn_share_state *state, size_t items, int threads)
{
    struct ffnn_share_adaptive *a = &state->adaptive;
    a->call_items = 0;
    if (threads < 2 || items < FFNN_SHARE_MIN_CALL_ITEMS)
        return 0;
    if (state->policy != FFNN_SHARE_ADAPTIVE)
        return 1;
    a->call_items = (double)items;
    a->last = now_ns();
    return a->shared;
}

void ffnn_share_call_end(struct ffnn_share_state *state)
{
    struct ffnn_share_adaptive *a = &state->adaptive;
    if (state->policy != FFNN_SHARE_ADAPTIVE || a->call_items == 0)
        return;
    a->shared = next_way(a, (now_ns() - a->last) / a->call_items);
    a->call_items = 0;
}
