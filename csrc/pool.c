/*
 * A minimal thread pool: the caller plus threads - 1 workers that sleep on
 * a condition variable between jobs. A job runs one function on every
 * thread; inside a job the threads meet at a spinning barrier, because a
 * per-sample training step is a few microseconds, far less than a sleep
 * and wake-up costs. POSIX threads, or Win32 threads on Windows.
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdlib.h>

#include "simd.h"

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
typedef volatile LONG counter_t;
/* Interlocked functions are full barriers. */
#define atomic_get(p) InterlockedCompareExchange((p), 0, 0)
#define atomic_inc(p) InterlockedIncrement(p)
#define atomic_dec(p) InterlockedDecrement(p)
#define atomic_set(p, v) InterlockedExchange((p), (v))
#else
#include <pthread.h>
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
typedef long counter_t;
/* Sequentially consistent, as the sleep/wake hand-off of the barrier needs. */
#define atomic_get(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define atomic_inc(p) __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define atomic_dec(p) __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define atomic_set(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#endif

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#include <immintrin.h>
#define spin_pause() _mm_pause()
#else
#define spin_pause() ((void)0)
#endif

/* Spins (about 50 us) before a thread waiting at a barrier goes to sleep:
   long enough to cover a training step's phase, short enough that a thread
   whose partner has lost its core does not burn its own. */
#define SPINS_BEFORE_SLEEP 2000

struct ffnn_pool {
    int threads;
    mutex_t lock;
    cond_t start, done, wake;
    unsigned long job;  /* incremented for each job */
    int running;        /* workers still in the current job */
    int stop;
    void (*fn)(void *ctx, int index, int count);
    void *ctx;
    counter_t arrived;  /* barrier: threads arrived in this round */
    counter_t round;    /* barrier: completed rounds */
    counter_t sleepers; /* barrier: threads asleep on `wake` or about to be */
    thread_t handles[FFNN_MAX_THREADS];
    struct worker {
        ffnn_pool *pool;
        int index;
    } workers[FFNN_MAX_THREADS];
};

static void work_loop(ffnn_pool *pool, int index)
{
    unsigned long seen = 0;
    for (;;) {
        void (*fn)(void *, int, int);
        void *ctx;
        mutex_lock(&pool->lock);
        while (pool->job == seen && !pool->stop)
            cond_wait(&pool->start, &pool->lock);
        if (pool->stop) {
            mutex_unlock(&pool->lock);
            return;
        }
        seen = pool->job;
        fn = pool->fn;
        ctx = pool->ctx;
        mutex_unlock(&pool->lock);
        fn(ctx, index, pool->threads);
        mutex_lock(&pool->lock);
        if (--pool->running == 0)
            cond_signal(&pool->done);
        mutex_unlock(&pool->lock);
    }
}

#if defined(_WIN32)
static DWORD WINAPI worker_main(LPVOID arg)
{
    struct worker *w = (struct worker *)arg;
    work_loop(w->pool, w->index);
    return 0;
}
#else
static void *worker_main(void *arg)
{
    struct worker *w = (struct worker *)arg;
    work_loop(w->pool, w->index);
    return NULL;
}
#endif

static int start_thread(ffnn_pool *pool, int index)
{
    struct worker *w = &pool->workers[index];
    w->pool = pool;
    w->index = index;
#if defined(_WIN32)
    pool->handles[index] = CreateThread(NULL, 0, worker_main, w, 0, NULL);
    return pool->handles[index] ? 0 : -1;
#else
    return pthread_create(&pool->handles[index], NULL, worker_main, w);
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

/* Stop and join workers 1 .. started - 1, then free the pool. */
static void shut_down(ffnn_pool *pool, int started)
{
    mutex_lock(&pool->lock);
    pool->stop = 1;
    cond_broadcast(&pool->start);
    mutex_unlock(&pool->lock);
    for (int i = 1; i < started; i++)
        join_thread(pool, i);
    cond_destroy(&pool->start);
    cond_destroy(&pool->done);
    cond_destroy(&pool->wake);
    mutex_destroy(&pool->lock);
    free(pool);
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
    if (mutex_init(&pool->lock) != 0) {
        free(pool);
        return NULL;
    }
    if (cond_init(&pool->start) != 0 || cond_init(&pool->done) != 0 ||
        cond_init(&pool->wake) != 0) {
        mutex_destroy(&pool->lock);
        free(pool);
        return NULL;
    }
    for (int i = 1; i < threads; i++) {
        if (start_thread(pool, i) != 0) {
            shut_down(pool, i);
            return NULL;
        }
    }
    return pool;
}

void ffnn_pool_destroy(ffnn_pool *pool)
{
    if (pool)
        shut_down(pool, pool->threads);
}

int ffnn_pool_threads(const ffnn_pool *pool)
{
    return pool ? pool->threads : 1;
}

void ffnn_pool_run(ffnn_pool *pool, void (*fn)(void *ctx, int index, int count),
                   void *ctx)
{
    if (!pool || pool->threads == 1) {
        fn(ctx, 0, 1);
        return;
    }
    mutex_lock(&pool->lock);
    pool->fn = fn;
    pool->ctx = ctx;
    pool->running = pool->threads - 1;
    pool->job++;
    cond_broadcast(&pool->start);
    mutex_unlock(&pool->lock);
    fn(ctx, 0, pool->threads);
    mutex_lock(&pool->lock);
    while (pool->running > 0)
        cond_wait(&pool->done, &pool->lock);
    mutex_unlock(&pool->lock);
}

void ffnn_pool_barrier(ffnn_pool *pool)
{
    long round;
    if (!pool || pool->threads == 1)
        return;
    round = atomic_get(&pool->round);
    if (atomic_inc(&pool->arrived) == pool->threads) {
        /* The last to arrive opens the next round for everyone, and wakes
           those who gave up spinning. */
        atomic_set(&pool->arrived, 0);
        atomic_inc(&pool->round);
        if (atomic_get(&pool->sleepers) > 0) {
            mutex_lock(&pool->lock);
            cond_broadcast(&pool->wake);
            mutex_unlock(&pool->lock);
        }
        return;
    }
    for (int spins = 0; spins < SPINS_BEFORE_SLEEP; spins++) {
        if (atomic_get(&pool->round) != round)
            return;
        spin_pause();
    }
    /* Announce the sleep before the last look at `round`: either the last
       thread sees a sleeper and broadcasts, or this one sees the new round. */
    atomic_inc(&pool->sleepers);
    mutex_lock(&pool->lock);
    while (atomic_get(&pool->round) == round)
        cond_wait(&pool->wake, &pool->lock);
    mutex_unlock(&pool->lock);
    atomic_dec(&pool->sleepers);
}
