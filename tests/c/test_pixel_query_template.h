/*
 * The checks of the batch query on pixels for one precision, included by
 * test_pixel_query.h as csrc/template.h describes.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64), EPS (that
 * precision's machine epsilon, as a double), DTYPE (FFNN_FLOAT32 or
 * FFNN_FLOAT64).
 * Defines, static, with SUFFIX pasted on: test_pixel_query, which runs
 *   every check of this precision at one level, and the checks it calls.
 * Undefines REAL, SUFFIX, EPS and DTYPE at the end.
 *
 * From its ink, a sample's first-layer sums are b (W 1) + W[:, ink] s[ink]
 * instead of W x: the same number up to rounding. So the sparse way is
 * held to the dense one within a rounding bound (outputs are in (0, 1)):
 * 1e-12 relative in double, 4 units in the last place of 1 in float; and to
 * the double reference of test_kernels.c within the network tolerance.
 * Which way each sample went is checked bit for bit: a result equal to
 * the one way's and not the other's.
 */
#ifndef REAL
#error "test_pixel_query_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "test_pixel_query_template.h needs SUFFIX (_f32 or _f64) defined"
#endif
#ifndef EPS
#error "test_pixel_query_template.h needs EPS (the machine epsilon) defined"
#endif
#ifndef DTYPE
#error "test_pixel_query_template.h needs DTYPE (FFNN_FLOAT32 or FFNN_FLOAT64) defined"
#endif

#include "template.h"

/* The sparse way against the dense: relative in double, absolute (in
   units of the last place of 1) in float. */
#define PIXEL_TOL (DTYPE == FFNN_FLOAT64 ? 1e-12 : 4 * EPS)

/* Against the double reference: as test_kernels_template.h's NET_TOL. */
#define PIXEL_NET_TOL (4096 * EPS)

static void FN(fill_pictures)(uint8_t *p, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) {
        if (kind == NO_INK)
            p[i] = 0;
        else if (kind == ALL_INK)
            p[i] = (uint8_t)uniform(1, 256);
        else
            p[i] = uniform(0, 1) < 0.2 ? (uint8_t)uniform(1, 256) : 0;
    }
}

/* The query of the samples the given way; outputs must be written. */
static void FN(query_way)(ffnn_net *net, const ffnn_samples *rows, int engine,
                          REAL *out, const char *what, const char *level)
{
    const int status = ffnn_query_engine(net, rows, engine, out);
    check(status == FFNN_OK, what, level, status, FFNN_OK);
}

/* Bitwise equality of n outputs. */
static int FN(same)(size_t n, const REAL *a, const REAL *b)
{
    return memcmp(a, b, n * sizeof(REAL)) == 0;
}

/* The sparse, dense and automatic ways on one kind of picture, with and
   without biases, on one and two threads. */
static void FN(test_pixel_net)(const size_t *sizes, int kind, int biased,
                               const char *level)
{
    size_t n_layers = 0;
    while (sizes[n_layers + 1] != 0)
        n_layers++;
    const size_t n_in = sizes[0], n_out = sizes[n_layers];
    const size_t n = PIXEL_SAMPLES, count = n * n_out;
    REAL *w[MAX_LAYERS], *b[MAX_LAYERS];
    double *ref[MAX_LAYERS], *o[MAX_LAYERS + 1];
    uint8_t *pixels = xmalloc(n * n_in, 1);
    REAL *inputs = xmalloc(n * n_in, sizeof(REAL));
    REAL *dense = xmalloc(count, sizeof(REAL)), *sparse = xmalloc(count, sizeof(REAL));
    REAL *automatic = xmalloc(count, sizeof(REAL)), *two = xmalloc(count, sizeof(REAL));
    REAL *lone = xmalloc(n_out, sizeof(REAL));
    for (size_t k = 0; k < n_layers; k++) {
        const size_t m = sizes[k + 1] * sizes[k];
        const double spread = 1 / sqrt((double)sizes[k]);
        w[k] = xmalloc(m, sizeof(REAL));
        b[k] = xmalloc(sizes[k + 1], sizeof(REAL));
        ref[k] = xmalloc(m, sizeof(double));
        FN(fill)(w[k], m, -spread, spread);
        FN(fill)(b[k], sizes[k + 1], -0.5, 0.5);
        for (size_t i = 0; i < m; i++)
            ref[k][i] = w[k][i];
    }
    for (size_t k = 0; k <= n_layers; k++)
        o[k] = xmalloc(sizes[k], sizeof(double));
    FN(fill_pictures)(pixels, n * n_in, kind);
    for (size_t i = 0; i < n * n_in; i++)
        inputs[i] = (REAL)pixels[i];
    check(ffnn_scale_pixels(DTYPE, n * n_in, inputs, inputs) == FFNN_OK,
          "scale pixels", level, 0, 0);
    {
        ffnn_net *net = FN(net_of)(n_layers, sizes, w, biased ? b : NULL, 1);
        ffnn_net *net2 = FN(net_of)(n_layers, sizes, w, biased ? b : NULL, 2);
        const ffnn_samples by_pixels = FN(samples)(n, pixels, NULL, NULL, NULL);
        const ffnn_samples by_inputs = FN(samples)(n, NULL, inputs, NULL, NULL);
        const ffnn_samples first = FN(samples)(1, pixels, NULL, NULL, NULL);
        FN(query_way)(net, &by_pixels, FFNN_ENGINE_SPARSE, sparse, "sparse query", level);
        FN(query_way)(net, &by_pixels, FFNN_ENGINE_DENSE, dense, "dense query", level);
        FN(query_way)(net, &by_pixels, FFNN_ENGINE_AUTO, automatic, "auto query", level);
        /* The dense way on pixels is the query of their scaled inputs. */
        FN(query_way)(net, &by_inputs, FFNN_ENGINE_AUTO, two, "inputs query", level);
        check(FN(same)(count, dense, two), "pixel dense = scaled inputs", level, 0, 0);
        for (size_t i = 0; i < count; i++) {
            const double d = dense[i];
            check(fabs((double)sparse[i] - d) <= PIXEL_TOL * (DTYPE == FFNN_FLOAT64 ? d : 1),
                  "sparse against dense", level, sparse[i], d);
        }
        /* Against the reference, by the formulas in double. */
        for (size_t s = 0; s < n; s++) {
            for (size_t c = 0; c < n_in; c++)
                o[0][c] = (double)inputs[s * n_in + c];
            if (biased) {
                for (size_t k = 1; k <= n_layers; k++)
                    for (size_t r = 0; r < sizes[k]; r++) {
                        double z = b[k - 1][r];
                        for (size_t c = 0; c < sizes[k - 1]; c++)
                            z += ref[k - 1][r * sizes[k - 1] + c] * o[k - 1][c];
                        o[k][r] = ref_sigmoid(z);
                    }
            } else {
                ref_forward(n_layers, sizes, ref, o);
            }
            for (size_t j = 0; j < n_out; j++)
                FN(check_close)("sparse query against the reference", level,
                                sparse[s * n_out + j], o[n_layers][j], PIXEL_NET_TOL);
        }
        /* Auto: pictures of much ink go dense, those of little ink sparse
           where the layer is large enough (a sum the ink does not change
           is the same either way). */
        if (kind == ALL_INK)
            check(FN(same)(count, automatic, dense), "all ink goes dense",
                  level, 0, 0);
        if (kind == SOME_INK && n_in == 785 && sizes[1] >= 64) {
            check(FN(same)(count, automatic, sparse), "a fifth ink goes sparse",
                  level, 0, 0);
            /* ... which is another computation: some bit differs. */
            check(!FN(same)(count, sparse, dense), "the two ways differ", level,
                  0, 0);
        }
        if (sizes[1] <= 5)
            check(FN(same)(count, automatic, dense), "a small layer goes dense",
                  level, 0, 0);
        /* One sample alone is not worth W^T: dense, as in the batch. */
        FN(query_way)(net, &first, FFNN_ENGINE_AUTO, lone, "one-sample query", level);
        check(FN(same)(n_out, lone, dense), "one sample goes dense", level, 0, 0);
        /* Two threads: the same bits, every way. */
        FN(query_way)(net2, &by_pixels, FFNN_ENGINE_SPARSE, two, "sparse on 2 threads", level);
        check(FN(same)(count, two, sparse), "sparse on 2 threads = 1", level, 0, 0);
        FN(query_way)(net2, &by_pixels, FFNN_ENGINE_AUTO, two, "auto on 2 threads", level);
        check(FN(same)(count, two, automatic), "auto on 2 threads = 1", level, 0, 0);
        /* A sample's result is its own: the same alone or in a batch. */
        FN(query_way)(net, &first, FFNN_ENGINE_SPARSE, lone, "one-sample sparse", level);
        check(FN(same)(n_out, lone, sparse), "one sample sparse = in the batch", level, 0, 0);
        /* The sparse way needs pixels; engines are known. */
        check(ffnn_query_engine(net, &by_inputs, FFNN_ENGINE_SPARSE, two) == FFNN_ERROR_ENGINE,
              "sparse on inputs refused", level, 0, 0);
        check(ffnn_query_engine(net, &by_pixels, 9, two) == FFNN_ERROR_ARGUMENT,
              "unknown engine refused", level, 0, 0);
        ffnn_net_free(net);
        ffnn_net_free(net2);
    }
    for (size_t k = 0; k < n_layers; k++)
        free(w[k]), free(b[k]), free(ref[k]);
    for (size_t k = 0; k <= n_layers; k++)
        free(o[k]);
    free(pixels), free(inputs), free(dense), free(sparse), free(automatic),
        free(two), free(lone);
}

/* The level's ink kernel on every odd size against a double reference,
   with a padded row length and without. */
static void FN(test_ink_matvec)(const char *level)
{
    const struct FN(ffnn_kernels) *kernels = FN(ffnn_kernels_active)();
    for (size_t i = 0; i < N_SIZES; i++)
        for (size_t j = 0; j < N_SIZES; j++) {
            const size_t n = SIZES[i], n_ink = SIZES[j], ld = n + 7;
            REAL *wt = xmalloc(n_ink * ld, sizeof(REAL)), *s = xmalloc(n_ink, sizeof(REAL));
            REAL *init = xmalloc(n, sizeof(REAL)), *y = xmalloc(n, sizeof(REAL));
            size_t *at = xmalloc(n_ink, sizeof(size_t));
            FN(fill)(wt, n_ink * ld, -1, 1);
            FN(fill)(s, n_ink, 0, 1);
            FN(fill)(init, n, -1, 1);
            /* The rows in a scrambled order, as ink pixels map to rows. */
            for (size_t k = 0; k < n_ink; k++)
                at[k] = (k * 7 % n_ink) * ld;
            kernels->ink_matvec(n, n_ink, wt, at, s, init, y);
            for (size_t h = 0; h < n; h++) {
                double want = init[h], mag = fabs((double)init[h]);
                for (size_t k = 0; k < n_ink; k++) {
                    want += (double)s[k] * wt[at[k] + h];
                    mag += fabs((double)s[k] * wt[at[k] + h]);
                }
                FN(check_close)("ink_matvec", level, y[h], want,
                                2 * (double)(n_ink + 2) * EPS * mag);
            }
            free(wt), free(s), free(init), free(y), free(at);
        }
}

/* The level's group kernel on every odd size: each sample's sums bit for
   bit those of ink_matvec on its own ink (the rows where its part is not
   zero, in the same order), for a sample without ink, one with ink on
   every row, and samples with some, with a padded row length. */
static void FN(test_ink_group_matvec)(const char *level)
{
    enum { G = FFNN_INK_GROUP };
    const struct FN(ffnn_kernels) *kernels = FN(ffnn_kernels_active)();
    for (size_t i = 0; i < N_SIZES; i++)
        for (size_t j = 0; j < N_SIZES; j++) {
            const size_t n = SIZES[i], n_ink = SIZES[j], ld = n + 7;
            REAL *wt = xmalloc(n_ink * ld, sizeof(REAL));
            REAL *s = xmalloc(n_ink * G, sizeof(REAL)), *own_s = xmalloc(n_ink, sizeof(REAL));
            REAL *init = xmalloc(n, sizeof(REAL)), *want = xmalloc(n, sizeof(REAL));
            REAL *ys = xmalloc(n * G, sizeof(REAL)), *y[G];
            size_t *at = xmalloc(n_ink, sizeof(size_t)), *own_at = xmalloc(n_ink, sizeof(size_t));
            FN(fill)(wt, n_ink * ld, -1, 1);
            FN(fill)(init, n, -1, 1);
            for (size_t k = 0; k < n_ink; k++) {
                at[k] = (k * 7 % n_ink) * ld;
                for (size_t g = 0; g < G; g++) {
                    const int ink = g == 1 || (g > 1 && uniform(0, 1) < 0.5);
                    s[k * G + g] = ink ? (REAL)uniform(0.001, 1) : 0;
                }
            }
            for (size_t g = 0; g < G; g++)
                y[g] = ys + g * n;
            kernels->ink_group_matvec(n, n_ink, wt, at, s, init, y);
            for (size_t g = 0; g < G; g++) {
                size_t own = 0;
                for (size_t k = 0; k < n_ink; k++)
                    if (s[k * G + g] != 0) {
                        own_at[own] = at[k];
                        own_s[own++] = s[k * G + g];
                    }
                kernels->ink_matvec(n, own, wt, own_at, own_s, init, want);
                for (size_t h = 0; h < n; h++)
                    check(y[g][h] == want[h], "ink_group_matvec equals ink_matvec", level,
                          (double)y[g][h], (double)want[h]);
            }
            free(wt), free(s), free(own_s), free(init), free(want), free(ys);
            free(at), free(own_at);
        }
}

static void FN(test_pixel_query)(const char *level)
{
    FN(test_ink_matvec)(level);
    FN(test_ink_group_matvec)(level);
    for (size_t i = 0; i < sizeof PIXEL_NETS / sizeof PIXEL_NETS[0]; i++)
        for (int kind = 0; kind < PICTURE_KINDS; kind++)
            for (int biased = 0; biased < 2; biased++)
                FN(test_pixel_net)(PIXEL_NETS[i], kind, biased, level);
}

#undef PIXEL_TOL
#undef PIXEL_NET_TOL
#undef REAL
#undef SUFFIX
#undef EPS
#undef DTYPE
