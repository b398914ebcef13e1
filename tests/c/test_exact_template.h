/*
 * Bit-for-bit checks of test_kernels.c for one precision: the book's pixel
 * scaling at every level, and the scalar kernels, against references that
 * round after every operation. Each intermediate goes through a volatile
 * variable, so no compiler can fuse a * b + c into one multiply-add (clang
 * does so by default, GCC in its GNU modes): a build that contracts the
 * library's arithmetic differs from these in the last bit and fails, where
 * the tolerances of test_kernels_template.h would let it pass. NumPy rounds
 * after every operation too, so these are the results the Python tests
 * expect bit for bit. Included by test_kernels.c after
 * test_kernels_template.h, whose helpers it uses, as csrc/template.h
 * describes.
 *
 * Needs: REAL (float or double), SUFFIX (_f32 or _f64), DTYPE
 * (FFNN_FLOAT32 or FFNN_FLOAT64).
 * Defines, static, with SUFFIX pasted on: test_pixel_scaling,
 *   test_scalar_exact (declared by test_kernels_template.h, whose run_all
 *   calls them), and their references.
 * Undefines REAL, SUFFIX and DTYPE at the end.
 */
#ifndef REAL
#error "test_exact_template.h needs REAL (the element type) defined"
#endif
#ifndef SUFFIX
#error "test_exact_template.h needs SUFFIX (_f32 or _f64) defined"
#endif
#ifndef DTYPE
#error "test_exact_template.h needs DTYPE (FFNN_FLOAT32 or FFNN_FLOAT64) defined"
#endif

#include "template.h"

/* The kernels of the level in use, which the network code calls. */
#define KERNELS FN(ffnn_kernels_active)()

/* a * b + c with the product rounded before the sum. */
static REAL FN(mul_add)(REAL a, REAL b, REAL c)
{
    volatile REAL product = a * b;
    volatile REAL sum = product + c;
    return sum;
}

/* v / 255 * 0.99 + 0.01, each step rounded, as NumPy scales an image. */
static REAL FN(ref_scaled_pixel)(int v)
{
    volatile REAL quotient = (REAL)v / (REAL)255;
    return FN(mul_add)(quotient, (REAL)0.99, (REAL)0.01);
}

static void FN(check_same)(const char *what, const char *level, REAL got,
                           REAL want)
{
    check(memcmp(&got, &want, sizeof got) == 0, what, level, (double)got,
          (double)want);
}

/*
 * The scaled pixel values training feeds the network, read back from one
 * step of a 256 -> 1 network on the pixels 0 .. 255: with w = 0 the output
 * is sigmoid(0) = 0.5, the target 0.75 makes the cross-entropy delta
 * exactly 0.25, and lr = 1 makes the update w = 0.25 x, exact, so 4 w is
 * the scaled input bit for bit. ffnn_scale_pixels gives the same bits, and
 * ffnn_one_hot the book's 0.99 and 0.01.
 */
static void FN(test_pixel_scaling)(const char *level)
{
    const size_t sizes[2] = {256, 1};
    const REAL target[1] = {(REAL)0.75};
    const int64_t labels[2] = {2, 0};
    uint8_t pixels[256];
    REAL w[256] = {0}, scaled[256], one_hot[2 * 3];
    REAL *ws[1] = {w};
    ffnn_net *net = FN(net_of)(1, sizes, ws, NULL, 1);
    const ffnn_samples one = FN(samples)(1, pixels, NULL, target, NULL);
    for (int v = 0; v < 256; v++) {
        pixels[v] = (uint8_t)v;
        scaled[v] = (REAL)v;
    }
    FN(train)(net, &one, NULL, 1, 1, FFNN_RULE_CROSS_ENTROPY);
    ffnn_scale_pixels(DTYPE, 256, scaled, scaled);
    for (int v = 0; v < 256; v++) {
        FN(check_same)("pixel v / 255 * 0.99 + 0.01", level, 4 * w[v],
                       FN(ref_scaled_pixel)(v));
        FN(check_same)("scale_pixels", level, scaled[v],
                       FN(ref_scaled_pixel)(v));
    }
    ffnn_one_hot(DTYPE, 2, 3, labels, one_hot, NULL);
    for (size_t i = 0; i < 2 * 3; i++)
        FN(check_same)("one_hot", level, one_hot[i],
                       (REAL)((int64_t)(i % 3) == labels[i / 3] ? 0.99 : 0.01));
    ffnn_net_free(net);
}

/* y = W x in the scalar kernels' order: each row sums its even and its odd
   columns apart (the two accumulators of a vector pair), then adds them. */
static void FN(ref_matvec)(size_t rows, size_t cols, const REAL *w,
                           const REAL *x, REAL *y)
{
    for (size_t r = 0; r < rows; r++) {
        REAL sum[2] = {0, 0};
        for (size_t c = 0; c < cols; c++)
            sum[c % 2] = FN(mul_add)(w[r * cols + c], x[c], sum[c % 2]);
        y[r] = sum[0] + sum[1];
    }
}

/* y = W^T e, each column summing over the rows in order. */
static void FN(ref_matvec_t)(size_t rows, size_t cols, const REAL *w,
                             const REAL *e, REAL *y)
{
    for (size_t c = 0; c < cols; c++) {
        REAL sum = 0;
        for (size_t r = 0; r < rows; r++)
            sum = FN(mul_add)(w[r * cols + c], e[r], sum);
        y[c] = sum;
    }
}

/* W[r] += (scale * a[r]) * b. */
static void FN(ref_outer_update)(size_t rows, size_t cols, REAL *w, REAL scale,
                                 const REAL *a, const REAL *b)
{
    for (size_t r = 0; r < rows; r++) {
        volatile REAL s = scale * a[r];
        for (size_t c = 0; c < cols; c++)
            w[r * cols + c] = FN(mul_add)(s, b[c], w[r * cols + c]);
    }
}

/* Every matrix kernel of the scalar level against its reference, on every
   pair of sizes, bit for bit. */
static void FN(test_scalar_exact)(void)
{
    const char *level = "scalar";
    for (size_t i = 0; i < N_SIZES; i++)
        for (size_t j = 0; j < N_SIZES; j++) {
            const size_t rows = SIZES[i], cols = SIZES[j];
            const REAL scale = (REAL)0.3;
            REAL *w = xmalloc(rows * cols, sizeof *w);
            REAL *ref_w = xmalloc(rows * cols, sizeof *ref_w);
            REAL *x = xmalloc(cols, sizeof *x), *b = xmalloc(cols, sizeof *b);
            REAL *e = xmalloc(rows, sizeof *e);
            REAL *y = xmalloc(rows, sizeof *y), *ref_y = xmalloc(rows, sizeof *ref_y);
            REAL *z = xmalloc(cols, sizeof *z), *ref_z = xmalloc(cols, sizeof *ref_z);
            size_t k;
            FN(fill)(w, rows * cols, -1, 1);
            FN(fill)(x, cols, -1, 1);
            FN(fill)(b, cols, -1, 1);
            FN(fill)(e, rows, -1, 1);
            memcpy(ref_w, w, rows * cols * sizeof *w);

            KERNELS->matvec(rows, cols, w, x, y);
            FN(ref_matvec)(rows, cols, w, x, ref_y);
            for (k = 0; k < rows; k++)
                FN(check_same)("exact matvec", level, y[k], ref_y[k]);
            KERNELS->matvec_t(rows, cols, w, e, z);
            FN(ref_matvec_t)(rows, cols, w, e, ref_z);
            for (k = 0; k < cols; k++)
                FN(check_same)("exact matvec_t", level, z[k], ref_z[k]);
            KERNELS->outer_update(rows, cols, w, scale, e, b);
            FN(ref_outer_update)(rows, cols, ref_w, scale, e, b);
            for (k = 0; k < rows * cols; k++)
                FN(check_same)("exact outer_update", level, w[k], ref_w[k]);
            /* The fused kernel: the same update, then the product with the
               updated rows. */
            KERNELS->update_matvec(rows, cols, w, scale, e, b, x, y);
            FN(ref_outer_update)(rows, cols, ref_w, scale, e, b);
            FN(ref_matvec)(rows, cols, ref_w, x, ref_y);
            for (k = 0; k < rows * cols; k++)
                FN(check_same)("exact update_matvec (w)", level, w[k], ref_w[k]);
            for (k = 0; k < rows; k++)
                FN(check_same)("exact update_matvec (y)", level, y[k], ref_y[k]);
            free(w), free(ref_w), free(x), free(b), free(e);
            free(y), free(ref_y), free(z), free(ref_z);
        }
}

#undef KERNELS
#undef REAL
#undef SUFFIX
#undef DTYPE
