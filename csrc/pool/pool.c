/*
 * A minimal thread pool: the caller plus threads - 1 helpers. The caller
 * shares out a task in blocks; every thread, the caller included, claims
 * blocks until none is left, and the caller returns when all are done. A
 * helper that is late (its core busy with another program) finds the blocks
 * taken: the caller only ever waits for blocks a helper has started. Which
 * thread computes a block never changes the result, and neither does
 * whether a task is shared at all, which the pool's policy decides
 * (share_policy.c) before each task. Helpers spin a little
 * between tasks, because a training step's task comes every few
 * microseconds, far sooner than a sleep and wake-up, then sleep. POSIX
 * threads, or Win32 threads on Windows.
 *
 * fork() copies a pool but none of its helpers, and may copy its lock held
 * or its condition variable mid-wait. A child never touches what it
 * inherited: it leaves the lock and condition variable alone (they leak),
 * waits for and joins no helper, and starts helpers of its own, with a new
 * lock, the first time it shares a task.
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdlib.h>

#include "pool/pool.h"
#include "pool/share_policy.h"

#if defined(_WIN32)
#include <windows.h>
typedef HANDLE thread_t;
typedef CRITICAL_SECTION mutex_t;
typedef CONDITION_VARIABLE cond_t;
#define mutex_init(m) (InitializeCriticalSection(m), 0)
#define mutex_destroy(m) DeleteCriticalSection(m)
#define mutex_lock(m) EnterCriticalSection(m)
#define mutex_unlock(m) LeaveCriticalSection(m)
#define cond_init(c) (InitializeConditionVariable(c), 0)
#define cond_destroy(c) ((void)0)
#define cond_wait(c, m) SleepConditionVariableCS((c), (m), INFINITE)
#define cond_broadcast(c) WakeAllConditionVariable(c)
#define cond_signal(c) WakeConditionVariable(c)
#define yield_cpu() SwitchToThread()
typedef volatile LONG64 counter_t;
/* Interlocked functions are full barriers. */
#define atomic_get(p) InterlockedCompareExchange64((p), 0, 0)
#define atomic_inc(p) InterlockedIncrement64(p)
#define atomic_dec(p) InterlockedDecrement64(p)
#define atomic_set(p, v) InterlockedExchange64((p), (v))
#define atomic_cas(p, old, new) (InterlockedCompareExchange64((p), (new), (old)) == (old))
#else
#include <pthread.h>
#include <sched.h>
typedef pthread_t thread_t;
typedef pthread_mutex_t mutex_t;
typedef pthread_cond_t cond_t;
#define mutex_init(m) pthread_mutex_init((m), NULL)
#define mutex_destroy(m) pthread_mutex_destroy(m)
#define mutex_lock(m) pthread_mutex_lock(m)
#define mutex_unlock(m) pthread_mutex_unlock(m)
#define cond_init(c) pthread_cond_init((c), NULL)
#define cond_destroy(c) pthread_cond_destroy(c)
#define cond_wait(c, m) pthread_cond_wait((c), (m))
#define cond_broadcast(c) pthread_cond_broadcast(c)
#define cond_signal(c) pthread_cond_signal(c)
#define yield_cpu() sched_yield()
typedef long long counter_t;
/* Sequentially consistent, as the sleep/wake hand-off needs. */
#define atomic_get(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define atomic_inc(p) __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define atomic_dec(p) __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define atomic_set(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define atomic_cas(p, old, new)                                                \
    __atomic_compare_exchange_n((p), &(old), (new), 0, __ATOMIC_SEQ_CST,       \
                                __ATOMIC_SEQ_CST)
#endif

#if defined(_WIN32)
/* No fork on Windows: a pool always runs in the process that made it. */
#define forks 0UL
static int watch_forks(void) { return 0; }
#else
/* How many forks separate this process from the first one: a pool made in
   another generation was inherited through fork(). Written only in a
   child, by pthread_atfork, while the child has a single thread. */
static unsigned long forks;
static void count_fork(void) { forks++; }
static pthread_once_t watching = PTHREAD_ONCE_INIT;
static int watch_result = -1;
static void start_watching(void) { watch_result = pthread_atfork(NULL, NULL, count_fork); }
static int watch_forks(void)
{
    pthread_once(&watching, start_watching);
    return watch_result;
}
#endif

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#include <immintrin.h>
#define spin_pause() _mm_pause()
#else
#define spin_pause() ((void)0)
#endif

/* Spins (about 50 us) before a helper with nothing to do goes to sleep. */
#define SPINS_BEFORE_SLEEP 2000

/* Spins (about 100 us) a caller waits for a helper to take a lent call:
   time enough for a sleeping helper to wake up. */
#define SPINS_BEFORE_LENDING_FAILS 4000

/* Most blocks one task is split into. */
#define MAX_BLOCKS 1024

/* A task's number and its count of blocks, published as one word (see
   `published` below), and the two read back from it. */
#define PUBLISHED(task, blocks) ((task) * (MAX_BLOCKS + 1) + (long long)(blocks))
#define TASK_OF(word) ((word) / (MAX_BLOCKS + 1))
#define BLOCKS_OF(word) ((size_t)((word) % (MAX_BLOCKS + 1)))

/* Allocated apart from the pool, so that a child can leave its parent's
   behind and make its own. */
struct sync {
    mutex_t lock;
    cond_t wake;
};

struct ffnn_pool {
    int threads;
    int running;          /* the caller and the helpers started; 1: alone */
    unsigned long generation; /* the value of `forks` where they run */
    struct sync *sync;    /* NULL while no helper runs */
    int stop;             /* under sync->lock: helpers return */
    /* Each counter has a cache line of its own, so that a thread spinning
       on one does not slow down the writers of the others. */
    counter_t sleepers;   /* helpers asleep on `wake`, or about to be */
    char pad_sleepers[64 - sizeof(counter_t)];
    /* The task being shared out: its number and its count of blocks in one
       word, PUBLISHED(task, blocks), so that a thread reads the two
       together. Read apart, a helper still in the last task could pair
       that task's number with the next task's count, claim a block that
       was never the last task's, and run it on parameters half written. */
    counter_t published;
    char pad_published[64 - sizeof(counter_t)];
    /* The task's function and items, written before it is published and
       read by a thread only once it holds a block of the task: the caller
       cannot write the next task's before that block is finished. */
    void (*fn)(void *ctx, size_t lo, size_t hi, int thread);
    void *ctx;
    size_t n;
    /* Whether to share each task, and what deciding that remembers; the
       same for the calls a helper is lent to. */
    struct ffnn_share_state policy;
    struct ffnn_share_state calls;
    long long lent;       /* the task lent to a helper (ffnn_pool_lend), or 0 */
    /* Block b (below the count published with task t) of task t is free
       while claims[b].value < 2t, taken once it is 2t, finished at 2t + 1.
       A block's value only grows, so nothing needs resetting between
       tasks, and a thread whose look at a value is out of date fails to
       claim: it can only claim a block of the task it read from
       `published`. The finished mark is what the caller waits for, on the
       line the helper already holds: no shared counter moves between the
       cores. */
    struct claim {
        counter_t value;
        char pad[64 - sizeof(counter_t)];
    } claims[MAX_BLOCKS];
    thread_t handles[FFNN_MAX_THREADS];
    struct helper {
        ffnn_pool *pool;
        int index;
    } helpers[FFNN_MAX_THREADS];
};

/* Claim and run blocks of the task published as `word` until none is
   left: first this thread's own (b = thread, thread + threads, ...), which
   keeps the same weight rows in the same core's cache from one step to the
   next, then any that another thread has not started. */
static void claim_blocks(ffnn_pool *pool, long long word, int thread)
{
    const size_t step = (size_t)pool->threads, blocks = BLOCKS_OF(word);
    const long long task = TASK_OF(word);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t b = pass ? 0 : (size_t)thread; b < blocks;
             b += pass ? 1 : step) {
            long long value;
            if (atomic_get(&pool->published) != word)
                return;
            value = atomic_get(&pool->claims[b].value);
            if (value >= 2 * task ||
                !atomic_cas(&pool->claims[b].value, value, 2 * task))
                continue;
            /* The task cannot change before this block is marked finished. */
            pool->fn(pool->ctx, pool->n * b / blocks, pool->n * (b + 1) / blocks,
                     thread);
            atomic_set(&pool->claims[b].value, 2 * task + 1);
        }
    }
}

static int stopping(ffnn_pool *pool)
{
    int stop;
    mutex_lock(&pool->sync->lock);
    stop = pool->stop;
    mutex_unlock(&pool->sync->lock);
    return stop;
}

static void serve(ffnn_pool *pool, int index)
{
    long long seen = 0;
    for (;;) {
        long long word = atomic_get(&pool->published);
        for (int spins = 0; word == seen && spins < SPINS_BEFORE_SLEEP; spins++) {
            spin_pause();
            word = atomic_get(&pool->published);
        }
        if (word == seen) {
            /* Announce the sleep before the last look at the published task: either
               the caller sees a sleeper and wakes it, or this thread sees
               the new task. */
            atomic_inc(&pool->sleepers);
            mutex_lock(&pool->sync->lock);
            while (!pool->stop && atomic_get(&pool->published) == seen)
                cond_wait(&pool->sync->wake, &pool->sync->lock);
            mutex_unlock(&pool->sync->lock);
            atomic_dec(&pool->sleepers);
            if (stopping(pool))
                return;
            continue;
        }
        seen = word;
        claim_blocks(pool, word, index);
    }
}

#if defined(_WIN32)
static DWORD WINAPI helper_main(LPVOID arg)
{
    struct helper *h = (struct helper *)arg;
    serve(h->pool, h->index);
    return 0;
}
#else
static void *helper_main(void *arg)
{
    struct helper *h = (struct helper *)arg;
    serve(h->pool, h->index);
    return NULL;
}
#endif

static int start_thread(ffnn_pool *pool, int index)
{
    struct helper *h = &pool->helpers[index];
    h->pool = pool;
    h->index = index;
#if defined(_WIN32)
    pool->handles[index] = CreateThread(NULL, 0, helper_main, h, 0, NULL);
    return pool->handles[index] ? 0 : -1;
#else
    return pthread_create(&pool->handles[index], NULL, helper_main, h);
#endif
}

static void join_thread(ffnn_pool *pool, int index)
{
#if defined(_WIN32)
    WaitForSingleObject(pool->handles[index], INFINITE);
    CloseHandle(pool->handles[index]);
#else
    pthread_join(pool->handles[index], NULL);
#endif
}

/* Stop and join the helpers this process started, then free the lock.
   Helpers spinning between tasks see `stop` when they next fall asleep. A
   pool inherited through fork() has no helpers here and a lock in whatever
   state the parent's threads left it: nothing of it is touched. */
static void stop_helpers(ffnn_pool *pool)
{
    if (pool->generation != forks || !pool->sync)
        return;
    mutex_lock(&pool->sync->lock);
    pool->stop = 1;
    cond_broadcast(&pool->sync->wake);
    mutex_unlock(&pool->sync->lock);
    for (int i = 1; i < pool->running; i++)
        join_thread(pool, i);
    cond_destroy(&pool->sync->wake);
    mutex_destroy(&pool->sync->lock);
    free(pool->sync);
    pool->sync = NULL;
    pool->running = 1;
}

/* Start helpers 1 .. threads - 1 in this process, from a fresh state (an
   inherited pool's counters may stop mid-task). On failure, none runs and
   the pool works alone. */
static int start_helpers(ffnn_pool *pool)
{
    pool->generation = forks;
    pool->running = 1;
    pool->sync = NULL;
    pool->stop = 0;
    pool->sleepers = 0;
    pool->published = 0;
    pool->lent = 0;
    for (size_t b = 0; b < MAX_BLOCKS; b++)
        pool->claims[b].value = 0;
    if (watch_forks() != 0)
        return -1;
    pool->sync = (struct sync *)malloc(sizeof *pool->sync);
    if (!pool->sync)
        return -1;
    if (mutex_init(&pool->sync->lock) != 0) {
        free(pool->sync);
        pool->sync = NULL;
        return -1;
    }
    if (cond_init(&pool->sync->wake) != 0) {
        mutex_destroy(&pool->sync->lock);
        free(pool->sync);
        pool->sync = NULL;
        return -1;
    }
    for (int i = 1; i < pool->threads; i++) {
        if (start_thread(pool, i) != 0) {
            stop_helpers(pool);
            return -1;
        }
        pool->running = i + 1;
    }
    return 0;
}

ffnn_pool *ffnn_pool_create(int threads)
{
    ffnn_pool *pool;
    if (threads < 1 || threads > FFNN_MAX_THREADS)
        return NULL;
    pool = (ffnn_pool *)calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->threads = threads;
    pool->running = 1;
    pool->generation = forks;
    ffnn_share_init(&pool->policy, FFNN_SHARE_DETERMINISTIC);
    ffnn_share_init(&pool->calls, FFNN_SHARE_DETERMINISTIC);
    if (threads > 1 && start_helpers(pool) != 0) {
        free(pool);
        return NULL;
    }
    return pool;
}

void ffnn_pool_destroy(ffnn_pool *pool)
{
    if (pool) {
        stop_helpers(pool);
        free(pool);
    }
}

int ffnn_pool_threads(const ffnn_pool *pool)
{
    return pool ? pool->threads : 1;
}

int ffnn_pool_set_policy(ffnn_pool *pool, int policy)
{
    if (!pool || ffnn_share_init(&pool->policy, policy) != 0)
        return -1;
    return ffnn_share_init(&pool->calls, policy);
}

int ffnn_pool_policy(const ffnn_pool *pool)
{
    return pool ? pool->policy.policy : FFNN_SHARE_DETERMINISTIC;
}

/* The number of the caller's next task. */
static long long next_task(ffnn_pool *pool)
{
    return TASK_OF(atomic_get(&pool->published)) + 1;
}

/* Publish a task (its parameters written) and wake the helpers asleep. */
static void publish(ffnn_pool *pool, long long word)
{
    atomic_set(&pool->published, word);
    if (atomic_get(&pool->sleepers) > 0) {
        mutex_lock(&pool->sync->lock);
        cond_broadcast(&pool->sync->wake);
        mutex_unlock(&pool->sync->lock);
    }
}

void ffnn_pool_share(ffnn_pool *pool, size_t n, size_t blocks,
                     ffnn_pool_task *fn, void *ctx)
{
    long long task;
    if (!pool || pool->threads == 1) {
        fn(ctx, 0, n, 0);
        return;
    }
    /* In a child of fork(), the helpers stayed in the parent: start new
       ones (once; if that fails, the pool works alone from then on). */
    if (pool->generation != forks)
        start_helpers(pool);
    if (pool->running < pool->threads || pool->lent ||
        !ffnn_share_decide(&pool->policy, n, blocks, pool->threads)) {
        fn(ctx, 0, n, 0);
        return;
    }
    if (blocks > n)
        blocks = n;
    if (blocks > MAX_BLOCKS)
        blocks = MAX_BLOCKS;
    /* Written only when they change, so that the helpers' copies of their
       cache line stay valid from one task to the next. */
    if (pool->fn != fn)
        pool->fn = fn;
    if (pool->ctx != ctx)
        pool->ctx = ctx;
    if (pool->n != n)
        pool->n = n;
    task = next_task(pool);
    publish(pool, PUBLISHED(task, blocks));
    claim_blocks(pool, PUBLISHED(task, blocks), 0);
    /* Only blocks that a helper has started remain; wait for them. */
    for (size_t b = 0; b < blocks; b++) {
        for (long spins = 0; atomic_get(&pool->claims[b].value) != 2 * task + 1;
             spins++) {
            if (spins < SPINS_BEFORE_SLEEP)
                spin_pause();
            else
                yield_cpu();
        }
    }
}

/* A lent call is a task of two blocks: block 0, the caller's, finished
   before the task is published (the caller works on its own, not through
   the pool), and block 1, which a helper claims as any block and runs for
   the whole call. If none has claimed it within the bound, the caller
   claims it itself, marked finished: no helper can start it later. */
int ffnn_pool_lend_wanted(ffnn_pool *pool, size_t items)
{
    if (!pool || pool->threads == 1)
        return 0;
    if (pool->generation != forks)
        start_helpers(pool);
    return ffnn_share_call_begin(&pool->calls, items, pool->threads) &&
           pool->running == pool->threads;
}

int ffnn_pool_lend(ffnn_pool *pool, ffnn_pool_task *fn, void *ctx)
{
    long long task, value;
    pool->fn = fn;
    pool->ctx = ctx;
    pool->n = 2;
    task = next_task(pool);
    atomic_set(&pool->claims[0].value, 2 * task + 1);
    publish(pool, PUBLISHED(task, 2));
    for (long spins = 0; spins < SPINS_BEFORE_LENDING_FAILS; spins++) {
        if (atomic_get(&pool->claims[1].value) >= 2 * task) {
            pool->lent = task;
            return 1;
        }
        spin_pause();
    }
    value = atomic_get(&pool->claims[1].value);
    if (value < 2 * task && atomic_cas(&pool->claims[1].value, value, 2 * task + 1))
        return 0;
    pool->lent = task;
    return 1;
}

void ffnn_pool_lend_end(ffnn_pool *pool, int lent)
{
    if (!pool)
        return;
    if (lent) {
        const long long task = pool->lent;
        for (long spins = 0; atomic_get(&pool->claims[1].value) != 2 * task + 1;
             spins++) {
            if (spins < SPINS_BEFORE_SLEEP)
                spin_pause();
            else
                yield_cpu();
        }
        pool->lent = 0;
    }
    ffnn_share_call_end(&pool->calls);
}

#if defined(_WIN32)
#define mark_of(mark) ((counter_t *)&(mark)->value)
#else
#define mark_of(mark) (&(mark)->value)
#endif

void ffnn_pool_mark_set(ffnn_pool_mark *mark, long long value)
{
    atomic_set(mark_of(mark), value);
}

void ffnn_pool_pause(long round)
{
    if (round < SPINS_BEFORE_SLEEP)
        spin_pause();
    else
        yield_cpu();
}

long long ffnn_pool_mark_wait(ffnn_pool_mark *mark, long long value)
{
    long long seen = atomic_get(mark_of(mark));
    for (long round = 0; seen < value && seen >= 0; round++) {
        ffnn_pool_pause(round);
        seen = atomic_get(mark_of(mark));
    }
    return seen;
}

long long ffnn_pool_mark_get(ffnn_pool_mark *mark)
{
    return atomic_get(mark_of(mark));
}

int ffnn_pool_mark_claim(ffnn_pool_mark *mark, long long old, long long value)
{
    return atomic_cas(mark_of(mark), old, value);
}
