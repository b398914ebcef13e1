/*
 * ffnn_scale_pixels and ffnn_one_hot of ffnn.h: the book's inputs and
 * targets for whole arrays, by the one definition in book.h that training
 * and query use too.
 */
#include "ffnn.h"

#include "core/book.h"

int ffnn_scale_pixels(int dtype, size_t n, const void *pixels, void *inputs)
{
    if (n != 0 && (pixels == NULL || inputs == NULL))
        return FFNN_ERROR_ARGUMENT;
    if (dtype == FFNN_FLOAT32) {
        const float *p = (const float *)pixels;
        float *x = (float *)inputs;
        for (size_t i = 0; i < n; i++)
            x[i] = book_input_f32(p[i]);
    } else if (dtype == FFNN_FLOAT64) {
        const double *p = (const double *)pixels;
        double *x = (double *)inputs;
        for (size_t i = 0; i < n; i++)
            x[i] = book_input_f64(p[i]);
    } else {
        return FFNN_ERROR_ARGUMENT;
    }
    return FFNN_OK;
}

int ffnn_one_hot(int dtype, size_t rows, size_t n_classes,
                 const int64_t *labels, void *targets, size_t *failed_row)
{
    size_t bad;
    if (dtype != FFNN_FLOAT32 && dtype != FFNN_FLOAT64)
        return FFNN_ERROR_ARGUMENT;
    if (rows != 0 && (labels == NULL || targets == NULL || n_classes == 0))
        return FFNN_ERROR_ARGUMENT;
    bad = book_bad_label(rows, n_classes, labels);
    if (bad < rows) {
        if (failed_row)
            *failed_row = bad;
        return FFNN_ERROR_LABEL;
    }
    for (size_t i = 0; i < rows; i++) {
        if (dtype == FFNN_FLOAT32)
            book_target_f32(n_classes, labels[i], (float *)targets + i * n_classes);
        else
            book_target_f64(n_classes, labels[i], (double *)targets + i * n_classes);
    }
    return FFNN_OK;
}
