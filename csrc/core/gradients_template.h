/*
 * ffnn_gradients' work for one precision: the exact gradient of an update
 * rule's loss, for every weight matrix (and bias vector), summed over
 * samples. It reads the weights and never changes them, so a gradient can
 * be held against finite differences of the loss. Included by net.c (after
 * its struct ffnn_net, sample pixels' scaling in core/book.h) as
 * template.h describes.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64).
 * Defines, static, with SUFFIX pasted on (net.c declares each by its full
 *   name): gradients and the add_sample_gradient it calls per sample.
 * Undefines REAL and SUFFIX at the end.
 *
 * Work space layout (work_size elements, the same count as training): for
 * k = 1 .. n_layers the outputs o_k of layer k, then for k = 1 .. n_layers
 * its errors, which become its deltas in place; then the sample's input
 * (scaled from pixels) and its target (built from a label).
 */
#ifndef REAL
#error "gradients_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "gradients_template.h needs SUFFIX (_f32 or _f64) defined"
#endif

#include "template.h"

/* Adds one sample's gradient to every grads[k]; the outputs o_k are laid out
   in work by a forward pass through the kernels K of the level in use. */
static void FN(add_sample_gradient)(size_t n_layers, const size_t *sizes,
                                    const REAL *const *weights,
                                    const REAL *const *biases, int rule,
                                    const REAL *input, const REAL *target,
                                    REAL *const *grads,
                                    REAL *const *bias_grads, REAL *work,
                                    size_t n_nodes,
                                    const struct FN(ffnn_kernels) * K)
{
    REAL *o = work;
    const REAL *below = input;
    for (size_t k = 1; k <= n_layers; k++) {
        K->matvec(sizes[k], sizes[k - 1], weights[k - 1], below, o);
        if (biases)
            for (size_t j = 0; j < sizes[k]; j++)
                o[j] += biases[k - 1][j];
        K->sigmoid(sizes[k], o, o);
        below = o;
        if (k < n_layers)
            o += sizes[k];
    }

    /* d E / d W_k = scale * delta_k outer o_{k-1}: the squared error keeps
       the 2 of its derivative; cross-entropy and the book's direction have
       none. */
    const REAL scale = rule == FFNN_RULE_MSE ? (REAL)-2 : (REAL)-1;
    REAL *e = work + 2 * n_nodes - sizes[n_layers];
    for (size_t j = 0; j < sizes[n_layers]; j++)
        e[j] = target[j] - o[j];
    for (size_t k = n_layers; k >= 1; k--) {
        const size_t rows = sizes[k], cols = sizes[k - 1];
        below = k > 1 ? o - cols : input;
        /* The book passes raw errors down; the two losses pass deltas. */
        if (k > 1 && rule == FFNN_RULE_BOOK)
            K->matvec_t(rows, cols, weights[k - 1], e, e - cols);
        /* Cross-entropy's output delta is t - o: its o(1 - o) cancels. */
        if (!(rule == FFNN_RULE_CROSS_ENTROPY && k == n_layers))
            for (size_t j = 0; j < rows; j++)
                e[j] = e[j] * o[j] * (1 - o[j]);
        if (k > 1 && rule != FFNN_RULE_BOOK)
            K->matvec_t(rows, cols, weights[k - 1], e, e - cols);
        K->outer_update(rows, cols, grads[k - 1], scale, e, below);
        /* A bias is a weight whose input is always 1. */
        if (bias_grads)
            for (size_t j = 0; j < rows; j++)
                bias_grads[k - 1][j] += scale * e[j];
        if (k > 1) {
            o -= cols;
            e -= cols;
        }
    }
}

/* ffnn_gradients' work, once net.c has checked its arguments. */
static void FN(gradients)(const ffnn_net *net, int rule,
                          const ffnn_samples *samples, REAL *const *grads,
                          REAL *const *bias_grads, REAL *work)
{
    const size_t n_layers = net->n_layers, *sizes = net->sizes;
    const size_t n_in = sizes[0], n_out = sizes[n_layers];
    const REAL *const *weights = (const REAL *const *)net->weights;
    const REAL *const *biases = (const REAL *const *)net->biases;
    const struct FN(ffnn_kernels) *K = FN(ffnn_kernels_active)();
    size_t n_nodes = 0;
    for (size_t k = 1; k <= n_layers; k++) {
        n_nodes += sizes[k];
        /* The matrices exist, so their element counts fit in size_t. */
        for (size_t i = 0; i < sizes[k] * sizes[k - 1]; i++)
            grads[k - 1][i] = 0;
        if (bias_grads)
            for (size_t j = 0; j < sizes[k]; j++)
                bias_grads[k - 1][j] = 0;
    }
    {
        REAL *x = work + 2 * n_nodes, *t = x + n_in;
        for (size_t s = 0; s < samples->rows; s++) {
            const REAL *input = x, *target = t;
            if (samples->pixels)
                for (size_t c = 0; c < n_in; c++)
                    x[c] = FN(book_input)((REAL)samples->pixels[s * n_in + c]);
            else
                input = (const REAL *)samples->inputs + s * n_in;
            if (samples->labels)
                FN(book_target)(n_out, samples->labels[s], t);
            else
                target = (const REAL *)samples->targets + s * n_out;
            FN(add_sample_gradient)(n_layers, sizes, weights, biases, rule,
                                    input, target, grads, bias_grads, work,
                                    n_nodes, K);
        }
    }
}

#undef REAL
#undef SUFFIX
