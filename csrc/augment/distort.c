/*
 * Random affine and elastic distortions of images, for fit(distort=...):
 * the geometry (where each output pixel reads its image) and the random
 * numbers behind it, shared by both precisions; distort_template.h holds the
 * per-precision resampling.
 *
 * Elastic fields. Simard et al. smooth a field of uniform random
 * displacements in [-1, 1] with a Gaussian of width sigma and scale it by
 * alpha. Smoothing a full-resolution field costs tens of thousands of
 * multiply-adds per image; here the random values sit on a coarse grid of
 * spacing h = 2 sigma, at a random offset, and a quadratic B-spline spreads
 * them: each pixel's displacement is a weighted sum of 3 x 3 grid values,
 * evaluated separably. With the random offset the field is stationary; its
 * correlation between two pixels is the B-spline's autocorrelation (a
 * quintic B-spline), which has the variance of the Gaussian field's
 * (2 sigma^2 per axis, hence h = 2 sigma) and differs from it by at most
 * 0.03; its amplitude is set so that its variance equals the smoothed
 * field's. docs/beyond.md gives the measurement.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "augment/distort.h"
#include "core/book.h"

/* Blank pixels around the copy of each image that the resampling reads, so
   that any point it clamps to the border reads blank neighbours alone. */
#define PAD 2
/* The longest side of an image that can be distorted. */
#define MAX_SIDE 16384

/* ---- random numbers: a counter-based stream per (seed, index) */

static uint64_t mix64(uint64_t z)
{
    /* splitmix64's finaliser: a bijection that scatters every input bit. */
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

typedef struct {
    uint64_t state;
} stream;

static stream stream_of(uint64_t seed, uint64_t index)
{
    stream s;
    s.state = mix64(seed ^ mix64(index));
    return s;
}

static uint64_t next64(stream *s)
{
    s->state += UINT64_C(0x9E3779B97F4A7C15);
    return mix64(s->state);
}

/* Uniform in [-1, 1), 53 bits. */
static double uniform_signed(stream *s)
{
    return (double)(next64(s) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

/* Uniform in [0, 1), 53 bits. */
static double uniform_unit(stream *s)
{
    return (double)(next64(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* Two uniform values in [-1, 1), 32 bits each, from one draw. */
static void uniform_pair(stream *s, float *a, float *b)
{
    const uint64_t v = next64(s);
    *a = (float)(int32_t)(uint32_t)(v >> 32) * (1.0f / 2147483648.0f);
    *b = (float)(int32_t)(uint32_t)v * (1.0f / 2147483648.0f);
}

/* ---- the geometry of a call */

typedef struct {
    size_t rows, cols;
    int elastic;
    double spacing;       /* h, the grid's spacing in pixels */
    float amplitude;      /* alpha times the B-spline field's normalisation */
    size_t grid_rows, grid_cols;
    float *grid;          /* 2 planes (y, x) of grid_rows * grid_cols random values */
    float *partial;       /* 2 planes of grid_rows * cols: the grid spread along rows */
    float *row_weights;   /* 3 per row */
    size_t *row_first;    /* the first of each row's 3 grid rows */
    float *col_weights;   /* 3 per column */
    size_t *col_first;
    float *y, *x;         /* rows * cols source coordinates */
    float *column;        /* 0, 1, ..., cols - 1 */
    int32_t *at;          /* cols: where each point of a row reads the ink buffer */
    void *fv, *fu;        /* cols values of the precision each: its fractions */
    void *ink;            /* (rows + 2 PAD) * (cols + 2 PAD) values of the precision */
    void *block;          /* the one allocation holding all of the above */
} geometry;

static int finite_nonnegative(double v)
{
    return v >= 0.0 && v <= 1e300;
}

static int check_distortion(const ffnn_distortion *d)
{
    if (d == NULL || !finite_nonnegative(d->rotate) || !finite_nonnegative(d->scale)
        || !finite_nonnegative(d->shear) || !finite_nonnegative(d->shift)
        || !finite_nonnegative(d->alpha) || !finite_nonnegative(d->sigma))
        return FFNN_ERROR_ARGUMENT;
    if (d->scale >= 1.0 || d->rotate > 360.0)
        return FFNN_ERROR_ARGUMENT;
    if (d->alpha != 0.0 && d->sigma == 0.0)
        return FFNN_ERROR_ARGUMENT;
    return FFNN_OK;
}

static int is_identity(const ffnn_distortion *d)
{
    return d->rotate == 0.0 && d->scale == 0.0 && d->shear == 0.0 && d->shift == 0.0
           && d->alpha == 0.0;
}

/* *total += count * size, rounded up to a multiple of 16; 0 on overflow. */
static int add_bytes(size_t *total, size_t count, size_t size)
{
    size_t bytes;
    if (size != 0 && count > SIZE_MAX / size)
        return 0;
    bytes = count * size;
    if (bytes > SIZE_MAX - 15 - *total)
        return 0;
    *total += (bytes + 15) & ~(size_t)15;
    return 1;
}

/* Grid nodes along an axis of n pixels: each pixel's 3, for any offset. */
static size_t grid_nodes(size_t n, double spacing)
{
    return (size_t)floor((double)(n - 1) / spacing) + 4;
}

/*
 * The scratch space of a call: coordinates, elastic grid and an ink buffer
 * of `real_size`-byte values, in one allocation. FFNN_OK or a status.
 */
static int geometry_create(geometry *g, const ffnn_distortion *d, size_t rows, size_t cols,
                           size_t real_size)
{
    size_t total = 0, plane, grid = 0, partial = 0, padded_rows, padded_cols, padded, i;
    char *p;
    memset(g, 0, sizeof *g);
    g->rows = rows;
    g->cols = cols;
    /* Coordinates are floats and offsets int32: sides up to 2^14 keep both exact. */
    if (rows > MAX_SIDE || cols > MAX_SIDE)
        return FFNN_ERROR_ARGUMENT;
    plane = rows * cols;
    padded_rows = rows + 2 * PAD;
    padded_cols = cols + 2 * PAD;
    if (padded_rows > SIZE_MAX / padded_cols)
        return FFNN_ERROR_MEMORY;
    padded = padded_rows * padded_cols;
    g->elastic = d->alpha != 0.0;
    if (g->elastic) {
        const double pi = 3.14159265358979323846;
        g->spacing = 2.0 * d->sigma;
        /* Beyond this many grid nodes per pixel the grid is no cheaper than a
           full-resolution field; the binding asks for sigma >= 0.1 anyway. */
        if ((double)rows / g->spacing > 1e6 || (double)cols / g->spacing > 1e6)
            return FFNN_ERROR_ARGUMENT;
        g->grid_rows = grid_nodes(rows, g->spacing);
        g->grid_cols = grid_nodes(cols, g->spacing);
        if (g->grid_rows > SIZE_MAX / 2 / g->grid_cols || g->grid_rows > SIZE_MAX / 2 / cols)
            return FFNN_ERROR_MEMORY;
        grid = 2 * g->grid_rows * g->grid_cols;
        partial = 2 * g->grid_rows * cols;
        /* The smoothed field's standard deviation per unit of noise is
           sqrt(sum of the Gaussian's squared weights) = 1 / (2 sigma sqrt(pi));
           the B-spline field's is 11/20 (the mean over offsets of the sum
           of squared B-spline weights, per axis, squared). */
        g->amplitude = (float)(d->alpha / (2.0 * d->sigma * sqrt(pi)) / (11.0 / 20.0));
    }
    if (!add_bytes(&total, grid, sizeof(float)) || !add_bytes(&total, partial, sizeof(float))
        || !add_bytes(&total, 3 * rows, sizeof(float)) || !add_bytes(&total, rows, sizeof(size_t))
        || !add_bytes(&total, 3 * cols, sizeof(float)) || !add_bytes(&total, cols, sizeof(size_t))
        || !add_bytes(&total, plane, sizeof(float)) || !add_bytes(&total, plane, sizeof(float))
        || !add_bytes(&total, cols, sizeof(float)) || !add_bytes(&total, cols, sizeof(int32_t))
        || !add_bytes(&total, cols, real_size) || !add_bytes(&total, cols, real_size)
        || !add_bytes(&total, padded, real_size) )
        return FFNN_ERROR_MEMORY;
    g->block = calloc(total, 1); /* zeros: the ink buffer's border stays blank */
    if (g->block == NULL)
        return FFNN_ERROR_MEMORY;
    p = (char *)g->block;
    total = 0;
#define TAKE(field, type, count) \
    (g->field = (type *)(void *)(p + total), add_bytes(&total, (count), sizeof(type)))
    TAKE(grid, float, grid);
    TAKE(partial, float, partial);
    TAKE(row_weights, float, 3 * rows);
    TAKE(row_first, size_t, rows);
    TAKE(col_weights, float, 3 * cols);
    TAKE(col_first, size_t, cols);
    TAKE(y, float, plane);
    TAKE(x, float, plane);
    TAKE(column, float, cols);
    TAKE(at, int32_t, cols);
    g->fv = p + total;
    add_bytes(&total, cols, real_size);
    g->fu = p + total;
    add_bytes(&total, cols, real_size);
#undef TAKE
    g->ink = p + total;
    for (i = 0; i < cols; ++i)
        g->column[i] = (float)i;
    return FFNN_OK;
}

/* The quadratic B-spline's 3 weights at fraction f of a grid cell. */
static void bspline_weights(float f, float *w)
{
    const float g = 1.0f - f;
    w[0] = 0.5f * g * g;
    w[1] = 0.5f + f * g;
    w[2] = 0.5f * f * f;
}

/* Each of n pixels' 3 grid nodes and weights, the grid at `offset` cells. */
static void spline_axis(size_t n, double spacing, double offset, float *weights, size_t *first)
{
    const double step = 1.0 / spacing;
    size_t i;
    for (i = 0; i < n; ++i) {
        const double t = (double)i * step + offset;
        const size_t cell = (size_t)t; /* t >= 0: its floor */
        first[i] = cell; /* nodes cell - 1 .. cell + 1, stored from 0 */
        bspline_weights((float)(t - (double)cell), weights + 3 * i);
    }
}

/* One output row of coordinates: the affine map's line plus the elastic
   displacement, spread from its three grid rows p with weights w. */
static void elastic_row(size_t cols, float start, float step, const float *FFNN_RESTRICT column,
                        const float *FFNN_RESTRICT p, size_t stride, const float w[3],
                        float *FFNN_RESTRICT out)
{
    const float w0 = w[0], w1 = w[1], w2 = w[2];
    const float *FFNN_RESTRICT p1 = p + stride, *FFNN_RESTRICT p2 = p + 2 * stride;
    size_t j;
    for (j = 0; j < cols; ++j)
        out[j] = (start + step * column[j]) + (w0 * p[j] + w1 * p1[j] + w2 * p2[j]);
}

static void affine_row(size_t cols, float start, float step, const float *FFNN_RESTRICT column,
                       float *FFNN_RESTRICT out)
{
    size_t j;
    for (j = 0; j < cols; ++j)
        out[j] = start + step * column[j];
}

/*
 * Where each output pixel of sample `index` reads the input, into g->y and
 * g->x: an affine map about the centre (turn, scale, shear, shift, drawn in
 * that order), plus the elastic displacement at the output pixel.
 */
static void locate(geometry *g, const ffnn_distortion *d, uint64_t seed, uint64_t index)
{
    const double pi = 3.14159265358979323846;
    const size_t rows = g->rows, cols = g->cols;
    stream s = stream_of(seed, index);
    const double angle = d->rotate * uniform_signed(&s) * (pi / 180.0);
    const double grow = 1.0 + d->scale * uniform_signed(&s);
    const double k = d->shear * uniform_signed(&s);
    const double ty = d->shift * uniform_signed(&s);
    const double tx = d->shift * uniform_signed(&s);
    const double c = cos(angle), sn = sin(angle);
    /* The inverse of grow * turn * shear, output offset to input offset. */
    const double m00 = c / grow, m01 = sn / grow;
    const double m10 = (-k * c - sn) / grow, m11 = (-k * sn + c) / grow;
    const double cy = 0.5 * (double)(rows - 1), cx = 0.5 * (double)(cols - 1);
    size_t r, j;
    if (g->elastic) {
        const size_t gr = g->grid_rows, gc = g->grid_cols;
        const double oy = uniform_unit(&s), ox = uniform_unit(&s);
        float *zy = g->grid, *zx = g->grid + gr * gc;
        float *py = g->partial, *px = g->partial + gr * cols;
        size_t a, i;
        for (i = 0; i < gr * gc; ++i) {
            uniform_pair(&s, &zy[i], &zx[i]);
            zy[i] *= g->amplitude;
            zx[i] *= g->amplitude;
        }
        spline_axis(rows, g->spacing, oy, g->row_weights, g->row_first);
        spline_axis(cols, g->spacing, ox, g->col_weights, g->col_first);
        /* Along the columns first, for every grid row ... */
        for (a = 0; a < gr; ++a) {
            const float *FFNN_RESTRICT ry = zy + a * gc, *FFNN_RESTRICT rx = zx + a * gc;
            float *FFNN_RESTRICT qy = py + a * cols, *FFNN_RESTRICT qx = px + a * cols;
            const float *FFNN_RESTRICT w = g->col_weights;
            const size_t *FFNN_RESTRICT first = g->col_first;
            for (j = 0; j < cols; ++j) {
                const size_t b = first[j];
                const float w0 = w[3 * j], w1 = w[3 * j + 1], w2 = w[3 * j + 2];
                qy[j] = w0 * ry[b] + w1 * ry[b + 1] + w2 * ry[b + 2];
                qx[j] = w0 * rx[b] + w1 * rx[b + 1] + w2 * rx[b + 2];
            }
        }
    }
    for (r = 0; r < rows; ++r) {
        const double dr = (double)r - cy - ty;
        const float y0 = (float)(cy + m00 * dr - m01 * (cx + tx));
        const float x0 = (float)(cx + m10 * dr - m11 * (cx + tx));
        if (g->elastic) {
            /* ... then along the rows, a whole output row at a time. */
            const float *p = g->partial + g->row_first[r] * cols;
            const float *w = g->row_weights + 3 * r;
            elastic_row(cols, y0, (float)m01, g->column, p, cols, w, g->y + r * cols);
            elastic_row(cols, x0, (float)m11, g->column, p + g->grid_rows * cols, cols, w, g->x + r * cols);
        } else {
            affine_row(cols, y0, (float)m01, g->column, g->y + r * cols);
            affine_row(cols, x0, (float)m11, g->column, g->x + r * cols);
        }
    }
}

int ffnn_distort_coordinates(const ffnn_distortion *d, uint64_t seed, uint64_t index,
                             size_t rows, size_t cols, float *FFNN_RESTRICT y,
                             float *FFNN_RESTRICT x)
{
    geometry g;
    int status = check_distortion(d);
    if (status != FFNN_OK)
        return status;
    if (rows == 0 || cols == 0)
        return FFNN_OK;
    if (y == NULL || x == NULL)
        return FFNN_ERROR_ARGUMENT;
    status = geometry_create(&g, d, rows, cols, 1);
    if (status != FFNN_OK)
        return status;
    locate(&g, d, seed, index);
    memcpy(y, g.y, rows * cols * sizeof(float));
    memcpy(x, g.x, rows * cols * sizeof(float));
    free(g.block);
    return FFNN_OK;
}

/* Defines distort_f32: the book's inputs, or float inputs. */
#define REAL float
#define SUFFIX _f32
#define OUT float
#define PIXEL_OUT(p) book_input_f32((float)(p))
#define PIXEL_BACKGROUND book_input_f32(0.0f)
#define INK_PER_LEVEL ((book_input_f32(255.0f) - book_input_f32(0.0f)) / 255.0f)
#define OUTPUT(background, ink) ((background) + (ink))
#include "distort_template.h"

/* Defines distort_f64. */
#define REAL double
#define SUFFIX _f64
#define OUT double
#define PIXEL_OUT(p) book_input_f64((double)(p))
#define PIXEL_BACKGROUND book_input_f64(0.0)
#define INK_PER_LEVEL ((book_input_f64(255.0) - book_input_f64(0.0)) / 255.0)
#define OUTPUT(background, ink) ((background) + (ink))
#include "distort_template.h"

/* Defines distort_u8: pixels to pixels, each blend rounded to the nearest
   level (it lies in 0 .. 255, so the cast after adding 0.5 rounds). */
#define REAL float
#define SUFFIX _u8
#define OUT uint8_t
#define PIXEL_OUT(p) (p)
#define PIXEL_BACKGROUND 0.0f
#define INK_PER_LEVEL 1.0f
#define OUTPUT(background, ink) ((uint8_t)((ink) + 0.5f))
#include "distort_template.h"

int ffnn_distort_f32(const ffnn_distortion *d, uint64_t seed, uint64_t first, size_t n,
                     size_t rows, size_t cols, const uint8_t *FFNN_RESTRICT pixels,
                     const float *FFNN_RESTRICT inputs, float background,
                     float *FFNN_RESTRICT out)
{
    return distort_f32(d, seed, first, n, rows, cols, pixels, inputs, background, out);
}

int ffnn_distort_f64(const ffnn_distortion *d, uint64_t seed, uint64_t first, size_t n,
                     size_t rows, size_t cols, const uint8_t *FFNN_RESTRICT pixels,
                     const double *FFNN_RESTRICT inputs, double background,
                     double *FFNN_RESTRICT out)
{
    return distort_f64(d, seed, first, n, rows, cols, pixels, inputs, background, out);
}

int ffnn_distort_pixels(const ffnn_distortion *d, uint64_t seed, uint64_t first, size_t n,
                        size_t rows, size_t cols, const uint8_t *FFNN_RESTRICT pixels,
                        uint8_t *FFNN_RESTRICT out)
{
    if (pixels == NULL && n != 0 && rows != 0 && cols != 0)
        return FFNN_ERROR_ARGUMENT;
    return distort_u8(d, seed, first, n, rows, cols, pixels, NULL, 0.0f, out);
}
