/*
 * Generic whole-network functions; see network.c. Expects REAL and SUFFIX.
 *
 * Work space layout (ffnn_work_size elements): for k = 1 .. n_layers, the
 * outputs o_k of layer k, then for k = 1 .. n_layers its errors e_k.
 */
#include "template.h"

/* Forward pass; o_k for k >= 1 land in work, returns o_{n_layers}. */
static REAL *FN(forward)(size_t n_layers, const size_t *sizes,
                         const REAL *const *weights, const REAL *input,
                         REAL *work)
{
    const REAL *prev = input;
    REAL *out = work;
    for (size_t k = 1; k <= n_layers; k++) {
        FN(ffnn_matvec)(sizes[k], sizes[k - 1], weights[k - 1], prev, out);
        FN(ffnn_sigmoid)(sizes[k], out, out);
        prev = out;
        out += sizes[k];
    }
    return (REAL *)prev;
}

/* The book's rescaling of a back-queried signal: shift to min 0, divide by
   the max, then map onto 0.01 .. 0.99. */
static void FN(rescale)(size_t n, REAL *v)
{
    REAL lo = v[0], hi;
    for (size_t i = 1; i < n; i++)
        if (v[i] < lo)
            lo = v[i];
    for (size_t i = 0; i < n; i++)
        v[i] -= lo;
    hi = v[0];
    for (size_t i = 1; i < n; i++)
        if (v[i] > hi)
            hi = v[i];
    if (hi > 0) {
        for (size_t i = 0; i < n; i++) {
            v[i] /= hi;
            v[i] *= (REAL)0.98;
            v[i] += (REAL)0.01;
        }
    } else {
        /* Equal entries leave nothing to divide by: put them mid-range. */
        for (size_t i = 0; i < n; i++)
            v[i] = (REAL)0.5;
    }
}

REAL FN(ffnn_train_step)(size_t n_layers, const size_t *sizes,
                         REAL *const *weights, REAL lr, int rule,
                         const REAL *input, const REAL *target, REAL *work)
{
    size_t n_nodes = 0;
    for (size_t k = 1; k <= n_layers; k++)
        n_nodes += sizes[k];

    REAL *outputs = work;
    REAL *errors = work + n_nodes;
    REAL *o = FN(forward)(n_layers, sizes, (const REAL *const *)weights,
                          input, outputs);

    /* Walk down from the output layer; o and e point at layer k's vectors. */
    REAL *e = errors + n_nodes - sizes[n_layers];
    REAL sq_error = 0;
    for (size_t j = 0; j < sizes[n_layers]; j++) {
        e[j] = target[j] - o[j];
        sq_error += e[j] * e[j];
    }
    for (size_t k = n_layers; k >= 1; k--) {
        const size_t rows = sizes[k], cols = sizes[k - 1];
        const REAL *below = k > 1 ? o - cols : input;
        REAL *w = weights[k - 1];
        /* The book hands raw errors to the layer below, through the weights
           as they were before this step's update. */
        if (k > 1 && rule == FFNN_RULE_BOOK)
            FN(ffnn_matvec_t)(rows, cols, w, e, e - cols);
        /* e becomes delta in place; cross-entropy's output delta is e itself. */
        if (!(rule == FFNN_RULE_CROSS_ENTROPY && k == n_layers))
            for (size_t j = 0; j < rows; j++)
                e[j] = e[j] * o[j] * (1 - o[j]);
        if (k > 1 && rule != FFNN_RULE_BOOK)
            FN(ffnn_matvec_t)(rows, cols, w, e, e - cols);
        FN(ffnn_outer_update)(rows, cols, w, lr, e, below);
        if (k > 1) {
            o -= cols;
            e -= cols;
        }
    }
    return sq_error;
}

double FN(ffnn_train_samples)(size_t n_layers, const size_t *sizes,
                              REAL *const *weights, REAL lr, int rule,
                              const uint8_t *pixels, const REAL *inputs,
                              const REAL *targets, const int64_t *labels,
                              const int64_t *order, size_t count, REAL *work)
{
    const size_t n_in = sizes[0], n_out = sizes[n_layers];
    /* The input and target vectors live past the step's own work space. */
    REAL *x = work + ffnn_work_size(n_layers, sizes) - n_in - n_out;
    REAL *t = x + n_in;
    double total = 0;
    for (size_t s = 0; s < count; s++) {
        const size_t i = (size_t)order[s];
        const REAL *input = inputs + i * n_in;
        if (pixels) {
            const uint8_t *p = pixels + i * n_in;
            for (size_t c = 0; c < n_in; c++)
                x[c] = (REAL)p[c] / (REAL)255 * (REAL)0.99 + (REAL)0.01;
            input = x;
        }
        const REAL *target = targets + i * n_out;
        if (!targets) {
            for (size_t j = 0; j < n_out; j++)
                t[j] = (REAL)0.01;
            t[labels[i]] = (REAL)0.99;
            target = t;
        }
        total += FN(ffnn_train_step)(n_layers, sizes, weights, lr, rule,
                                     input, target, work);
    }
    return total;
}

void FN(ffnn_query)(size_t n_layers, const size_t *sizes,
                    const REAL *const *weights, size_t n, const REAL *inputs,
                    REAL *outputs, REAL *work)
{
    const size_t n_in = sizes[0], n_out = sizes[n_layers];
    for (size_t s = 0; s < n; s++) {
        const REAL *o = FN(forward)(n_layers, sizes, weights,
                                    inputs + s * n_in, work);
        for (size_t j = 0; j < n_out; j++)
            outputs[s * n_out + j] = o[j];
    }
}

void FN(ffnn_backquery)(size_t n_layers, const size_t *sizes,
                        const REAL *const *weights, const REAL *target,
                        REAL *image, REAL *work)
{
    /* Signals of layer k live in the outputs part of work (or in image for
       the input layer), exactly where forward() would put o_k. */
    size_t offset = 0;
    for (size_t k = 1; k < n_layers; k++)
        offset += sizes[k];
    REAL *signal = work + offset;
    FN(ffnn_logit)(sizes[n_layers], target, signal);
    for (size_t k = n_layers; k >= 1; k--) {
        const size_t rows = sizes[k], cols = sizes[k - 1];
        REAL *below = k > 1 ? signal - cols : image;
        FN(ffnn_matvec_t)(rows, cols, weights[k - 1], signal, below);
        FN(rescale)(cols, below);
        if (k > 1)
            FN(ffnn_logit)(cols, below, below);
        signal = below;
    }
}

#undef REAL
#undef SUFFIX
