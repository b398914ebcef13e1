/*
 * Whole-network functions of ffnn.h (training step, query, backquery) for any
 * number of layers, built from the single kernels. network_template.h is
 * included once per precision, as kernels.c does.
 */
#include <stdint.h>

#include "ffnn.h"

size_t ffnn_work_size(size_t n_layers, const size_t *sizes)
{
    /* One input and one target vector, then outputs and errors per layer. */
    size_t total = sizes[0];
    if (sizes[n_layers] > SIZE_MAX - total)
        return 0;
    total += sizes[n_layers];
    for (size_t k = 1; k <= n_layers; k++) {
        if (sizes[k] > (SIZE_MAX - total) / 2)
            return 0;
        total += 2 * sizes[k];
    }
    return total;
}

#define REAL float
#define SUFFIX _f32
#include "network_template.h"

#define REAL double
#define SUFFIX _f64
#include "network_template.h"
