/*
 * Checks every function of csrc/ffnn.h, for float and double, against the
 * plain double-precision reference below, at every SIMD level this build and
 * CPU offer. Plain C99 with no dependencies, so the same program runs natively,
 * cross-compiled under an emulator, or built for Windows.
 *
 *     bash tools/check_wheels.sh 5 6
 *
 * builds it with gcc and clang, natively and for aarch64, each C file with
 * its flags from setup.py (python tools/c_sources.py prints them), and runs
 * it. The bit-for-bit checks (test_exact_template.h) fail if a build lets
 * the compiler fuse multiplies and adds: -ffp-contract=off is one of those
 * flags.
 *
 * Exit status 0 when every check passed.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffnn.h"
/* The core's internal kernel table: the matrix kernels are no longer public,
   so they are checked through the table the network code calls. */
#include "kernels/kernel_table.h"
/* The core's internal thread pool, checked on its own. */
#include "pool/pool.h"

/* Odd sizes catch remainder loops; 785 is MNIST's 784 pixels plus one. */
static const size_t SIZES[] = {1, 3, 17, 785};
#define N_SIZES (sizeof SIZES / sizeof SIZES[0])

/* Layer sizes of the networks checked, input first; 0 ends a list. */
static const size_t NETWORKS[][5] = {
    {1, 1, 0}, {3, 17, 5, 0}, {785, 17, 3, 0}, {17, 3, 17, 3, 0}};
#define N_NETWORKS (sizeof NETWORKS / sizeof NETWORKS[0])
#define MAX_LAYERS 4
static const int RULES[] = {FFNN_RULE_BOOK, FFNN_RULE_MSE,
                            FFNN_RULE_CROSS_ENTROPY};

static long n_checks, n_failures;

/* Records one comparison; prints the first few failures in full. */
static void check(int ok, const char *what, const char *level, double got,
                  double want)
{
    n_checks++;
    if (ok)
        return;
    if (n_failures++ < 20)
        printf("FAIL [%s] %s: got %.17g, want %.17g\n", level, what, got,
               want);
}

static void *xmalloc(size_t count, size_t size)
{
    void *p = count ? calloc(count, size) : malloc(1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* A fixed xorshift generator, so every platform sees the same numbers. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static double uniform(double lo, double hi)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return lo + (hi - lo) * (double)(rng_state >> 11) / 9007199254740992.0;
}

/* ---- the reference, in double, written from the formulas --------------- */

static double ref_sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* o[k] = sigmoid(W_k o[k-1]) for k = 1 .. n_layers, o[0] = the input. */
static void ref_forward(size_t n_layers, const size_t *sizes, double **w,
                        double **o)
{
    for (size_t k = 1; k <= n_layers; k++)
        for (size_t r = 0; r < sizes[k]; r++) {
            double s = 0;
            for (size_t c = 0; c < sizes[k - 1]; c++)
                s += w[k - 1][r * sizes[k - 1] + c] * o[k - 1][c];
            o[k][r] = ref_sigmoid(s);
        }
}

/* One training step as ffnn.h describes it; o holds n_layers + 1 vectors,
   e and d hold per-layer errors and deltas (index k, k >= 1). */
static double ref_train_step(size_t n_layers, const size_t *sizes, double **w,
                             double lr, int rule, double **o, double **e,
                             double **d, const double *target)
{
    double sq = 0;
    ref_forward(n_layers, sizes, w, o);
    for (size_t j = 0; j < sizes[n_layers]; j++) {
        e[n_layers][j] = target[j] - o[n_layers][j];
        sq += e[n_layers][j] * e[n_layers][j];
    }
    for (size_t k = n_layers; k >= 1; k--) {
        const size_t rows = sizes[k], cols = sizes[k - 1];
        for (size_t r = 0; r < rows; r++)
            d[k][r] = rule == FFNN_RULE_CROSS_ENTROPY && k == n_layers
                          ? e[k][r]
                          : e[k][r] * o[k][r] * (1 - o[k][r]);
        if (k > 1) {
            /* The book passes raw errors down, the gradient rules deltas. */
            const double *down = rule == FFNN_RULE_BOOK ? e[k] : d[k];
            for (size_t c = 0; c < cols; c++) {
                double s = 0;
                for (size_t r = 0; r < rows; r++)
                    s += w[k - 1][r * cols + c] * down[r];
                e[k - 1][c] = s;
            }
        }
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < cols; c++)
                w[k - 1][r * cols + c] += lr * d[k][r] * o[k - 1][c];
    }
    return sq;
}

/* The book's backquery: logit, W^T, rescale to 0.01 .. 0.99, repeat. */
static void ref_backquery(size_t n_layers, const size_t *sizes, double **w,
                          const double *target, double **signal)
{
    for (size_t j = 0; j < sizes[n_layers]; j++)
        signal[n_layers][j] = log(target[j] / (1 - target[j]));
    for (size_t k = n_layers; k >= 1; k--) {
        const size_t rows = sizes[k], cols = sizes[k - 1];
        double lo = INFINITY, hi = -INFINITY;
        double *below = signal[k - 1];
        for (size_t c = 0; c < cols; c++) {
            double s = 0;
            for (size_t r = 0; r < rows; r++)
                s += w[k - 1][r * cols + c] * signal[k][r];
            below[c] = s;
            lo = s < lo ? s : lo;
            hi = s > hi ? s : hi;
        }
        for (size_t c = 0; c < cols; c++) {
            below[c] =
                hi > lo ? (below[c] - lo) / (hi - lo) * 0.98 + 0.01 : 0.5;
            if (k > 1)
                below[c] = log(below[c] / (1 - below[c]));
        }
    }
}

/*
 * Rotation about the centre, counter-clockwise as displayed (row 0 on top):
 * output pixel (r, c) reads the input at the point the inverse rotation
 * takes it to, blending the four pixels around it, or takes `background`
 * when that point lies outside the grid of pixel centres.
 */
static double ref_rotate_pixel(size_t rows, size_t cols, double degrees,
                               double background, const double *image,
                               size_t r, size_t c)
{
    const double a = degrees * 3.14159265358979323846 / 180.0;
    const double cr = 0.5 * (double)(rows - 1), cc = 0.5 * (double)(cols - 1);
    const double dr = (double)r - cr, dc = (double)c - cc;
    const double y = cos(a) * dr + sin(a) * dc + cr;
    const double x = cos(a) * dc - sin(a) * dr + cc;
    double fy, fx, v = 0;
    size_t r0, c0;
    if (y < 0 || y > (double)(rows - 1) || x < 0 || x > (double)(cols - 1))
        return background;
    r0 = (size_t)floor(y);
    c0 = (size_t)floor(x);
    fy = y - (double)r0;
    fx = x - (double)c0;
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 2; j++) {
            const double w = (i ? fy : 1 - fy) * (j ? fx : 1 - fx);
            if (w != 0)
                v += w * image[(r0 + i) * cols + (c0 + j)];
        }
    return v;
}

/* ---- the checks, once per precision ------------------------------------- */

/* Defines fill_f32, check_close_f32, net_of_f32, train_f32, samples_f32,
   the test_*_f32 checks and run_all_f32. */
#define REAL float
#define SUFFIX _f32
#define EPS ((double)FLT_EPSILON)
#define DTYPE FFNN_FLOAT32
#include "test_kernels_template.h"

/* Defines test_pixel_scaling_f32, test_scalar_exact_f32 and their
   references (ref_matvec_f32, ...). */
#define REAL float
#define SUFFIX _f32
#define DTYPE FFNN_FLOAT32
#include "test_exact_template.h"

/* Defines fill_f64, check_close_f64, net_of_f64, train_f64, samples_f64,
   the test_*_f64 checks and run_all_f64. */
#define REAL double
#define SUFFIX _f64
#define EPS DBL_EPSILON
#define DTYPE FFNN_FLOAT64
#include "test_kernels_template.h"

/* Defines test_pixel_scaling_f64, test_scalar_exact_f64 and their
   references (ref_matvec_f64, ...). */
#define REAL double
#define SUFFIX _f64
#define DTYPE FFNN_FLOAT64
#include "test_exact_template.h"

#include "test_pixel_query.h"
#include "test_sparse.h"

/* Every status has its own sentence; the network object starts the pool. */
static void test_strerror_and_pool(void)
{
    for (int a = FFNN_OK; a <= FFNN_ERROR_ENGINE; a++)
        for (int b = a + 1; b <= FFNN_ERROR_ENGINE + 1; b++)
            check(strcmp(ffnn_strerror(a), ffnn_strerror(b)) != 0,
                  "strerror distinct", "any", a, b);
    check(ffnn_strerror(-1) != NULL, "strerror(-1)", "any", 0, 0);
    {
        ffnn_pool *pool = ffnn_pool_create(2);
        check(pool != NULL && ffnn_pool_threads(pool) == 2 &&
                  ffnn_pool_threads(NULL) == 1 && ffnn_pool_create(0) == NULL &&
                  ffnn_pool_create(FFNN_MAX_THREADS + 1) == NULL,
              "pool of 2 threads", "any", ffnn_pool_threads(pool), 2);
        ffnn_pool_destroy(pool);
        ffnn_pool_destroy(NULL);
    }
}

/* One task of the pool check below: how often each of its items ran. */
struct pool_task {
    size_t n;
    unsigned char *runs;
};

static void count_runs(void *ctx, size_t lo, size_t hi, int thread)
{
    struct pool_task *task = (struct pool_task *)ctx;
    (void)thread;
    for (size_t i = lo; i < hi && i < task->n; i++)
        task->runs[i]++;
    /* Items past the task's end: a block run on another task's sizes. */
    if (hi > task->n)
        task->runs[task->n]++;
}

/* Tasks one after another whose counts of blocks differ, as a network's
   calls give the pool (a transposition in two blocks, then a query in
   three): every item of every task runs exactly once, within its task's
   call, whichever thread takes it. A few blocks come before many, where a
   helper still in the short task could reach past its end; with one helper,
   and with more helpers than this machine may have cores, so that some are
   held up there. Two tasks alternate, so a block that ran late on a task
   already returned, or on the next task's sizes, shows in a count. */
static void test_pool_handoffs(int threads)
{
    enum { TASKS = 150000, MOST_ITEMS = 40 };
    static const size_t blocks[] = {2, 7, 3, 8, 2, 5, 4, 6};
    const size_t n_blocks = sizeof blocks / sizeof blocks[0];
    ffnn_pool *pool = ffnn_pool_create(threads);
    struct pool_task tasks[2];
    long wrong = 0;
    char label[32];
    for (int k = 0; k < 2; k++)
        tasks[k].runs = xmalloc(MOST_ITEMS + 1, 1);
    for (long t = 0; t < TASKS && pool; t++) {
        struct pool_task *task = &tasks[t % 2], *other = &tasks[(t + 1) % 2];
        task->n = 8 + (size_t)(t * 7 % (MOST_ITEMS - 8));
        memset(task->runs, 0, MOST_ITEMS + 1);
        ffnn_pool_share(pool, task->n, blocks[t % n_blocks], count_runs, task);
        for (size_t i = 0; i <= task->n; i++)
            wrong += task->runs[i] != (i < task->n);
        /* The task before this one is over: nothing of it ran since. */
        if (t > 0)
            for (size_t i = 0; i <= other->n; i++)
                wrong += other->runs[i] != (i < other->n);
    }
    snprintf(label, sizeof label, "%d threads", threads);
    check(pool != NULL && wrong == 0, "pool: each item once, in its task", label,
          (double)wrong, 0);
    ffnn_pool_destroy(pool);
    free(tasks[0].runs);
    free(tasks[1].runs);
}

static void test_simd_api(void)
{
    check(ffnn_simd_available(FFNN_SIMD_SCALAR), "scalar available", "any", 0,
          1);
    check(ffnn_simd_set(-1) == FFNN_ERROR_ARGUMENT, "set(-1) refused", "any", 0, -1);
    check(ffnn_simd_name(-1) == NULL, "name(-1) is NULL", "any", 0, 0);
    check(ffnn_simd_name(FFNN_SIMD_SCALAR) != NULL &&
              strcmp(ffnn_simd_name(FFNN_SIMD_SCALAR), "scalar") == 0,
          "name(scalar)", "any", 0, 0);
}

int main(void)
{
    int levels = 0;
    test_simd_api();
    test_strerror_and_pool();
    test_pool_handoffs(2);
    test_pool_handoffs(4);
    /* Every level ffnn.h names, so levels added later are covered too. */
    for (int level = 0; ffnn_simd_name(level) != NULL; level++) {
        const char *name = ffnn_simd_name(level);
        long before = n_checks, failed = n_failures;
        if (!ffnn_simd_available(level)) {
            printf("level %-7s not available here\n", name);
            continue;
        }
        check(ffnn_simd_set(level) == FFNN_OK && ffnn_simd_get() == level,
              "simd_set", name, ffnn_simd_get(), level);
        run_all_f32(name);
        run_all_f64(name);
        test_pixel_query(name);
        run_sparse(name);
        levels++;
        printf("level %-7s %ld checks, %ld failed\n", name,
               n_checks - before, n_failures - failed);
    }
    printf("test_kernels: %ld checks at %d SIMD level(s), %ld failed\n",
           n_checks, levels, n_failures);
    return n_failures == 0 && levels > 0 ? 0 : 1;
}
