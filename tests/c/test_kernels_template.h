/*
 * The checks of test_kernels.c for one precision, included by it as
 * csrc/template.h describes.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64), EPS (that
 * precision's machine epsilon, as a double), DTYPE (FFNN_FLOAT32 or
 * FFNN_FLOAT64).
 * Defines, static, with SUFFIX pasted on: run_all, which runs every check
 *   of this precision at one level (those of test_exact_template.h too,
 *   declared here), and the checks and helpers it calls.
 * Undefines REAL, SUFFIX, EPS and DTYPE at the end.
 *
 * Sums are held to the classic bound for any summation order,
 * |error| <= (n + 2) eps sum |terms|, doubled since the reference rounds too:
 * a missing, doubled or misplaced term breaks it by orders of magnitude.
 */
#ifndef REAL
#error "test_kernels_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "test_kernels_template.h needs SUFFIX (_f32 or _f64) defined"
#endif
#ifndef EPS
#error "test_kernels_template.h needs EPS (the machine epsilon) defined"
#endif
#ifndef DTYPE
#error "test_kernels_template.h needs DTYPE (FFNN_FLOAT32 or FFNN_FLOAT64) defined"
#endif

#include "template.h"

/* The kernels of the level in use, which the network code calls. */
#define KERNELS FN(ffnn_kernels_active)()

/* Whole-network results go through many roundings; a wrong term moves them
   by about the size of a weight step, far beyond this. */
#define NET_TOL (4096 * EPS)

static void FN(fill)(REAL *v, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (REAL)uniform(lo, hi);
}

static void FN(check_close)(const char *what, const char *level, REAL got,
                            double want, double tol)
{
    check(fabs((double)got - want) <= tol, what, level, (double)got, want);
}

/* A network object over the weights w (and biases b, or NULL) of the given
   sizes, on `threads` threads. */
static ffnn_net *FN(net_of)(size_t n_layers, const size_t *sizes,
                            REAL *const *w, REAL *const *b, int threads)
{
    ffnn_net *net = NULL;
    int status = ffnn_net_create(&net, DTYPE, n_layers, sizes, b != NULL,
                                 threads);
    if (status == FFNN_OK)
        status = ffnn_net_bind(net, (void *const *)w, (void *const *)b);
    if (status != FFNN_OK) {
        fprintf(stderr, "cannot make a network: %s\n", ffnn_strerror(status));
        exit(2);
    }
    return net;
}

/* ffnn_train over the samples in `order` (NULL: the first count rows);
   returns the sum of squared errors, or -1 after a failing status. */
static double FN(train)(ffnn_net *net, const ffnn_samples *samples,
                        const int64_t *order, size_t count, double lr,
                        int rule)
{
    const ffnn_schedule schedule = {order, count, lr, rule, FFNN_ENGINE_AUTO};
    double sse = -1;
    const int status = ffnn_train(net, samples, &schedule, &sse);
    check(status == FFNN_OK, "train status", ffnn_simd_name(ffnn_simd_get()),
          status, FFNN_OK);
    return status == FFNN_OK ? sse : -1;
}

/* Samples of inputs (or pixels) and targets (or labels); NULL for none. */
static ffnn_samples FN(samples)(size_t rows, const uint8_t *pixels,
                                const REAL *inputs, const REAL *targets,
                                const int64_t *labels)
{
    ffnn_samples samples;
    samples.rows = rows;
    samples.pixels = pixels;
    samples.inputs = inputs;
    samples.background = NAN;
    samples.targets = targets;
    samples.labels = labels;
    return samples;
}

/* Exact, hand-checked values on 2 x 2 cases and a one-weight network. */
static void FN(test_by_hand)(const char *level)
{
    const REAL w[4] = {1, 2, 3, 4}, ones[2] = {1, 1};
    const REAL a[2] = {1, -1}, b[2] = {1, 2};
    const REAL edges[3] = {0, -1000, 1000};
    const REAL half[1] = {(REAL)0.5};
    REAL y[4], u[4] = {1, 2, 3, 4};

    KERNELS->matvec(2, 2, w, ones, y); /* [1 2; 3 4] [1 1]' = [3 7]' */
    FN(check_close)("matvec 2x2 by hand", level, y[0], 3, 0);
    FN(check_close)("matvec 2x2 by hand", level, y[1], 7, 0);
    KERNELS->matvec_t(2, 2, w, ones, y); /* [1 3; 2 4] [1 1]' = [4 6]' */
    FN(check_close)("matvec_t 2x2 by hand", level, y[0], 4, 0);
    FN(check_close)("matvec_t 2x2 by hand", level, y[1], 6, 0);
    KERNELS->outer_update(2, 2, u, 2, a, b); /* + 2 [1 2; -1 -2] */
    FN(check_close)("outer_update by hand", level, u[0], 3, 0);
    FN(check_close)("outer_update by hand", level, u[1], 6, 0);
    FN(check_close)("outer_update by hand", level, u[2], 1, 0);
    FN(check_close)("outer_update by hand", level, u[3], 0, 0);
    FN(ffnn_sigmoid)(3, edges, y); /* finite at the extremes */
    FN(check_close)("sigmoid(0)", level, y[0], 0.5, 0);
    FN(check_close)("sigmoid(-1000)", level, y[1], 0, 0);
    FN(check_close)("sigmoid(1000)", level, y[2], 1, 0);
    FN(ffnn_logit)(1, half, y);
    FN(check_close)("logit(0.5)", level, y[0], 0, 0);

    {
        /* 1 -> 1 network, w = 0: o = 0.5, e = 0.99 - 0.5 = 0.49. */
        const size_t sizes[2] = {1, 1};
        const REAL x[1] = {1}, t[1] = {(REAL)0.99};
        REAL w1[1] = {0}, out[1];
        REAL *ws[1] = {w1};
        ffnn_net *net = FN(net_of)(1, sizes, ws, NULL, 1);
        const ffnn_samples one = FN(samples)(1, NULL, x, t, NULL);
        const double sq = FN(train)(net, &one, NULL, 1, 1, FFNN_RULE_BOOK);
        FN(check_close)("train squared error by hand", level, (REAL)sq,
                        0.2401, 8 * EPS);
        /* delta = 0.49 * 0.5 * 0.5 */
        FN(check_close)("train book by hand", level, w1[0], 0.1225, 8 * EPS);
        w1[0] = 0;
        FN(train)(net, &one, NULL, 1, 1, FFNN_RULE_CROSS_ENTROPY);
        FN(check_close)("train cross-entropy by hand", level, w1[0], 0.49,
                        8 * EPS);
        w1[0] = 0;
        check(ffnn_query(net, &one, out) == FFNN_OK, "query status", level, 0,
              0);
        FN(check_close)("query by hand", level, out[0], 0.5, 0);
        ffnn_net_free(net);
    }
    {
        /* W = [1 -1], target sigmoid(1): logit gives 1, W^T 1 = [1 -1],
           rescaled to [0.99 0.01]. */
        const size_t sizes[2] = {2, 1};
        REAL w1[2] = {1, -1}, image[2];
        REAL *ws[1] = {w1};
        ffnn_net *net = FN(net_of)(1, sizes, ws, NULL, 1);
        const REAL t[1] = {(REAL)ref_sigmoid(1)};
        check(ffnn_backquery(net, t, image) == FFNN_OK, "backquery status",
              level, 0, 0);
        FN(check_close)("backquery by hand", level, image[0], 0.99, 8 * EPS);
        FN(check_close)("backquery by hand", level, image[1], 0.01, 8 * EPS);
        ffnn_net_free(net);
    }
}

/* matvec, matvec_t and outer_update on every pair of odd sizes. */
static void FN(test_matrix_kernels)(const char *level)
{
    for (size_t i = 0; i < N_SIZES; i++)
        for (size_t j = 0; j < N_SIZES; j++) {
            const size_t rows = SIZES[i], cols = SIZES[j];
            REAL *w = xmalloc(rows * cols, sizeof *w);
            REAL *x = xmalloc(cols, sizeof *x), *y = xmalloc(rows, sizeof *y);
            REAL *e = xmalloc(rows, sizeof *e), *z = xmalloc(cols, sizeof *z);
            REAL *w0 = xmalloc(rows * cols, sizeof *w0);
            const REAL scale = (REAL)0.3;
            FN(fill)(w, rows * cols, -1, 1);
            FN(fill)(x, cols, -1, 1);
            FN(fill)(e, rows, -1, 1);
            memcpy(w0, w, rows * cols * sizeof *w);

            KERNELS->matvec(rows, cols, w, x, y);
            for (size_t r = 0; r < rows; r++) {
                double s = 0, mag = 0;
                for (size_t c = 0; c < cols; c++) {
                    s += (double)w[r * cols + c] * x[c];
                    mag += fabs((double)w[r * cols + c] * x[c]);
                }
                FN(check_close)("matvec", level, y[r], s,
                                2 * (double)(cols + 2) * EPS * mag);
            }
            KERNELS->matvec_t(rows, cols, w, e, z);
            for (size_t c = 0; c < cols; c++) {
                double s = 0, mag = 0;
                for (size_t r = 0; r < rows; r++) {
                    s += (double)w[r * cols + c] * e[r];
                    mag += fabs((double)w[r * cols + c] * e[r]);
                }
                FN(check_close)("matvec_t", level, z[c], s,
                                2 * (double)(rows + 2) * EPS * mag);
            }
            KERNELS->outer_update(rows, cols, w, scale, e, x);
            for (size_t r = 0; r < rows; r++)
                for (size_t c = 0; c < cols; c++) {
                    const double step = (double)scale * e[r] * x[c];
                    const double old = w0[r * cols + c];
                    FN(check_close)("outer_update", level, w[r * cols + c],
                                    old + step,
                                    4 * EPS * (fabs(old) + fabs(step)));
                }
            free(w), free(x), free(y), free(e), free(z), free(w0);
        }
}

/* sigmoid and logit, in place and out of place, on every size. */
static void FN(test_elementwise)(const char *level)
{
    for (size_t i = 0; i < N_SIZES; i++) {
        const size_t n = SIZES[i];
        REAL *x = xmalloc(n, sizeof *x), *y = xmalloc(n, sizeof *y);
        REAL *p = xmalloc(n, sizeof *p);
        FN(fill)(x, n, -30, 30);
        FN(fill)(p, n, 0.001, 0.999);
        FN(ffnn_sigmoid)(n, x, y);
        for (size_t k = 0; k < n; k++) {
            const double want = ref_sigmoid(x[k]);
            FN(check_close)("sigmoid", level, y[k], want,
                            8 * EPS * want + DBL_MIN);
        }
        FN(ffnn_sigmoid)(n, x, x); /* y may alias x */
        for (size_t k = 0; k < n; k++)
            FN(check_close)("sigmoid in place", level, x[k], y[k], 0);
        FN(ffnn_logit)(n, p, y);
        for (size_t k = 0; k < n; k++) {
            const double want = log((double)p[k] / (1 - (double)p[k]));
            /* x / (1 - x) rounds once or twice before the log. */
            FN(check_close)("logit", level, y[k], want,
                            8 * EPS * (1 + fabs(want)));
        }
        FN(ffnn_logit)(n, p, p);
        for (size_t k = 0; k < n; k++)
            FN(check_close)("logit in place", level, p[k], y[k], 0);
        free(x), free(y), free(p);
    }
}

/* A random network of the given sizes, as REAL and as double copies. */
struct FN(net) {
    size_t n_layers;
    const size_t *sizes;
    REAL *w[MAX_LAYERS];
    double *ref[MAX_LAYERS]; /* the same weights, for the reference */
    double *o[MAX_LAYERS + 1], *e[MAX_LAYERS + 1], *d[MAX_LAYERS + 1];
    ffnn_net *net; /* the network object over w, on one thread */
};

static void FN(net_init)(struct FN(net) *net, const size_t *sizes)
{
    size_t n = 0;
    while (sizes[n + 1] != 0)
        n++;
    net->n_layers = n;
    net->sizes = sizes;
    for (size_t k = 0; k <= n; k++) {
        net->o[k] = xmalloc(sizes[k], sizeof(double));
        net->e[k] = xmalloc(sizes[k], sizeof(double));
        net->d[k] = xmalloc(sizes[k], sizeof(double));
    }
    for (size_t k = 0; k < n; k++) {
        const size_t count = sizes[k + 1] * sizes[k];
        const double spread = 1 / sqrt((double)sizes[k]);
        net->w[k] = xmalloc(count, sizeof(REAL));
        net->ref[k] = xmalloc(count, sizeof(double));
        FN(fill)(net->w[k], count, -spread, spread);
        for (size_t i = 0; i < count; i++)
            net->ref[k][i] = net->w[k][i];
    }
    net->net = FN(net_of)(n, sizes, net->w, NULL, 1);
}

static void FN(net_free)(struct FN(net) *net)
{
    for (size_t k = 0; k <= net->n_layers; k++)
        free(net->o[k]), free(net->e[k]), free(net->d[k]);
    for (size_t k = 0; k < net->n_layers; k++)
        free(net->w[k]), free(net->ref[k]);
    ffnn_net_free(net->net);
}

/* Each weight against the reference, relative to the largest weight step
   of its matrix; `before` holds the weights before training. */
static void FN(check_weights)(const struct FN(net) *net, double **before,
                              const char *what, const char *level)
{
    for (size_t k = 0; k < net->n_layers; k++) {
        const size_t count = net->sizes[k + 1] * net->sizes[k];
        double step = 0;
        for (size_t i = 0; i < count; i++)
            step = fmax(step, fabs(net->ref[k][i] - before[k][i]));
        for (size_t i = 0; i < count; i++)
            FN(check_close)(what, level, net->w[k][i], net->ref[k][i],
                            NET_TOL * step + 4 * EPS * fabs(net->ref[k][i]));
    }
}

static void FN(save_weights)(const struct FN(net) *net, double **copy)
{
    for (size_t k = 0; k < net->n_layers; k++) {
        const size_t count = net->sizes[k + 1] * net->sizes[k];
        copy[k] = xmalloc(count, sizeof(double));
        memcpy(copy[k], net->ref[k], count * sizeof(double));
    }
}

static void FN(free_weights)(size_t n_layers, double **copy)
{
    for (size_t k = 0; k < n_layers; k++)
        free(copy[k]);
}

/* Training (one step, then a schedule, from inputs and targets or from
   pixels and labels), query (inputs and pixels), backquery, and gradients
   from pixels and labels against those of their scaled inputs and targets. */
static void FN(test_network)(const size_t *sizes, int rule, const char *level)
{
    enum { N_SAMPLES = 4, COUNT = 6 };
    const int64_t order[COUNT] = {2, 0, 3, 2, 1, 0}; /* repeats allowed */
    struct FN(net) net;
    double *before[MAX_LAYERS];
    FN(net_init)(&net, sizes);
    const size_t n_layers = net.n_layers, n_in = sizes[0];
    const size_t n_out = sizes[n_layers];
    REAL *inputs = xmalloc(N_SAMPLES * n_in, sizeof(REAL));
    REAL *targets = xmalloc(N_SAMPLES * n_out, sizeof(REAL));
    REAL *outputs = xmalloc(N_SAMPLES * n_out, sizeof(REAL));
    uint8_t *pixels = xmalloc(N_SAMPLES * n_in, 1);
    int64_t labels[N_SAMPLES];
    double *t = xmalloc(n_out, sizeof(double));
    FN(fill)(inputs, N_SAMPLES * n_in, 0.01, 1);
    FN(fill)(targets, N_SAMPLES * n_out, 0.01, 0.99);
    for (size_t i = 0; i < N_SAMPLES * n_in; i++)
        pixels[i] = (uint8_t)uniform(0, 256);
    for (size_t s = 0; s < N_SAMPLES; s++)
        labels[s] = (int64_t)uniform(0, (double)n_out);

    /* One step on sample 0. */
    FN(save_weights)(&net, before);
    for (size_t c = 0; c < n_in; c++)
        net.o[0][c] = inputs[c];
    for (size_t j = 0; j < n_out; j++)
        t[j] = targets[j];
    {
        const double want = ref_train_step(n_layers, sizes, net.ref, 0.3, rule,
                                           net.o, net.e, net.d, t);
        const ffnn_samples rows = FN(samples)(N_SAMPLES, NULL, inputs, targets,
                                              NULL);
        const double got = FN(train)(net.net, &rows, NULL, 1, 0.3, rule);
        FN(check_close)("train one step squared error", level, (REAL)got,
                        want, NET_TOL * want + EPS);
        FN(check_weights)(&net, before, "train one step weights", level);
    }
    FN(free_weights)(n_layers, before);

    /* Inputs and targets given as rows. */
    FN(save_weights)(&net, before);
    {
        double want = 0, got;
        for (size_t s = 0; s < COUNT; s++) {
            const size_t i = (size_t)order[s];
            for (size_t c = 0; c < n_in; c++)
                net.o[0][c] = inputs[i * n_in + c];
            for (size_t j = 0; j < n_out; j++)
                t[j] = targets[i * n_out + j];
            want += ref_train_step(n_layers, sizes, net.ref, 0.3, rule, net.o,
                                   net.e, net.d, t);
        }
        const ffnn_samples rows = FN(samples)(N_SAMPLES, NULL, inputs, targets,
                                              NULL);
        got = FN(train)(net.net, &rows, order, COUNT, 0.3, rule);
        FN(check_close)("train(inputs) error sum", level, (REAL)got, want,
                        NET_TOL * want + EPS);
        FN(check_weights)(&net, before, "train(inputs) weights", level);
    }
    FN(free_weights)(n_layers, before);

    /* Pixels scaled as the book does, targets built from labels. */
    FN(save_weights)(&net, before);
    {
        double want = 0, got;
        for (size_t s = 0; s < COUNT; s++) {
            const size_t i = (size_t)order[s];
            for (size_t c = 0; c < n_in; c++)
                net.o[0][c] = pixels[i * n_in + c] / 255.0 * 0.99 + 0.01;
            for (size_t j = 0; j < n_out; j++)
                t[j] = (int64_t)j == labels[i] ? 0.99 : 0.01;
            want += ref_train_step(n_layers, sizes, net.ref, 0.3, rule, net.o,
                                   net.e, net.d, t);
        }
        const ffnn_samples rows = FN(samples)(N_SAMPLES, pixels, NULL, NULL,
                                              labels);
        got = FN(train)(net.net, &rows, order, COUNT, 0.3, rule);
        FN(check_close)("train(pixels) error sum", level, (REAL)got, want,
                        NET_TOL * want + EPS);
        FN(check_weights)(&net, before, "train(pixels) weights", level);
    }
    FN(free_weights)(n_layers, before);

    /* Query every sample with the trained weights. */
    {
        const ffnn_samples rows = FN(samples)(N_SAMPLES, NULL, inputs, NULL,
                                              NULL);
        check(ffnn_query(net.net, &rows, outputs) == FFNN_OK, "query status",
              level, 0, 0);
    }
    for (size_t s = 0; s < N_SAMPLES; s++) {
        for (size_t c = 0; c < n_in; c++)
            net.o[0][c] = inputs[s * n_in + c];
        ref_forward(n_layers, sizes, net.ref, net.o);
        for (size_t j = 0; j < n_out; j++)
            FN(check_close)("query", level, outputs[s * n_out + j],
                            net.o[n_layers][j], NET_TOL);
    }

    /* Pixels and labels are the book's inputs and targets exactly: query
       and gradients from them give the bits of the scaled inputs and the
       one-hot targets. */
    {
        REAL *scaled = xmalloc(N_SAMPLES * n_in, sizeof(REAL));
        REAL *one_hot = xmalloc(N_SAMPLES * n_out, sizeof(REAL));
        REAL *from_pixels = xmalloc(N_SAMPLES * n_out, sizeof(REAL));
        REAL *grads[2][MAX_LAYERS];
        const ffnn_samples raw = FN(samples)(N_SAMPLES, pixels, NULL, NULL,
                                             labels);
        ffnn_samples cooked;
        for (size_t i = 0; i < N_SAMPLES * n_in; i++)
            scaled[i] = (REAL)pixels[i];
        check(ffnn_scale_pixels(DTYPE, N_SAMPLES * n_in, scaled, scaled) ==
                      FFNN_OK &&
                  ffnn_one_hot(DTYPE, N_SAMPLES, n_out, labels, one_hot,
                               NULL) == FFNN_OK,
              "scale_pixels and one_hot status", level, 0, 0);
        cooked = FN(samples)(N_SAMPLES, NULL, scaled, one_hot, NULL);
        check(ffnn_query(net.net, &raw, from_pixels) == FFNN_OK &&
                  ffnn_query(net.net, &cooked, outputs) == FFNN_OK &&
                  memcmp(from_pixels, outputs,
                         N_SAMPLES * n_out * sizeof(REAL)) == 0,
              "query(pixels) bitwise query(scaled inputs)", level, 0, 0);
        for (size_t g = 0; g < 2; g++)
            for (size_t k = 0; k < n_layers; k++)
                grads[g][k] = xmalloc(sizes[k + 1] * sizes[k], sizeof(REAL));
        check(ffnn_gradients(net.net, rule, &raw, (void *const *)grads[0],
                             NULL) == FFNN_OK &&
                  ffnn_gradients(net.net, rule, &cooked,
                                 (void *const *)grads[1], NULL) == FFNN_OK,
              "gradients status", level, 0, 0);
        for (size_t k = 0; k < n_layers; k++) {
            check(memcmp(grads[0][k], grads[1][k],
                         sizes[k + 1] * sizes[k] * sizeof(REAL)) == 0,
                  "gradients(pixels, labels) bitwise", level, 0, 0);
            free(grads[0][k]), free(grads[1][k]);
        }
        free(scaled), free(one_hot), free(from_pixels);
    }

    /* Backquery the first target row; image reuses `inputs`. */
    {
        const REAL *target = targets;
        for (size_t j = 0; j < n_out; j++)
            t[j] = target[j];
        ref_backquery(n_layers, sizes, net.ref, t, net.o);
        check(ffnn_backquery(net.net, target, inputs) == FFNN_OK,
              "backquery status", level, 0, 0);
        for (size_t c = 0; c < n_in; c++)
            FN(check_close)("backquery", level, inputs[c], net.o[0][c],
                            NET_TOL);
    }

    free(inputs), free(targets), free(outputs), free(pixels), free(t);
    FN(net_free)(&net);
}

/* ffnn_gradients: the sum over samples of -f * delta_k outer o_{k-1}, with
   the deltas of ref_train_step (lr = 0 leaves the weights alone) and f = 2
   for MSE (its 2 folded into the book's learning rate), 1 otherwise. */
static void FN(test_gradients)(const size_t *sizes, int rule,
                               const char *level)
{
    enum { N = 3 };
    struct FN(net) net;
    FN(net_init)(&net, sizes);
    const size_t n_layers = net.n_layers, n_in = sizes[0];
    const size_t n_out = sizes[n_layers];
    const double f = rule == FFNN_RULE_MSE ? 2 : 1;
    REAL *inputs = xmalloc(N * n_in, sizeof(REAL));
    REAL *targets = xmalloc(N * n_out, sizeof(REAL));
    REAL *grads[MAX_LAYERS];
    double *want[MAX_LAYERS], *t = xmalloc(n_out, sizeof(double));
    FN(fill)(inputs, N * n_in, 0.01, 1);
    FN(fill)(targets, N * n_out, 0.01, 0.99);
    for (size_t k = 0; k < n_layers; k++) {
        grads[k] = xmalloc(sizes[k + 1] * sizes[k], sizeof(REAL));
        want[k] = xmalloc(sizes[k + 1] * sizes[k], sizeof(double));
    }
    for (size_t s = 0; s < N; s++) {
        for (size_t c = 0; c < n_in; c++)
            net.o[0][c] = inputs[s * n_in + c];
        for (size_t j = 0; j < n_out; j++)
            t[j] = targets[s * n_out + j];
        ref_train_step(n_layers, sizes, net.ref, 0, rule, net.o, net.e, net.d,
                       t);
        for (size_t k = 0; k < n_layers; k++)
            for (size_t r = 0; r < sizes[k + 1]; r++)
                for (size_t c = 0; c < sizes[k]; c++)
                    want[k][r * sizes[k] + c] -=
                        f * net.d[k + 1][r] * net.o[k][c];
    }
    {
        const ffnn_samples rows = FN(samples)(N, NULL, inputs, targets, NULL);
        check(ffnn_gradients(net.net, rule, &rows, (void *const *)grads,
                             NULL) == FFNN_OK,
              "gradients status", level, 0, 0);
    }
    for (size_t k = 0; k < n_layers; k++) {
        const size_t count = sizes[k + 1] * sizes[k];
        double scale = 0;
        for (size_t i = 0; i < count; i++)
            scale = fmax(scale, fabs(want[k][i]));
        for (size_t i = 0; i < count; i++)
            FN(check_close)("gradients", level, grads[k][i], want[k][i],
                            NET_TOL * scale);
        free(grads[k]), free(want[k]);
    }
    free(inputs), free(targets), free(t);
    FN(net_free)(&net);
}

/* all_finite on every size, with one NaN or infinity at the first, middle
   or last place (so remainder loops are covered), and on nothing. */
static void FN(test_all_finite)(const char *level)
{
    const REAL bad[2] = {(REAL)NAN, (REAL)INFINITY};
    check(FN(ffnn_all_finite)(0, bad) == 1, "all_finite of nothing", level,
          0, 1);
    for (size_t i = 0; i < N_SIZES; i++) {
        const size_t n = SIZES[i], places[3] = {0, n / 2, n - 1};
        REAL *x = xmalloc(n, sizeof *x);
        FN(fill)(x, n, -1e30, 1e30);
        check(FN(ffnn_all_finite)(n, x) == 1, "all_finite of finite values",
              level, 0, 1);
        for (size_t b = 0; b < 2; b++)
            for (size_t p = 0; p < 3; p++) {
                const REAL keep = x[places[p]];
                x[places[p]] = bad[b];
                check(FN(ffnn_all_finite)(n, x) == 0,
                      b ? "all_finite sees an infinity"
                        : "all_finite sees a NaN",
                      level, (double)places[p], 0);
                x[places[p]] = keep;
            }
        free(x);
    }
}

/* update_matvec: W += scale (a outer b), then y = W x with the new W. */
static void FN(test_update_matvec)(const char *level)
{
    for (size_t i = 0; i < N_SIZES; i++)
        for (size_t j = 0; j < N_SIZES; j++) {
            const size_t rows = SIZES[i], cols = SIZES[j];
            REAL *w = xmalloc(rows * cols, sizeof(REAL));
            REAL *w0 = xmalloc(rows * cols, sizeof(REAL));
            REAL *a = xmalloc(rows, sizeof(REAL));
            REAL *y = xmalloc(rows, sizeof(REAL));
            REAL *b = xmalloc(cols, sizeof(REAL));
            REAL *x = xmalloc(cols, sizeof(REAL));
            const REAL scale = (REAL)0.3;
            FN(fill)(w, rows * cols, -1, 1);
            FN(fill)(a, rows, -1, 1);
            FN(fill)(b, cols, -1, 1);
            FN(fill)(x, cols, -1, 1);
            memcpy(w0, w, rows * cols * sizeof(REAL));
            KERNELS->update_matvec(rows, cols, w, scale, a, b, x, y);
            for (size_t r = 0; r < rows; r++) {
                double s = 0, mag = 0;
                for (size_t c = 0; c < cols; c++) {
                    const double old = w0[r * cols + c];
                    const double step = (double)scale * a[r] * b[c];
                    FN(check_close)("update_matvec weights", level,
                                    w[r * cols + c], old + step,
                                    4 * EPS * (fabs(old) + fabs(step)));
                    s += (double)w[r * cols + c] * x[c];
                    mag += fabs((double)w[r * cols + c] * x[c]);
                }
                FN(check_close)("update_matvec product", level, y[r], s,
                                2 * (double)(cols + 2) * EPS * mag);
            }
            free(w), free(w0), free(a), free(y), free(b), free(x);
        }
}

/* A net on two threads (or set to two) trains and queries bitwise as one
   on one thread. */
static void FN(test_pool)(const size_t *sizes, int rule, const char *level)
{
    enum { N_SAMPLES = 5, COUNT = 7 };
    const int64_t order[COUNT] = {4, 1, 0, 3, 2, 1, 4};
    struct FN(net) one, two;
    FN(net_init)(&one, sizes);
    FN(net_init)(&two, sizes);
    const size_t n_layers = one.n_layers, n_in = sizes[0];
    const size_t n_out = sizes[n_layers];
    REAL *inputs = xmalloc(N_SAMPLES * n_in, sizeof(REAL));
    REAL *targets = xmalloc(N_SAMPLES * n_out, sizeof(REAL));
    REAL *out1 = xmalloc(N_SAMPLES * n_out, sizeof(REAL));
    REAL *out2 = xmalloc(N_SAMPLES * n_out, sizeof(REAL));
    const ffnn_samples rows = FN(samples)(N_SAMPLES, NULL, inputs, targets,
                                          NULL);
    double e1, e2;
    check(ffnn_net_set_threads(two.net, 2) == FFNN_OK &&
              ffnn_net_threads(two.net) == 2,
          "set_threads(2)", level, 0, 0);
    FN(fill)(inputs, N_SAMPLES * n_in, 0.01, 1);
    FN(fill)(targets, N_SAMPLES * n_out, 0.01, 0.99);
    for (size_t k = 0; k < n_layers; k++)
        memcpy(two.w[k], one.w[k], sizes[k + 1] * sizes[k] * sizeof(REAL));
    e1 = FN(train)(one.net, &rows, order, COUNT, 0.3, rule);
    e2 = FN(train)(two.net, &rows, order, COUNT, 0.3, rule);
    check(e1 == e2, "train on 2 threads error sum", level, e2, e1);
    for (size_t k = 0; k < n_layers; k++)
        for (size_t i = 0; i < sizes[k + 1] * sizes[k]; i++)
            FN(check_close)("train on 2 threads weights", level, two.w[k][i],
                            one.w[k][i], 0);
    ffnn_query(one.net, &rows, out1);
    ffnn_query(two.net, &rows, out2);
    for (size_t i = 0; i < N_SAMPLES * n_out; i++)
        FN(check_close)("query on 2 threads", level, out2[i], out1[i], 0);
    check(ffnn_net_set_threads(two.net, 1) == FFNN_OK &&
              ffnn_query(two.net, &rows, out2) == FFNN_OK,
          "set_threads(1)", level, 0, 0);
    for (size_t i = 0; i < N_SAMPLES * n_out; i++)
        FN(check_close)("query back on 1 thread", level, out2[i], out1[i], 0);
    free(inputs), free(targets), free(out1), free(out2);
    FN(net_free)(&one);
    FN(net_free)(&two);
}

/* A 3 x 3 picture turned by quarter turns moves its pixels exactly; 45
   degrees sends the corners off the picture. */
static void FN(test_rotate_by_hand)(const char *level)
{
    static const double turns[][2] = {{0, 0}, {90, 1}, {180, 2}, {270, 3},
                                      {-90, 3}, {450, 1}};
    const REAL image[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    REAL out[9], one[1] = {0};
    for (size_t t = 0; t < sizeof turns / sizeof turns[0]; t++) {
        /* Each quarter turn counter-clockwise: new[r][c] = old[c][2 - r]. */
        REAL want[9], turned[9];
        memcpy(want, image, sizeof want);
        for (int q = 0; q < (int)turns[t][1]; q++) {
            for (size_t r = 0; r < 3; r++)
                for (size_t c = 0; c < 3; c++)
                    turned[r * 3 + c] = want[c * 3 + (2 - r)];
            memcpy(want, turned, sizeof want);
        }
        check(FN(ffnn_rotate)(1, 3, 3, turns[t][0], -1, image, out) == FFNN_OK,
              "rotate returns 0", level, 0, 0);
        for (size_t k = 0; k < 9; k++)
            FN(check_close)("rotate by quarter turns", level, out[k], want[k],
                            0);
    }
    FN(ffnn_rotate)(1, 3, 3, 45, -1, image, out);
    FN(check_close)("rotate 45: corner to background", level, out[0], -1, 0);
    FN(check_close)("rotate 45: corner to background", level, out[8], -1, 0);
    FN(check_close)("rotate 45: centre stays", level, out[4], 5, 4 * EPS);
    /* n = 0 writes nothing; a table too large to count fails cleanly. */
    check(FN(ffnn_rotate)(0, 3, 3, 10, 0, image, one) == FFNN_OK && one[0] == 0,
          "rotate of no images", level, one[0], 0);
    check(FN(ffnn_rotate)(1, SIZE_MAX / 2, 3, 10, 0, image, one) == FFNN_ERROR_MEMORY &&
              one[0] == 0,
          "rotate refuses an overflowing size", level, one[0], 0);
}

/* Random pictures of odd and MNIST sizes, two per call, at angles that are
   not quarter turns, against ref_rotate_pixel. */
static void FN(test_rotate)(const char *level)
{
    static const size_t shapes[][2] = {{1, 1}, {1, 17}, {3, 3}, {17, 3},
                                       {28, 28}, {17, 785}};
    static const double angles[] = {10, -10, 33.3, -45, 100, 135.5, 250, 1e-7};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t a = 0; a < sizeof angles / sizeof angles[0]; a++) {
            const size_t rows = shapes[s][0], cols = shapes[s][1];
            const size_t plane = rows * cols;
            /* Source points are computed in double, off by about eps times
               their distance from the centre, on top of the final rounding. */
            const double tol =
                8 * EPS + 4 * (double)(rows + cols) * DBL_EPSILON;
            REAL *images = xmalloc(2 * plane, sizeof(REAL));
            REAL *out = xmalloc(2 * plane, sizeof(REAL));
            double *ref = xmalloc(plane, sizeof(double));
            FN(fill)(images, 2 * plane, 0, 1);
            check(FN(ffnn_rotate)(2, rows, cols, angles[a], (REAL)0.01,
                                  images, out) == FFNN_OK,
                  "rotate returns FFNN_OK", level, 0, 0);
            for (size_t i = 0; i < 2; i++) {
                for (size_t k = 0; k < plane; k++)
                    ref[k] = images[i * plane + k];
                for (size_t r = 0; r < rows; r++)
                    for (size_t c = 0; c < cols; c++)
                        FN(check_close)("rotate", level,
                                        out[i * plane + r * cols + c],
                                        ref_rotate_pixel(rows, cols, angles[a],
                                                         (REAL)0.01, ref, r, c),
                                        tol);
            }
            free(images), free(out), free(ref);
        }
}

/* Bias nodes. A one-layer network with biases b is one without, with an
   input fixed at 1 whose weight column is b; its backquery is the plain one
   of sigmoid(logit(t) - b). The whole network trains and queries bitwise
   alike on 1 and 2 threads. */
static void FN(test_biases)(const size_t *sizes, int rule, const char *level)
{
    enum { N = 3 };
    const size_t n = sizes[0], m = sizes[1], one[] = {n, m, 0},
                 wide[] = {n + 1, m, 0};
    const int64_t order[N] = {2, 0, 1};
    struct FN(net) a, b, c, d;
    REAL *x = xmalloc(N * (n + 1), sizeof(REAL)),
         *xs = xmalloc(N * n, sizeof(REAL));
    REAL *t = xmalloc(N * m, sizeof(REAL)), *bias = xmalloc(m, sizeof(REAL));
    REAL *o1 = xmalloc(N * m, sizeof(REAL)), *o2 = xmalloc(N * m, sizeof(REAL));
    REAL *g = xmalloc(n * m, sizeof(REAL)), *gb = xmalloc(m, sizeof(REAL));
    REAL *gw = xmalloc((n + 1) * m, sizeof(REAL));
    REAL *image = xmalloc(n, sizeof(REAL)), *image2 = xmalloc(n, sizeof(REAL));
    REAL *bs[MAX_LAYERS], *bs2[MAX_LAYERS];
    FN(net_init)(&a, one);
    FN(net_init)(&b, wide);
    FN(fill)(bias, m, -1, 1);
    FN(fill)(t, N * m, 0.01, 0.99);
    for (size_t s = 0; s < N; s++) {
        FN(fill)(xs + s * n, n, 0.01, 1);
        memcpy(x + s * (n + 1), xs + s * n, n * sizeof(REAL));
        x[s * (n + 1) + n] = 1;
    }
    for (size_t r = 0; r < m; r++) {
        memcpy(b.w[0] + r * (n + 1), a.w[0] + r * n, n * sizeof(REAL));
        b.w[0][r * (n + 1) + n] = bias[r];
    }
    {
        ffnn_net *biased = FN(net_of)(1, one, a.w, &bias, 1);
        const ffnn_samples plain = FN(samples)(N, NULL, xs, t, NULL);
        const ffnn_samples widened = FN(samples)(N, NULL, x, t, NULL);
        REAL *bias_grads[1] = {gb};
        ffnn_query(biased, &plain, o1);
        ffnn_query(b.net, &widened, o2);
        for (size_t i = 0; i < N * m; i++)
            FN(check_close)("biased query", level, o1[i], o2[i], NET_TOL);
        ffnn_gradients(biased, rule, &plain, (void *const *)&g,
                       (void *const *)bias_grads);
        ffnn_gradients(b.net, rule, &widened, (void *const *)&gw, NULL);
        for (size_t r = 0; r < m; r++) {
            FN(check_close)("biased gradients bias", level, gb[r],
                            gw[r * (n + 1) + n], NET_TOL);
            for (size_t c = 0; c < n; c++)
                FN(check_close)("biased gradients weight", level,
                                g[r * n + c], gw[r * (n + 1) + c], NET_TOL);
        }
        check(ffnn_gradients(b.net, rule, &widened, (void *const *)&gw,
                             (void *const *)bias_grads) == FFNN_ERROR_ARGUMENT,
              "bias gradients of a net without biases refused", level, 0, 0);
        /* Sample by sample, as train() does. */
        for (size_t s = 0; s < N; s++) {
            const int64_t at = (int64_t)s;
            FN(train)(biased, &plain, &at, 1, 0.3, rule);
            FN(train)(b.net, &widened, &at, 1, 0.3, rule);
        }
        for (size_t r = 0; r < m; r++) {
            FN(check_close)("biased train bias", level, bias[r],
                            b.w[0][r * (n + 1) + n], NET_TOL);
            for (size_t c = 0; c < n; c++)
                FN(check_close)("biased train weight", level,
                                a.w[0][r * n + c], b.w[0][r * (n + 1) + c],
                                NET_TOL);
        }
        ffnn_backquery(biased, t, image);
        for (size_t r = 0; r < m; r++)
            o1[r] = (REAL)ref_sigmoid(log(t[r] / (1 - t[r])) - bias[r]);
        ffnn_backquery(a.net, o1, image2);
        for (size_t c = 0; c < n; c++)
            FN(check_close)("biased backquery", level, image[c], image2[c],
                            NET_TOL);
        ffnn_net_free(biased);
    }
    /* The whole network, biases on 1 and 2 threads. */
    FN(net_init)(&c, sizes);
    FN(net_init)(&d, sizes);
    for (size_t k = 0; k < c.n_layers; k++) {
        memcpy(d.w[k], c.w[k], sizes[k + 1] * sizes[k] * sizeof(REAL));
        bs[k] = xmalloc(sizes[k + 1], sizeof(REAL));
        bs2[k] = xmalloc(sizes[k + 1], sizeof(REAL));
        FN(fill)(bs[k], sizes[k + 1], -1, 1);
        memcpy(bs2[k], bs[k], sizes[k + 1] * sizeof(REAL));
    }
    {
        const size_t L = c.n_layers, n_out = sizes[L];
        REAL *in = xmalloc(N * n, sizeof(REAL)),
             *tt = xmalloc(N * n_out, sizeof(REAL));
        REAL *q1 = xmalloc(N * n_out, sizeof(REAL)),
             *q2 = xmalloc(N * n_out, sizeof(REAL));
        ffnn_net *one_thread = FN(net_of)(L, sizes, c.w, bs, 1);
        ffnn_net *two_threads = FN(net_of)(L, sizes, d.w, bs2, 2);
        const ffnn_samples rows = FN(samples)(N, NULL, in, tt, NULL);
        double e1, e2;
        FN(fill)(in, N * n, 0.01, 1);
        FN(fill)(tt, N * n_out, 0.01, 0.99);
        e1 = FN(train)(one_thread, &rows, order, N, 0.3, rule);
        e2 = FN(train)(two_threads, &rows, order, N, 0.3, rule);
        check(e1 == e2, "biased train on 2 threads error sum", level, e2, e1);
        for (size_t k = 0; k < L; k++) {
            check(memcmp(c.w[k], d.w[k],
                         sizes[k + 1] * sizes[k] * sizeof(REAL)) == 0 &&
                      memcmp(bs[k], bs2[k], sizes[k + 1] * sizeof(REAL)) == 0,
                  "biased train on 2 threads bitwise", level, 0, 0);
        }
        ffnn_query(one_thread, &rows, q1);
        ffnn_query(two_threads, &rows, q2);
        check(memcmp(q1, q2, N * n_out * sizeof(REAL)) == 0,
              "biased query on 2 threads bitwise", level, 0, 0);
        ffnn_net_free(one_thread);
        ffnn_net_free(two_threads);
        free(in), free(tt), free(q1), free(q2);
    }
    for (size_t k = 0; k < c.n_layers; k++)
        free(bs[k]), free(bs2[k]);
    FN(net_free)(&a), FN(net_free)(&b), FN(net_free)(&c), FN(net_free)(&d);
    free(x), free(xs), free(t), free(bias), free(o1), free(o2), free(g),
        free(gb), free(gw), free(image), free(image2);
}

/* Every status the network object returns, each for the argument that
   causes it, and a bad label or index changing no weight. */
static void FN(test_statuses)(const char *level)
{
    const size_t sizes[4] = {3, 4, 2, 0}, zero[2] = {3, 0};
    const size_t huge[2] = {SIZE_MAX / 2, 3};
    struct FN(net) net;
    REAL inputs[2 * 3] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    REAL targets[2 * 2] = {0.99f, 0.01f, 0.01f, 0.99f}, out[2 * 2];
    const int64_t good[2] = {0, 1}, bad_label[2] = {1, 2};
    const int64_t bad_order[3] = {0, 1, -1}, far_order[2] = {1, 2};
    const ffnn_samples rows = FN(samples)(2, NULL, inputs, targets, NULL);
    ffnn_samples both = rows, no_targets = rows, labelled = rows;
    ffnn_schedule schedule = {bad_order, 3, 0.3, FFNN_RULE_BOOK,
                              FFNN_ENGINE_AUTO};
    ffnn_net *made = NULL;
    REAL first;
    double sse = 0;
    size_t row = 9;
    FN(net_init)(&net, sizes);
    first = net.w[0][0];
    both.pixels = (const uint8_t *)"abcdef";
    no_targets.targets = NULL;
    labelled.targets = NULL;
    labelled.labels = bad_label;

    check(ffnn_train(net.net, &rows, &schedule, &sse) == FFNN_ERROR_INDEX &&
              ffnn_net_failed_row(net.net) == 2 && net.w[0][0] == first,
          "index -1 refused at its position", level,
          (double)ffnn_net_failed_row(net.net), 2);
    schedule.order = far_order;
    schedule.count = 2;
    check(ffnn_train(net.net, &rows, &schedule, NULL) == FFNN_ERROR_INDEX &&
              ffnn_net_failed_row(net.net) == 1,
          "index = rows refused", level, 0, 0);
    schedule.order = NULL;
    schedule.count = 3;
    check(ffnn_train(net.net, &rows, &schedule, NULL) == FFNN_ERROR_INDEX,
          "count beyond rows refused", level, 0, 0);
    schedule.count = 2;
    check(ffnn_train(net.net, &labelled, &schedule, NULL) ==
                  FFNN_ERROR_LABEL &&
              ffnn_net_failed_row(net.net) == 1 && net.w[0][0] == first,
          "label = output nodes refused at its row", level, 0, 0);
    check(ffnn_train(net.net, &both, &schedule, NULL) == FFNN_ERROR_ARGUMENT &&
              ffnn_train(net.net, &no_targets, &schedule, NULL) ==
                  FFNN_ERROR_ARGUMENT &&
              ffnn_query(net.net, &both, out) == FFNN_ERROR_ARGUMENT &&
              ffnn_gradients(net.net, FFNN_RULE_BOOK, &no_targets,
                             (void *const *)net.w, NULL) ==
                  FFNN_ERROR_ARGUMENT,
          "one of pixels and inputs, one of targets and labels", level, 0, 0);
    schedule.engine = FFNN_ENGINE_SPARSE;
    check(ffnn_train(net.net, &rows, &schedule, NULL) == FFNN_ERROR_ENGINE,
          "sparse engine not available", level, 0, 0);
    schedule.engine = 7;
    check(ffnn_train(net.net, &rows, &schedule, NULL) == FFNN_ERROR_ARGUMENT,
          "unknown engine", level, 0, 0);
    schedule.engine = FFNN_ENGINE_DENSE;
    schedule.rule = 7;
    check(ffnn_train(net.net, &rows, &schedule, NULL) == FFNN_ERROR_ARGUMENT &&
              ffnn_gradients(net.net, 7, &rows, (void *const *)net.w, NULL) ==
                  FFNN_ERROR_ARGUMENT &&
              net.w[0][0] == first,
          "unknown rule", level, 0, 0);
    schedule.rule = FFNN_RULE_MSE;
    schedule.count = 0;
    check(ffnn_train(net.net, &rows, &schedule, &sse) == FFNN_OK && sse == 0,
          "no steps", level, sse, 0);
    labelled.labels = good;
    schedule.count = 2;
    check(ffnn_train(net.net, &labelled, &schedule, &sse) == FFNN_OK &&
              sse > 0 && net.w[0][0] != first,
          "labels trained on", level, sse, 1);
    /* A non-finite weight makes every sum after it NaN. */
    net.w[1][0] = (REAL)INFINITY;
    check(ffnn_train(net.net, &rows, &schedule, &sse) ==
                  FFNN_ERROR_NOT_FINITE && sse != sse,
          "infinite weight reported", level, sse, 0);

    check(ffnn_net_create(&made, DTYPE, 1, zero, 0, 1) ==
                  FFNN_ERROR_ARGUMENT && made == NULL &&
              ffnn_net_create(&made, 5, 2, sizes, 0, 1) ==
                  FFNN_ERROR_ARGUMENT &&
              ffnn_net_create(&made, DTYPE, 0, sizes, 0, 1) ==
                  FFNN_ERROR_ARGUMENT &&
              ffnn_net_create(&made, DTYPE, 1, huge, 0, 1) ==
                  FFNN_ERROR_ARGUMENT &&
              ffnn_net_create(NULL, DTYPE, 2, sizes, 0, 1) ==
                  FFNN_ERROR_ARGUMENT,
          "net_create refuses sizes and dtypes", level, 0, 0);
    check(ffnn_net_create(&made, DTYPE, 2, sizes, 0, 0) ==
                  FFNN_ERROR_THREADS &&
              ffnn_net_create(&made, DTYPE, 2, sizes, 0,
                              FFNN_MAX_THREADS + 1) == FFNN_ERROR_THREADS &&
              ffnn_net_set_threads(net.net, 0) == FFNN_ERROR_THREADS &&
              ffnn_net_threads(net.net) == 1 &&
              ffnn_net_set_threads(net.net, 1) == FFNN_OK,
          "threads outside 1 .. FFNN_MAX_THREADS", level, 0, 0);
    check(ffnn_net_create(&made, DTYPE, 2, sizes, 1, 1) == FFNN_OK, "create",
          level, 0, 0);
    check(ffnn_query(made, &rows, out) == FFNN_ERROR_ARGUMENT &&
              ffnn_backquery(made, targets, inputs) == FFNN_ERROR_ARGUMENT &&
              ffnn_net_bind(made, (void *const *)net.w, NULL) ==
                  FFNN_ERROR_ARGUMENT,
          "an unbound net, or one bound without its biases", level, 0, 0);
    ffnn_net_free(made);
    ffnn_net_free(NULL);
    check(ffnn_one_hot(DTYPE, 2, 2, bad_label, out, &row) ==
                  FFNN_ERROR_LABEL &&
              row == 1,
          "one_hot refuses a label at its row", level, (double)row, 1);
    check(ffnn_scale_pixels(9, 1, inputs, inputs) == FFNN_ERROR_ARGUMENT &&
              ffnn_one_hot(9, 1, 2, good, out, NULL) == FFNN_ERROR_ARGUMENT,
          "unknown dtype refused", level, 0, 0);
    FN(net_free)(&net);
}

/* Defined in test_exact_template.h, included after this file. */
static void FN(test_pixel_scaling)(const char *level);
static void FN(test_scalar_exact)(void);

static void FN(run_all)(const char *level)
{
    FN(test_pixel_scaling)(level);
    if (strcmp(level, "scalar") == 0)
        FN(test_scalar_exact)();
    FN(test_by_hand)(level);
    FN(test_matrix_kernels)(level);
    FN(test_update_matvec)(level);
    FN(test_elementwise)(level);
    FN(test_all_finite)(level);
    for (size_t i = 0; i < N_NETWORKS; i++)
        for (size_t r = 0; r < sizeof RULES / sizeof RULES[0]; r++) {
            FN(test_network)(NETWORKS[i], RULES[r], level);
            FN(test_gradients)(NETWORKS[i], RULES[r], level);
            FN(test_pool)(NETWORKS[i], RULES[r], level);
            FN(test_biases)(NETWORKS[i], RULES[r], level);
        }
    FN(test_statuses)(level);
    FN(test_rotate_by_hand)(level);
    FN(test_rotate)(level);
}

#undef KERNELS
#undef NET_TOL
#undef REAL
#undef SUFFIX
#undef EPS
#undef DTYPE
