/*
 * Checks the pool's sharing policies (csrc/pool/share_policy.c):
 *
 * - the deterministic policy's decisions are a pure function of the task's
 *   size and the thread count, and a pool under it shares every task that
 *   can be split, however slow its helpers are;
 * - the adaptive policy stops sharing when the helpers are slow (their
 *   blocks sleep) and shares again once they are fast;
 * - training and querying give bitwise the same results with one thread
 *   and with two under either policy, in float32 and float64.
 *
 * Built with every C file of the core (tests/test_share_policy.py does it
 * with the flags of python tools/c_sources.py). Exit status 0 when every
 * check passed.
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffnn.h"
#include "pool/pool.h"
#include "pool/share_policy.h"

#if defined(_WIN32)
#include <windows.h>
static void sleep_us(long us) { Sleep((DWORD)((us + 999) / 1000)); }
#else
#include <time.h>
static void sleep_us(long us)
{
    struct timespec t;
    t.tv_sec = us / 1000000;
    t.tv_nsec = (us % 1000000) * 1000;
    nanosleep(&t, NULL);
}
#endif

static long n_checks, n_failures;

static void check(int ok, const char *what)
{
    n_checks++;
    if (!ok && n_failures++ < 20)
        printf("FAIL %s\n", what);
}

/* ---- the deterministic policy ------------------------------------------ */

static const size_t TASK_SIZES[] = {0, 1, 2, 3, 17, 200, 785, 60000};
#define N_TASK_SIZES (sizeof TASK_SIZES / sizeof TASK_SIZES[0])
static const int THREADS[] = {1, 2, 3, FFNN_MAX_THREADS};
#define N_THREADS (sizeof THREADS / sizeof THREADS[0])

/* Every (n, blocks, threads) of the grid, decided by `state`. */
static void decide_grid(struct ffnn_share_state *state, int *decisions)
{
    size_t i = 0;
    for (size_t a = 0; a < N_TASK_SIZES; a++)
        for (size_t b = 0; b < N_TASK_SIZES; b++)
            for (size_t t = 0; t < N_THREADS; t++)
                decisions[i++] = ffnn_share_decide(state, TASK_SIZES[a],
                                                   TASK_SIZES[b], THREADS[t]);
}

static void test_deterministic_decisions(void)
{
    enum { N = N_TASK_SIZES * N_TASK_SIZES * N_THREADS };
    static int first[N], again[N], reversed[N];
    struct ffnn_share_state state, other;
    size_t i = 0;
    check(ffnn_share_init(&state, FFNN_SHARE_DETERMINISTIC) == 0 &&
              ffnn_share_init(&other, FFNN_SHARE_DETERMINISTIC) == 0,
          "deterministic policy starts");
    decide_grid(&state, first);
    /* The same state after all those decisions, and after a pause. */
    sleep_us(20000);
    decide_grid(&state, again);
    /* A fresh state asked in the opposite order. */
    for (size_t a = N_TASK_SIZES; a-- > 0;)
        for (size_t b = N_TASK_SIZES; b-- > 0;)
            for (size_t t = N_THREADS; t-- > 0;)
                reversed[(a * N_TASK_SIZES + b) * N_THREADS + t] =
                    ffnn_share_decide(&other, TASK_SIZES[a], TASK_SIZES[b],
                                      THREADS[t]);
    for (size_t a = 0; a < N_TASK_SIZES; a++)
        for (size_t b = 0; b < N_TASK_SIZES; b++)
            for (size_t t = 0; t < N_THREADS; t++, i++) {
                /* Shared exactly when there are two threads, two blocks and
                   two items to share. */
                const int splittable = TASK_SIZES[a] >= 2 && TASK_SIZES[b] >= 2 &&
                                       THREADS[t] >= 2;
                check(first[i] == splittable, "deterministic: shares what splits");
                check(again[i] == first[i], "deterministic: same decision later");
                check(reversed[i] == first[i],
                      "deterministic: same decision in another order");
            }
    check(ffnn_share_init(&state, 7) == -1 && state.policy == FFNN_SHARE_DETERMINISTIC,
          "an unknown policy is refused and changes nothing");
}

/* ---- a pool at work ------------------------------------------------------ */

/* A task of `n` items whose blocks sleep: `caller_us` per item on the
   caller, `helper_us` per item on a helper. Records whether the last task
   was shared: run alone, it is one call covering everything. */
struct sleeper {
    size_t n;
    long caller_us, helper_us;
    int alone; /* the last task came as one call of all n items */
};

static void sleepy_task(void *ctx, size_t lo, size_t hi, int thread)
{
    struct sleeper *s = (struct sleeper *)ctx;
    if (lo == 0 && hi == s->n)
        s->alone = 1;
    sleep_us((long)(hi - lo) * (thread == 0 ? s->caller_us : s->helper_us));
}

/* Runs tasks until `in_a_row` in a row were alone (want_alone) or shared
   (!want_alone), or `most` tasks ran; returns whether that happened. */
static int run_until(ffnn_pool *pool, struct sleeper *s, int want_alone,
                     int in_a_row, int most)
{
    int row = 0;
    for (int t = 0; t < most && row < in_a_row; t++) {
        s->alone = 0;
        ffnn_pool_share(pool, s->n, s->n, sleepy_task, s);
        row = s->alone == want_alone ? row + 1 : 0;
    }
    return row == in_a_row;
}

static void test_policy_choice(void)
{
    ffnn_pool *pool = ffnn_pool_create(2);
    check(pool != NULL, "pool of 2 threads");
    if (!pool)
        return;
    check(ffnn_pool_policy(pool) == FFNN_SHARE_DETERMINISTIC ||
              ffnn_pool_policy(pool) == FFNN_SHARE_ADAPTIVE,
          "a new pool has a known policy");
    check(ffnn_pool_set_policy(pool, -1) == -1 && ffnn_pool_set_policy(pool, 2) == -1,
          "unknown policies are refused");
    check(ffnn_pool_set_policy(NULL, FFNN_SHARE_ADAPTIVE) == -1 &&
              ffnn_pool_policy(NULL) == FFNN_SHARE_DETERMINISTIC,
          "no pool: nothing to set, deterministic");
    check(ffnn_pool_set_policy(pool, FFNN_SHARE_ADAPTIVE) == 0 &&
              ffnn_pool_policy(pool) == FFNN_SHARE_ADAPTIVE,
          "adaptive policy set");
    check(ffnn_pool_set_policy(pool, FFNN_SHARE_DETERMINISTIC) == 0 &&
              ffnn_pool_policy(pool) == FFNN_SHARE_DETERMINISTIC,
          "deterministic policy set");
    ffnn_pool_destroy(pool);
}

/* Helpers a hundred times slower than the caller: the deterministic
   policy shares every task all the same, the adaptive one soon stops;
   helpers as fast as the caller, where two halves take half the time:
   the adaptive one shares again. */
static void test_slow_and_fast_helpers(void)
{
    struct sleeper s = {2, 50, 5000, 0};
    ffnn_pool *pool = ffnn_pool_create(2);
    check(pool != NULL, "pool of 2 threads");
    if (!pool)
        return;
    ffnn_pool_set_policy(pool, FFNN_SHARE_DETERMINISTIC);
    check(run_until(pool, &s, 0, 30, 30), "deterministic: shares with slow helpers");

    ffnn_pool_set_policy(pool, FFNN_SHARE_ADAPTIVE);
    check(run_until(pool, &s, 1, 200, 5000),
          "adaptive: runs alone when the helpers are slow");
    s.caller_us = s.helper_us = 1000;
    check(run_until(pool, &s, 0, 100, 5000),
          "adaptive: shares again when the helpers are fast");
    ffnn_pool_destroy(pool);
}

/* ---- bitwise the same results -------------------------------------------- */

/* 784 inputs and 100 hidden nodes: the first layer is large enough to be
   shared (FFNN_SHARE_MIN_WEIGHTS). */
static const size_t NET[] = {784, 100, 10};
#define N_LAYERS 2
#define N_INPUTS 40
#define N_STEPS 6000

/* A fixed spread of numbers in [0, 1) from an index, the same on every
   platform: the fractional part of i times the golden ratio. */
static double spread(size_t i)
{
    const double x = (double)i * 0.6180339887498949;
    return x - (double)(size_t)x;
}

/* Everything one training run needs, in both precisions. */
struct data {
    double start64[N_LAYERS][784 * 100];
    uint8_t pixels[N_INPUTS * 784];
    int64_t labels[N_INPUTS], order[N_STEPS];
};

/* Weights after training from the same start, and a query's outputs, in
   float32 (f64 = 0) or float64, by a net of `threads` threads sharing under
   `policy`. Returned as bytes to compare: out must hold (weights + outputs)
   * 8 bytes. */
static void train_and_query(const struct data *d, int f64, int threads,
                            int policy, unsigned char *out)
{
    const size_t size = f64 ? sizeof(double) : sizeof(float);
    const size_t n_weights[N_LAYERS] = {NET[0] * NET[1], NET[1] * NET[2]};
    void *w[N_LAYERS];
    void *outputs = calloc(N_INPUTS * NET[2], size);
    ffnn_net *net = NULL;
    ffnn_samples train = {0}, query = {0};
    ffnn_schedule schedule = {0};
    size_t at = 0;
    check(ffnn_net_create(&net, f64 ? FFNN_FLOAT64 : FFNN_FLOAT32, N_LAYERS,
                          NET, 0, threads) == FFNN_OK &&
              ffnn_net_set_share_policy(net, policy) == FFNN_OK &&
              ffnn_net_share_policy(net) == policy && outputs != NULL,
          "net and buffers");
    if (!net || !outputs)
        exit(2);
    for (size_t k = 0; k < N_LAYERS; k++) {
        w[k] = calloc(n_weights[k], size);
        if (!w[k])
            exit(2);
        for (size_t i = 0; i < n_weights[k]; i++) {
            if (f64)
                ((double *)w[k])[i] = d->start64[k][i];
            else
                ((float *)w[k])[i] = (float)d->start64[k][i];
        }
    }
    check(ffnn_net_bind(net, w, NULL) == FFNN_OK, "bind");
    train.rows = query.rows = N_INPUTS;
    train.pixels = query.pixels = d->pixels;
    train.labels = d->labels;
    schedule.order = d->order;
    schedule.count = N_STEPS;
    schedule.learning_rate = 0.1;
    schedule.rule = FFNN_RULE_BOOK;
    schedule.engine = FFNN_ENGINE_DENSE;
    check(ffnn_train(net, &train, &schedule, NULL) == FFNN_OK, "train");
    check(ffnn_query(net, &query, outputs) == FFNN_OK, "query");
    for (size_t k = 0; k < N_LAYERS; k++) {
        memcpy(out + at, w[k], n_weights[k] * size);
        at += n_weights[k] * size;
        free(w[k]);
    }
    memcpy(out + at, outputs, N_INPUTS * NET[2] * size);
    free(outputs);
    ffnn_net_free(net);
}

static void test_bitwise(void)
{
    static struct data d;
    const size_t bytes = (NET[0] * NET[1] + NET[1] * NET[2] + N_INPUTS * NET[2]) * 8;
    unsigned char *one = malloc(bytes), *two = malloc(bytes);
    const int policies[] = {FFNN_SHARE_DETERMINISTIC, FFNN_SHARE_ADAPTIVE};
    check(one != NULL && two != NULL, "buffers");
    if (!one || !two)
        exit(2);
    for (size_t k = 0; k < N_LAYERS; k++)
        for (size_t i = 0; i < NET[k] * NET[k + 1]; i++)
            d.start64[k][i] = 0.2 * spread(i + k * 100003) - 0.1;
    /* Images of sparse ink, as MNIST's are. */
    for (size_t i = 0; i < N_INPUTS * NET[0]; i++)
        d.pixels[i] = spread(3 * i) < 0.2 ? (uint8_t)(1 + 254 * spread(7 * i)) : 0;
    for (size_t i = 0; i < N_INPUTS; i++)
        d.labels[i] = (int64_t)(i % NET[2]);
    for (size_t i = 0; i < N_STEPS; i++)
        d.order[i] = (int64_t)(N_INPUTS * spread(11 * i));
    for (int f64 = 0; f64 < 2; f64++) {
        memset(one, 0, bytes);
        train_and_query(&d, f64, 1, FFNN_SHARE_DETERMINISTIC, one);
        for (size_t p = 0; p < 2; p++) {
            char what[96];
            memset(two, 0, bytes);
            train_and_query(&d, f64, 2, policies[p], two);
            snprintf(what, sizeof what, "%s, %s policy: 2 threads bitwise as 1",
                     f64 ? "float64" : "float32", p ? "adaptive" : "deterministic");
            check(memcmp(one, two, bytes) == 0, what);
        }
    }
    free(one), free(two);
}

int main(void)
{
    test_deterministic_decisions();
    test_policy_choice();
    test_slow_and_fast_helpers();
    test_bitwise();
    printf("%ld checks, %ld failures\n", n_checks, n_failures);
    return n_failures ? 1 : 0;
}
