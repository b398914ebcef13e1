/*
 * The checks of the sparse first layer (csrc/sparse/) for one precision,
 * included by test_sparse.h as csrc/template.h describes, after
 * test_kernels_template.h (whose helpers it uses).
 *
 * Needs: REAL, SUFFIX, EPS, DTYPE, as test_kernels_template.h.
 * Defines, static, with SUFFIX pasted on: run_sparse, which runs every
 *   check of this precision at one level, and the checks it calls.
 * Undefines REAL, SUFFIX, EPS and DTYPE at the end.
 */
#ifndef REAL
#error "test_sparse_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "test_sparse_template.h needs SUFFIX (_f32 or _f64) defined"
#endif
#ifndef EPS
#error "test_sparse_template.h needs EPS (the machine epsilon) defined"
#endif
#ifndef DTYPE
#error "test_sparse_template.h needs DTYPE (FFNN_FLOAT32 or FFNN_FLOAT64) defined"
#endif

#include "template.h"

/* Whole-network results, as test_kernels_template.h holds them. */
#define SPARSE_TOL (4096 * EPS)

/* ffnn_train with an engine; returns the status, *sse the sum. */
static int FN(train_with)(ffnn_net *net, const ffnn_samples *samples,
                          const int64_t *order, size_t count, int rule,
                          int engine, double *sse)
{
    const ffnn_schedule schedule = {order, count, 0.1, rule, engine};
    return ffnn_train(net, samples, &schedule, sse);
}

/* 0, 1, .., rows - 1, 0, 1, ...: count positions. */
static int64_t *FN(cycle)(size_t count, size_t rows)
{
    int64_t *order = xmalloc(count, sizeof(int64_t));
    for (size_t s = 0; s < count; s++)
        order[s] = (int64_t)(s % rows);
    return order;
}

/* rows x n pixels: about one in `one_in` ink (1: all ink, 0: none), with
   the first row blank and the second all ink whenever rows > 2. */
static void FN(fill_pixels)(uint8_t *p, size_t rows, size_t n, int one_in)
{
    for (size_t i = 0; i < rows * n; i++) {
        const int ink = one_in > 0 && uniform(0, 1) * one_in < 1;
        p[i] = (uint8_t)(ink ? 1 + (int)uniform(0, 255) : 0);
    }
    if (rows > 2)
        for (size_t c = 0; c < n; c++)
            p[c] = 0, p[n + c] = (uint8_t)(1 + c % 255);
}

/* A copy of every weight matrix of the net (to compare or restore). */
static void FN(copy_weights)(const struct FN(net) *net, REAL **copy, int back)
{
    for (size_t k = 0; k < net->n_layers; k++) {
        const size_t count = net->sizes[k + 1] * net->sizes[k];
        if (!back)
            copy[k] = xmalloc(count, sizeof(REAL));
        if (back)
            memcpy(net->w[k], copy[k], count * sizeof(REAL));
        else
            memcpy(copy[k], net->w[k], count * sizeof(REAL));
    }
}

/* Bitwise equality of two nets' weights. */
static int FN(same_weights)(const struct FN(net) *a, REAL *const *b)
{
    for (size_t k = 0; k < a->n_layers; k++)
        if (memcmp(a->w[k], b[k], a->sizes[k + 1] * a->sizes[k] * sizeof(REAL)))
            return 0;
    return 1;
}

/* Pixels and labels through the sparse engine against the double
   reference of test_kernels.c, step by step; then the same start on the
   dense engine, on two threads, in several calls and on float inputs with
   their background, each held to what it must equal. */
static void FN(test_sparse_network)(const size_t *sizes, int rule, int one_in,
                                    size_t count, const char *at_level)
{
    char level[96];
    struct FN(net) net;
    double *before[MAX_LAYERS];
    REAL *start[MAX_LAYERS], *sparse[MAX_LAYERS];
    FN(net_init)(&net, sizes);
    const size_t L = net.n_layers, n_in = sizes[0], n_out = sizes[L];
    const size_t rows = 7, fold = FFNN_SPARSE_FOLD;
    snprintf(level, sizeof level, "%s %s %zu-%zu-%zu.. rule %d ink 1/%d, %zu samples",
             at_level, DTYPE == FFNN_FLOAT32 ? "f32" : "f64", sizes[0], sizes[1],
             sizes[2], rule, one_in, count);
    uint8_t *pixels = xmalloc(rows * n_in, 1);
    REAL *x = xmalloc(rows * n_in, sizeof(REAL));
    int64_t *order = xmalloc(count, sizeof(int64_t)), labels[7];
    double *target = xmalloc(n_out, sizeof(double)), sse, sse2;
    ffnn_samples samples = FN(samples)(rows, pixels, NULL, NULL, labels);
    ffnn_net *two;
    FN(fill_pixels)(pixels, rows, n_in, one_in);
    for (size_t i = 0; i < rows * n_in; i++)
        x[i] = (REAL)pixels[i];
    ffnn_scale_pixels(DTYPE, rows * n_in, x, x);
    for (size_t i = 0; i < rows; i++)
        labels[i] = (int64_t)(uniform(0, 1) * (double)n_out) % (int64_t)n_out;
    for (size_t s = 0; s < count; s++)
        order[s] = (int64_t)(uniform(0, 1) * rows) % (int64_t)rows;
    FN(save_weights)(&net, before);
    FN(copy_weights)(&net, start, 0);

    /* The reference, one sample at a time; sparse and dense are held to
       it alike: the sparse engine as close as twice the dense one's
       distance, or the few roundings of a short run. */
    check(FN(train_with)(net.net, &samples, order, count, rule,
                         FFNN_ENGINE_SPARSE, &sse) == FFNN_OK,
          "sparse train status", level, 0, 0);
    FN(copy_weights)(&net, sparse, 0);
    FN(copy_weights)(&net, start, 1);
    check(FN(train_with)(net.net, &samples, order, count, rule,
                         FFNN_ENGINE_DENSE, &sse2) == FFNN_OK,
          "dense train status", level, 0, 0);
    double dense_off = 0, floor = 0;
    {
        double ref_sse = 0, sparse_off = 0, step = 0, big = 0;
        for (size_t s = 0; s < count; s++) {
            const size_t i = (size_t)order[s];
            for (size_t c = 0; c < n_in; c++)
                net.o[0][c] = (double)x[i * n_in + c];
            for (size_t j = 0; j < n_out; j++)
                target[j] = j == (size_t)labels[i] ? 0.99 : 0.01;
            ref_sse += ref_train_step(L, sizes, net.ref, 0.1, rule, net.o,
                                      net.e, net.d, target);
        }
        for (size_t k = 0; k < L; k++)
            for (size_t i = 0; i < sizes[k + 1] * sizes[k]; i++) {
                const double want = net.ref[k][i];
                dense_off = fmax(dense_off, fabs((double)net.w[k][i] - want));
                sparse_off = fmax(sparse_off, fabs((double)sparse[k][i] - want));
                step = fmax(step, fabs(want - before[k][i]));
                big = fmax(big, fabs(want));
            }
        floor = SPARSE_TOL * step + 4 * EPS * big;
        check(sparse_off <= 2 * dense_off + floor, "sparse train weights",
              level, sparse_off, dense_off);
        check(fabs(sse - ref_sse) <= 2 * fabs(sse2 - ref_sse) + SPARSE_TOL * ref_sse,
              "sparse train error sum", level, sse, ref_sse);
    }

    /* Two threads: bitwise the same weights and sum. */
    two = FN(net_of)(L, sizes, net.w, NULL, 2);
    FN(copy_weights)(&net, start, 1);
    check(FN(train_with)(two, &samples, order, count, rule, FFNN_ENGINE_SPARSE,
                         &sse2) == FFNN_OK && sse2 == sse && FN(same_weights)(&net, sparse),
          "sparse on 2 threads bitwise", level, sse2, sse);
    ffnn_net_free(two);

    /* Calls of whole folds go on exactly as one call. */
    if (count > fold) {
        int ok = 1;
        double part, total = 0;
        FN(copy_weights)(&net, start, 1);
        for (size_t s = 0; s < count; s += fold) {
            const size_t n = count - s < fold ? count - s : fold;
            ok &= FN(train_with)(net.net, &samples, order + s, n, rule,
                                 FFNN_ENGINE_SPARSE, &part) == FFNN_OK;
            total += part;
        }
        check(ok && FN(same_weights)(&net, sparse), "sparse in calls of a fold bitwise",
              level, total, sse);
    }

    /* Float inputs with their background: the engine of the pixels. */
    {
        ffnn_samples floats = FN(samples)(rows, NULL, x, NULL, labels);
        REAL *w0 = xmalloc(sizes[1] * n_in, sizeof(REAL));
        memcpy(w0, start[0], sizes[1] * n_in * sizeof(REAL));
        FN(copy_weights)(&net, start, 1);
        check(FN(train_with)(net.net, &floats, order, count, rule,
                             FFNN_ENGINE_SPARSE, &sse2) == FFNN_ERROR_ENGINE &&
                  FN(same_weights)(&net, start),
              "sparse refuses inputs without a background", level, 0, 0);
        floats.background = (double)FN(book_input_value)(0);
        check(FN(train_with)(net.net, &floats, order, count, rule,
                             FFNN_ENGINE_SPARSE, &sse2) == FFNN_OK,
              "sparse on inputs with a background", level, 0, 0);
        {
            double off = 0;
            for (size_t k = 0; k < L; k++)
                for (size_t i = 0; i < sizes[k + 1] * sizes[k]; i++)
                    off = fmax(off, fabs((double)net.w[k][i] - net.ref[k][i]));
            check(off <= 2 * dense_off + floor, "sparse inputs with a background",
                  level, off, dense_off);
        }
        free(w0);
    }
    for (size_t k = 0; k < L; k++)
        free(start[k]), free(sparse[k]);
    FN(free_weights)(L, before);
    free(pixels), free(x), free(order), free(target);
    FN(net_free)(&net);
}

/* A non-finite weight: the status says so, and the working copy still goes
   back into the weights, every other row trained as the dense engine
   trains it. Biases move as the dense engine moves them. */
static void FN(test_sparse_failures_and_biases)(const char *level)
{
    const size_t sizes[] = {64, 40, 3, 0}, n_in = 64, rows = 5, count = 30;
    struct FN(net) net;
    REAL *start[MAX_LAYERS], *sparse[MAX_LAYERS];
    REAL b1[40], b2[3], c1[40], c2[3], *bs[2] = {b1, b2}, *cs[2] = {c1, c2};
    uint8_t pixels[5 * 64];
    int64_t labels[5] = {0, 1, 2, 1, 0};
    const ffnn_samples samples = FN(samples)(rows, pixels, NULL, NULL, labels);
    int64_t *order = FN(cycle)(count, rows);
    double sse;
    ffnn_net *biased;
    FN(net_init)(&net, sizes);
    FN(fill_pixels)(pixels, rows, n_in, 3);
    FN(copy_weights)(&net, start, 0);
    net.w[0][7 * n_in + 3] = (REAL)INFINITY;
    check(FN(train_with)(net.net, &samples, order, count, FFNN_RULE_MSE,
                         FFNN_ENGINE_SPARSE, &sse) == FFNN_ERROR_NOT_FINITE &&
              sse != sse,
          "sparse non-finite status", level, sse, 0);
    FN(copy_weights)(&net, sparse, 0);
    FN(copy_weights)(&net, start, 1);
    net.w[0][7 * n_in + 3] = (REAL)INFINITY;
    FN(train_with)(net.net, &samples, order, count, FFNN_RULE_MSE,
                   FFNN_ENGINE_DENSE, &sse);
    for (size_t i = 0; i < sizes[1] * n_in; i++)
        if (i / n_in != 7)
            FN(check_close)("sparse written back after non-finite", level,
                            sparse[0][i], (double)net.w[0][i], SPARSE_TOL);

    FN(copy_weights)(&net, start, 1);
    FN(fill)(b1, 40, -1, 1);
    FN(fill)(b2, 3, -1, 1);
    memcpy(c1, b1, sizeof b1);
    memcpy(c2, b2, sizeof b2);
    biased = FN(net_of)(2, sizes, net.w, bs, 1);
    FN(train_with)(biased, &samples, order, count, FFNN_RULE_CROSS_ENTROPY,
                   FFNN_ENGINE_SPARSE, &sse);
    for (size_t k = 0; k < 2; k++)
        memcpy(sparse[k], net.w[k], sizes[k + 1] * sizes[k] * sizeof(REAL));
    ffnn_net_free(biased);
    FN(copy_weights)(&net, start, 1);
    biased = FN(net_of)(2, sizes, net.w, cs, 1);
    FN(train_with)(biased, &samples, order, count, FFNN_RULE_CROSS_ENTROPY,
                   FFNN_ENGINE_DENSE, &sse);
    for (size_t j = 0; j < 40; j++)
        FN(check_close)("sparse biases", level, b1[j], (double)c1[j], SPARSE_TOL);
    for (size_t i = 0; i < sizes[1] * n_in; i++)
        FN(check_close)("sparse biased weights", level, sparse[0][i],
                        (double)net.w[0][i], SPARSE_TOL);
    ffnn_net_free(biased);
    for (size_t k = 0; k < 2; k++)
        free(start[k]), free(sparse[k]);
    free(order);
    FN(net_free)(&net);
}

/* FFNN_ENGINE_AUTO: the sparse engine for a large first layer on sparse
   pixels, bit for bit, and the dense one for all-ink pixels, a narrow
   layer or a short run. */
static void FN(test_auto_engine)(const char *level)
{
    const size_t wide[] = {196, 64, 4, 0}, narrow[] = {196, 8, 4, 0};
    const size_t rows = 6, count = 40;
    uint8_t *pixels = xmalloc(rows * 196, 1);
    int64_t labels[6] = {0, 1, 2, 3, 2, 1};
    const ffnn_samples samples = FN(samples)(rows, pixels, NULL, NULL, labels);
    const size_t *nets[2] = {wide, narrow};
    int64_t *order = FN(cycle)(count, rows);
    for (int ink = 0; ink < 2; ink++)
        for (int n = 0; n < 2; n++)
            for (int run = 0; run < 2; run++) {
                struct FN(net) net;
                REAL *start[MAX_LAYERS], *chosen[MAX_LAYERS];
                const size_t steps = run ? count : 3;
                const int want = ink == 0 && n == 0 && run ? FFNN_ENGINE_SPARSE
                                                           : FFNN_ENGINE_DENSE;
                double sse;
                ffnn_schedule asked = {0};
                int told = -1;
                FN(fill_pixels)(pixels, rows, 196, ink ? 1 : 5);
                FN(net_init)(&net, nets[n]);
                FN(copy_weights)(&net, start, 0);
                /* ffnn_train_engine names the choice without training. */
                asked.count = steps;
                asked.rule = FFNN_RULE_BOOK;
                asked.engine = FFNN_ENGINE_AUTO;
                check(ffnn_train_engine(net.net, &samples, &asked, &told) == FFNN_OK &&
                          told == want,
                      "ffnn_train_engine names the auto engine's choice", level, told,
                      want);
                asked.engine = FFNN_ENGINE_DENSE;
                check(ffnn_train_engine(net.net, &samples, &asked, &told) == FFNN_OK &&
                          told == FFNN_ENGINE_DENSE,
                      "ffnn_train_engine of a dense schedule", level, told,
                      FFNN_ENGINE_DENSE);
                check(FN(train_with)(net.net, &samples, order, steps, FFNN_RULE_BOOK,
                                     FFNN_ENGINE_AUTO, &sse) == FFNN_OK,
                      "auto engine status", level, 0, 0);
                FN(copy_weights)(&net, chosen, 0);
                FN(copy_weights)(&net, start, 1);
                FN(train_with)(net.net, &samples, order, steps, FFNN_RULE_BOOK,
                               want, &sse);
                check(FN(same_weights)(&net, chosen), "auto engine's choice",
                      level, want, ink * 4 + n * 2 + run);
                for (size_t k = 0; k < net.n_layers; k++)
                    free(start[k]), free(chosen[k]);
                FN(net_free)(&net);
            }
    free(order);
    free(pixels);
}

/* The two kernels against plain loops in double, with tails of every
   length (rows not a multiple of any vector width), each column's update
   from its own g. */
static void FN(test_sparse_kernels)(const char *level)
{
    const struct FN(ffnn_kernels) *kernels = FN(ffnn_kernels_active)();
    const size_t row_counts[] = {1, 5, 17, 203}, cols = 9, ld = 208;
    const size_t offsets[4] = {0, 3 * ld, 4 * ld, 8 * ld};
    const size_t g_offsets[4] = {2 * ld, 0, 2 * ld, ld};
    for (size_t t = 0; t < sizeof row_counts / sizeof row_counts[0]; t++)
        for (int mode = 1; mode <= 3; mode++) {
            const size_t rows = row_counts[t];
            REAL *v = xmalloc(cols * ld, sizeof(REAL)), *g = xmalloc(3 * ld, sizeof(REAL));
            REAL y[208], u[208], a[4], x[4];
            double want_v[9 * 208], want_y[208];
            FN(fill)(v, cols * ld, -1, 1);
            FN(fill)(g, 3 * ld, -1, 1);
            FN(fill)(y, rows, -1, 1);
            FN(fill)(u, rows, -1, 1);
            FN(fill)(a, 4, 0, 1);
            FN(fill)(x, 4, 0, 1);
            for (size_t i = 0; i < cols * ld; i++)
                want_v[i] = (double)v[i];
            for (size_t h = 0; h < rows; h++) {
                want_y[h] = (double)y[h];
                for (size_t j = 0; j < 4; j++) {
                    double *w = want_v + offsets[j] + h;
                    if (mode & 1)
                        *w += (double)g[g_offsets[j] + h] * (double)a[j];
                    if (mode & 2)
                        want_y[h] += *w * (double)x[j];
                }
            }
            kernels->columns_update_dot(rows, 4, offsets, mode & 1 ? g_offsets : NULL,
                                        v, mode & 1 ? g : NULL, mode & 1 ? a : NULL,
                                        mode & 2 ? x : NULL, y);
            for (size_t i = 0; i < cols * ld; i++)
                FN(check_close)("columns_update_dot column", level, v[i],
                                want_v[i], 4 * EPS * (fabs(want_v[i]) + 1));
            if (mode & 2)
                for (size_t h = 0; h < rows; h++)
                    FN(check_close)("columns_update_dot sum", level, y[h],
                                    want_y[h], 32 * EPS);
            /* The fold: every column += u, then r = their sum. */
            kernels->columns_fold(rows, cols, ld, v, mode == 1 ? NULL : u, y);
            for (size_t h = 0; h < rows; h++) {
                double sum = 0;
                for (size_t c = 0; c < cols; c++) {
                    sum += (double)v[c * ld + h];
                    if (mode != 1)
                        FN(check_close)("columns_fold column", level, v[c * ld + h],
                                        want_v[c * ld + h] + (double)u[h], 8 * EPS);
                }
                FN(check_close)("columns_fold sum", level, y[h], sum, 32 * EPS);
            }
            free(v), free(g);
        }
}

static void FN(run_sparse)(const char *level)
{
    /* Odd sizes: 1, 3, 17, 785 inputs; 1, 5, 203 hidden units; one to
       three layers. */
    static const size_t nets[][5] = {{1, 1, 0},       {3, 5, 2, 0},
                                     {17, 203, 3, 0}, {785, 5, 3, 0},
                                     {17, 5, 3, 4, 0}, {785, 203, 10, 0}};
    static const int inks[] = {5, 0, 1}; /* sparse, all background, all ink */
    FN(test_sparse_kernels)(level);
    /* Runs past a fold, but short where the weights are many, and where
       785 inputs all ink saturate the layer: there rounding grows from
       step to step in any engine, the reference's too. */
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++)
        for (size_t r = 0; r < sizeof RULES / sizeof RULES[0]; r++)
            for (size_t k = 0; k < sizeof inks / sizeof inks[0]; k++)
                FN(test_sparse_network)(
                    nets[i], RULES[r], inks[k],
                    nets[i][0] * nets[i][1] > 10000 ||
                            (nets[i][0] > 100 && inks[k] == 1) ? 20 : 600,
                    level);
    FN(test_sparse_failures_and_biases)(level);
    FN(test_auto_engine)(level);
}

#undef SPARSE_TOL
#undef REAL
#undef SUFFIX
#undef EPS
#undef DTYPE
