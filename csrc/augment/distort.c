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
 *
 * Work only where ink can land. An output point reads ink only if it lies
 * within a pixel of the ink's box, and the elastic field moves no point by
 * more than its amplitude, so each output row gets coordinates only on the
 * span of columns whose affine point lies within the box grown by both
 * (about 470 of an MNIST image's 784 points); the rest is blank. On x86-64
 * (SSE2, part of every such CPU) the spread of the grid, the ink and each
 * row's span are done four or sixteen values at a time; where the level in
 * use has AVX2, distort_avx2.c does them eight or sixteen at a time, the
 * spans cut into groups of eight points taken in batches. Every path does
 * the operations of the plain C in their order, so the outputs are bitwise
 * the same on every path.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "augment/distort.h"
#include "core/book.h"

/* SSE2 for resampling into floats and pixels: part of every x86-64 CPU. */
#if defined(__SSE2__) || defined(_M_X64) || defined(_M_AMD64)
#include <emmintrin.h>
#define FFNN_DISTORT_SSE2 1
#else
#define FFNN_DISTORT_SSE2 0
#endif

/* AVX2 rows, eight points at a time, on x86-64 CPUs that have it
   (distort_avx2.c, built with that level's flags; chosen at run time with
   the kernels' level). Its spline stores size_t as 64-bit lanes, so not on
   x32, whose x86-64 code has a 4-byte size_t. */
#if FFNN_DISTORT_SSE2 && (defined(__x86_64__) || defined(_M_X64)) && \
    (defined(__LP64__) || defined(_WIN64))
#include "augment/distort_rows.h"
#define FFNN_DISTORT_AVX2 1
#else
#define FFNN_DISTORT_AVX2 0
#endif

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
    int wide;             /* rows by distort_avx2.c's kernels, eight points at a time */
    double spacing;       /* h, the grid's spacing in pixels */
    float amplitude;      /* alpha times the B-spline field's normalisation */
    double reach;         /* the most the elastic field moves a point, in pixels, and more */
    double offset[2];     /* the sample's grid offset (rows, columns), in cells */
    size_t grid_rows, grid_cols;
    size_t stacked;       /* grid_rows rounded up to a multiple of 8 */
    float *grid;          /* 2 planes (y, x) of grid_cols * stacked random values, by
                             grid column: node (a, b) at b * stacked + a */
    float *partial;       /* 2 planes of stacked * cols: the grid spread along rows */
    float *row_weights;   /* 3 per row */
    size_t *row_first;    /* the first of each row's 3 grid rows */
    float *col_weights;   /* 3 per column */
    size_t *col_first;
    float *y, *x;         /* source coordinates: rows * cols, or one row of cols */
    float *column;        /* 0, 1, ..., cols - 1 */
    int32_t *at;          /* cols: where each point of a row reads the ink buffer */
    size_t *span;         /* 2 per row: the columns that may read ink, from .. to */
    uint8_t *marks;       /* cols: which columns of an image hold ink */
    float *start;         /* 2 per row: its affine point at column 0, for the AVX2 kernels */
    uint32_t *group;      /* 2 per group of eight points of a row, for the AVX2 kernels */
    void *fv, *fu;        /* cols values of the precision each: its fractions */
    void *ink;            /* (rows + 2 PAD) * (cols + 2 PAD) values of the precision */
    void *block;          /* the one allocation holding all of the above */
} geometry;

/* The affine part of one sample: the inverse of grow * turn * shear (output
   offset to input offset) and the shift, about the centre (cy, cx). */
typedef struct {
    double m00, m01, m10, m11, cy, cx, ty, tx;
} affine_map;

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
 * The scratch space of a call: coordinates (of the whole image if `whole`,
 * else of a row), elastic grid and an ink buffer of `real_size`-byte values,
 * in one allocation. FFNN_OK or a status.
 */
static int geometry_create(geometry *g, const ffnn_distortion *d, size_t rows, size_t cols,
                           size_t real_size, int whole)
{
    size_t total = 0, plane, grid = 0, partial = 0, padded_rows, padded_cols, padded, i;
    char *p;
    memset(g, 0, sizeof *g);
    g->rows = rows;
    g->cols = cols;
    /* Coordinates are floats and offsets int32: sides up to 2^14 keep both exact. */
    if (rows > MAX_SIDE || cols > MAX_SIDE)
        return FFNN_ERROR_ARGUMENT;
    plane = whole ? rows * cols : cols;
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
        g->stacked = (g->grid_rows + 7) & ~(size_t)7;
        if (g->stacked > SIZE_MAX / 2 / g->grid_cols || g->stacked > SIZE_MAX / 2 / cols)
            return FFNN_ERROR_MEMORY;
        grid = 2 * g->stacked * g->grid_cols; /* the rows past grid_rows stay 0 */
        partial = 2 * g->stacked * cols;
        /* The smoothed field's standard deviation per unit of noise is
           sqrt(sum of the Gaussian's squared weights) = 1 / (2 sigma sqrt(pi));
           the B-spline field's is 11/20 (the mean over offsets of the sum
           of squared B-spline weights, per axis, squared). */
        g->amplitude = (float)(d->alpha / (2.0 * d->sigma * sqrt(pi)) / (11.0 / 20.0));
        /* Each displacement is a blend of grid values of at most `amplitude`
           with weights summing to 1 (up to a few roundings). */
        g->reach = (double)g->amplitude * 1.001;
    }
    if (!add_bytes(&total, grid, sizeof(float)) || !add_bytes(&total, partial, sizeof(float))
        || !add_bytes(&total, 3 * rows, sizeof(float)) || !add_bytes(&total, rows, sizeof(size_t))
        || !add_bytes(&total, 3 * cols, sizeof(float)) || !add_bytes(&total, cols, sizeof(size_t))
        || !add_bytes(&total, plane, sizeof(float)) || !add_bytes(&total, plane, sizeof(float))
        || !add_bytes(&total, cols, sizeof(float)) || !add_bytes(&total, cols, sizeof(int32_t))
        || !add_bytes(&total, 2 * rows, sizeof(size_t)) || !add_bytes(&total, cols, 1)
        || !add_bytes(&total, 2 * rows, sizeof(float))
        || !add_bytes(&total, 2 * rows * ((cols + 7) / 8), sizeof(uint32_t))
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
    TAKE(span, size_t, 2 * rows);
    TAKE(marks, uint8_t, cols);
    TAKE(start, float, 2 * rows);
    TAKE(group, uint32_t, 2 * rows * ((cols + 7) / 8));
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

/* Pixels i0 .. i1 - 1's 3 grid nodes and weights each, the grid at `offset`
   cells. */
static void spline_axis(size_t i0, size_t i1, double spacing, double offset, float *weights,
                        size_t *first, int wide)
{
    const double step = 1.0 / spacing;
    size_t i;
#if FFNN_DISTORT_AVX2
    if (wide) {
        ffnn_distort_spline_avx2(i0, i1, step, offset, weights, first);
        return;
    }
#else
    (void)wide;
#endif
    /* Through int64_t, sides being far below 2^63: the same values as
       size_t's, and cheaper conversions. */
    for (i = i0; i < i1; ++i) {
        const double t = (double)(int64_t)i * step + offset;
        const int64_t cell = (int64_t)t; /* t >= 0: its floor */
        first[i] = (size_t)cell; /* nodes cell - 1 .. cell + 1, stored from 0 */
        bspline_weights((float)(t - (double)cell), weights + 3 * i);
    }
}

/*
 * The random values of sample `index`: its affine map into *a and, for an
 * elastic distortion, the grid's values (times the amplitude) and its
 * offset (cells, in g->offset). The affine values are drawn first (turn,
 * scale, shear, shift), then the grid's offset and values. spline_axis
 * gives the rows' and columns' grid nodes and weights.
 */
static void draw(geometry *g, const ffnn_distortion *d, uint64_t seed, uint64_t index,
                 affine_map *a)
{
    const double pi = 3.14159265358979323846;
    stream s = stream_of(seed, index);
    const double angle = d->rotate * uniform_signed(&s) * (pi / 180.0);
    const double grow = 1.0 + d->scale * uniform_signed(&s);
    const double k = d->shear * uniform_signed(&s);
    const double c = cos(angle), sn = sin(angle);
    a->ty = d->shift * uniform_signed(&s);
    a->tx = d->shift * uniform_signed(&s);
    a->m00 = c / grow;
    a->m01 = sn / grow;
    a->m10 = (-k * c - sn) / grow;
    a->m11 = (-k * sn + c) / grow;
    a->cy = 0.5 * (double)(g->rows - 1);
    a->cx = 0.5 * (double)(g->cols - 1);
    if (g->elastic) {
        const size_t stacked = g->stacked, gr = g->grid_rows, gc = g->grid_cols;
        const double oy = uniform_unit(&s), ox = uniform_unit(&s);
        const float amplitude = g->amplitude;
        float *FFNN_RESTRICT zy = g->grid, *FFNN_RESTRICT zx = g->grid + gc * stacked;
        size_t row, col;
        /* Drawn row by row; stored by column. */
        for (row = 0; row < gr; ++row)
            for (col = 0; col < gc; ++col) {
                float u, v;
                uniform_pair(&s, &u, &v);
                zy[col * stacked + row] = u * amplitude;
                zx[col * stacked + row] = v * amplitude;
            }
        g->offset[0] = oy;
        g->offset[1] = ox;
    }
}

/* The elastic grid spread along the columns c0 .. c1 - 1, for grid rows
   a0 .. a1 - 1: the first of the field's two separable passes. */
static void spread_columns(geometry *g, size_t a0, size_t a1, size_t c0, size_t c1)
{
    const size_t stacked = g->stacked, cols = g->cols, plane = stacked * cols;
    const size_t grid_plane = g->grid_cols * stacked;
    const float *FFNN_RESTRICT w = g->col_weights;
    const size_t *FFNN_RESTRICT first = g->col_first;
    size_t a, j;
#if FFNN_DISTORT_AVX2
    if (g->wide) {
        ffnn_distort_spread_avx2(g->grid, stacked, grid_plane, w, first, cols, a0, a1, c0, c1,
                                 g->partial);
        return;
    }
#endif
#if FFNN_DISTORT_SSE2
    /* Four grid rows by four columns at a time: each column's blend of
       three grid columns (of four rows each, one load), then the 4 x 4
       block turned into four rows of four columns. */
    if (cols >= 4) {
        size_t s;
        for (s = c0; s < c1; s += 4) {
            const size_t t = s + 4 <= cols ? s : cols - 4;
            __m128 w0[4], w1[4], w2[4];
            const float *FFNN_RESTRICT z[4];
            int k, plane_index;
            for (k = 0; k < 4; ++k) {
                const size_t jj = t + (size_t)k;
                w0[k] = _mm_set1_ps(w[3 * jj]);
                w1[k] = _mm_set1_ps(w[3 * jj + 1]);
                w2[k] = _mm_set1_ps(w[3 * jj + 2]);
                z[k] = g->grid + first[jj] * stacked;
            }
            for (plane_index = 0; plane_index < 2; ++plane_index) {
                const size_t zo = (size_t)plane_index * grid_plane;
                float *FFNN_RESTRICT q = g->partial + (size_t)plane_index * plane;
                for (a = a0 & ~(size_t)3; a < a1; a += 4) {
                    __m128 b[4];
                    for (k = 0; k < 4; ++k) {
                        const float *FFNN_RESTRICT zk = z[k] + zo + a;
                        b[k] = _mm_add_ps(_mm_add_ps(_mm_mul_ps(w0[k], _mm_loadu_ps(zk)),
                                                     _mm_mul_ps(w1[k], _mm_loadu_ps(zk + stacked))),
                                          _mm_mul_ps(w2[k], _mm_loadu_ps(zk + 2 * stacked)));
                    }
                    _MM_TRANSPOSE4_PS(b[0], b[1], b[2], b[3]);
                    for (k = 0; k < 4; ++k)
                        _mm_storeu_ps(q + (a + (size_t)k) * cols + t, b[k]);
                }
            }
        }
        return;
    }
#endif
    for (a = a0; a < a1; ++a) {
        const float *FFNN_RESTRICT zy = g->grid + a, *FFNN_RESTRICT zx = zy + grid_plane;
        float *FFNN_RESTRICT qy = g->partial + a * cols;
        float *FFNN_RESTRICT qx = qy + plane;
        for (j = c0; j < c1; ++j) {
            const size_t b = first[j] * stacked;
            const float w0 = w[3 * j], w1 = w[3 * j + 1], w2 = w[3 * j + 2];
            qy[j] = w0 * zy[b] + w1 * zy[b + stacked] + w2 * zy[b + 2 * stacked];
            qx[j] = w0 * zx[b] + w1 * zx[b + stacked] + w2 * zx[b + 2 * stacked];
        }
    }
}

/* Where output row r's affine map starts (its column 0), rounded to floats. */
static void row_start(const affine_map *a, size_t r, float *y0, float *x0)
{
    const double dr = (double)r - a->cy - a->ty;
    *y0 = (float)(a->cy + a->m00 * dr - a->m01 * (a->cx + a->tx));
    *x0 = (float)(a->cx + a->m10 * dr - a->m11 * (a->cx + a->tx));
}

/* Points j0 .. j1 - 1 of one output row of coordinates: the affine map's
   line plus the elastic displacement, spread from its three grid rows p
   with weights w (the second pass). */
static void elastic_row(size_t j0, size_t j1, float start, float step,
                        const float *FFNN_RESTRICT column, const float *FFNN_RESTRICT p,
                        size_t stride, const float w[3], float *FFNN_RESTRICT out)
{
    const float w0 = w[0], w1 = w[1], w2 = w[2];
    const float *FFNN_RESTRICT p1 = p + stride, *FFNN_RESTRICT p2 = p + 2 * stride;
    size_t j;
    for (j = j0; j < j1; ++j)
        out[j] = (start + step * column[j]) + (w0 * p[j] + w1 * p1[j] + w2 * p2[j]);
}

static void affine_row(size_t j0, size_t j1, float start, float step,
                       const float *FFNN_RESTRICT column, float *FFNN_RESTRICT out)
{
    size_t j;
    for (j = j0; j < j1; ++j)
        out[j] = start + step * column[j];
}

/* Output row r's source coordinates at points j0 .. j1 - 1, into y and x
   (indexed by column); the elastic grid spread along those columns. */
static void row_coordinates(const geometry *g, const affine_map *a, size_t r, size_t j0,
                            size_t j1, float *FFNN_RESTRICT y, float *FFNN_RESTRICT x)
{
    float y0, x0;
    row_start(a, r, &y0, &x0);
    if (g->elastic) {
        const size_t cols = g->cols;
        const float *p = g->partial + g->row_first[r] * cols;
        const float *w = g->row_weights + 3 * r;
        elastic_row(j0, j1, y0, (float)a->m01, g->column, p, cols, w, y);
        elastic_row(j0, j1, x0, (float)a->m11, g->column, p + g->stacked * cols, cols, w, x);
    } else {
        affine_row(j0, j1, y0, (float)a->m01, g->column, y);
        affine_row(j0, j1, x0, (float)a->m11, g->column, x);
    }
}

/*
 * Each output row's columns j, span[2 r] <= j < span[2 r + 1], whose affine
 * point (row_start + j * (m01, m11)) may lie strictly inside the box lo..hi
 * (top, bottom; left, right) grown by `slack` pixels, and by more than the
 * rounding of the coordinates: a superset of those whose float coordinates
 * do (an empty span if none). Along each axis the row's start is a line in
 * r, and so are the ends of its span.
 */
static void row_spans(const affine_map *a, size_t rows, size_t cols, const double lo[2],
                      const double hi[2], double slack, size_t *FFNN_RESTRICT span)
{
    const double dr0 = -a->cy - a->ty;
    const double base[2] = {a->cy + a->m00 * dr0 - a->m01 * (a->cx + a->tx),
                            a->cx + a->m10 * dr0 - a->m11 * (a->cx + a->tx)};
    const double slope[2] = {a->m00, a->m10}, step[2] = {a->m01, a->m11};
    /* The span's ends along each axis, from[axis] + r * by[axis] and
       to[axis] + r * by_to[axis], in columns; a flat axis (a step under
       1e-9 pixels per column, under 2e-5 pixels over a row) bounds rows
       instead: lower < start < upper. */
    double from[2], to[2], by[2], by_to[2], lower[2], upper[2];
    int flat[2], axis;
    size_t r;
    for (axis = 0; axis < 2; ++axis) {
        const double end = base[axis] + slope[axis] * (double)rows;
        /* More than the float coordinates' rounding, relative to their size,
           and than the rounding of the lines. */
        const double margin = slack + 1e-6 * (fabs(base[axis]) + fabs(end)
                                              + fabs(step[axis]) * (double)cols + (double)rows
                                              + (double)cols + fabs(a->ty) + fabs(a->tx));
        lower[axis] = lo[axis] - margin;
        upper[axis] = hi[axis] + margin;
        flat[axis] = !(fabs(step[axis]) > 1e-9);
        if (!flat[axis]) {
            const double inverse = 1.0 / step[axis];
            const double first = (inverse > 0.0 ? lower[axis] : upper[axis]) - base[axis];
            const double last = (inverse > 0.0 ? upper[axis] : lower[axis]) - base[axis];
            from[axis] = first * inverse;
            to[axis] = last * inverse;
            by[axis] = by_to[axis] = -slope[axis] * inverse;
        }
    }
    for (r = 0; r < rows; ++r) {
        double first = 0.0, last = (double)cols - 1.0;
        for (axis = 0; axis < 2; ++axis) {
            if (flat[axis]) {
                const double start = base[axis] + slope[axis] * (double)r;
                if (!(start > lower[axis] && start < upper[axis]))
                    last = -1.0;
            } else {
                const double f = from[axis] + by[axis] * (double)r;
                const double t = to[axis] + by_to[axis] * (double)r;
                first = f > first ? f : first;
                last = t < last ? t : last;
            }
        }
        if (first <= last) {
            span[2 * r] = (size_t)(int64_t)first; /* first >= 0: its floor */
            span[2 * r + 1] = (size_t)(int64_t)last + 1;
        } else {
            span[2 * r] = span[2 * r + 1] = 0;
        }
    }
}

/*
 * Where each output pixel of sample `index` reads the input, into g->y and
 * g->x (the whole image): an affine map about the centre (turn, scale,
 * shear, shift, drawn in that order), plus the elastic displacement at the
 * output pixel.
 */
static void locate(geometry *g, const ffnn_distortion *d, uint64_t seed, uint64_t index)
{
    const size_t rows = g->rows, cols = g->cols;
    affine_map a;
    size_t r;
    draw(g, d, seed, index, &a);
    if (g->elastic) {
        spline_axis(0, rows, g->spacing, g->offset[0], g->row_weights, g->row_first, 0);
        spline_axis(0, cols, g->spacing, g->offset[1], g->col_weights, g->col_first, 0);
        spread_columns(g, 0, g->grid_rows, 0, cols);
    }
    for (r = 0; r < rows; ++r)
        row_coordinates(g, &a, r, 0, cols, g->y + r * cols, g->x + r * cols);
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
    status = geometry_create(&g, d, rows, cols, 1, 1);
    if (status != FFNN_OK)
        return status;
    locate(&g, d, seed, index);
    memcpy(y, g.y, rows * cols * sizeof(float));
    memcpy(x, g.x, rows * cols * sizeof(float));
    free(g.block);
    return FFNN_OK;
}

#if FFNN_DISTORT_AVX2
/* Whether this call's rows go to the AVX2 kernels: the level in use has
   AVX2 and a row holds a group of eight. */
static int use_wide(size_t cols)
{
    const int level = ffnn_simd_get();
    return cols >= 8 && (level == FFNN_SIMD_AVX2 || level == FFNN_SIMD_AVX512);
}

/*
 * The groups of eight points of rows first_row .. last_row (their spans
 * in g->span), into *groups with what the AVX2 kernels need to compute
 * them from the float ink buffer. A row's last group is moved back to end
 * at the row's end, and a group may reach 7 points beyond the span on
 * either side: the caller has spread the elastic grid along those columns.
 */
static void group_points(geometry *g, const affine_map *a, size_t first_row, size_t last_row,
                         const float *ink, ffnn_distort_groups *groups)
{
    const size_t cols = g->cols;
    uint32_t *FFNN_RESTRICT group = g->group;
    size_t r, n = 0;
    groups->ink = ink;
    groups->rows = g->rows;
    groups->cols = cols;
    groups->step_y = (float)a->m01;
    groups->step_x = (float)a->m11;
    groups->start = g->start;
    groups->partial_y = groups->partial_x = NULL;
    groups->row_first = g->row_first;
    groups->row_weights = g->row_weights;
    if (g->elastic) {
        groups->partial_y = g->partial;
        groups->partial_x = g->partial + g->stacked * cols;
    }
    for (r = first_row; r <= last_row; ++r) {
        const size_t j0 = g->span[2 * r], j1 = g->span[2 * r + 1];
        size_t s;
        if (j0 >= j1)
            continue;
        row_start(a, r, g->start + 2 * r, g->start + 2 * r + 1);
        for (s = j0; s < j1; s += 8) {
            group[2 * n] = (uint32_t)r;
            group[2 * n + 1] = (uint32_t)(s + 8 <= cols ? s : cols - 8);
            ++n;
        }
    }
    groups->group = group;
    groups->n_groups = n;
}
#endif

#if FFNN_DISTORT_SSE2
/* Four blends of ink written out, as OUTPUT writes one. */
static void store4_f32(float *o, __m128 background, __m128 ink)
{
    _mm_storeu_ps(o, _mm_add_ps(background, ink));
}

static void store4_u8(uint8_t *o, __m128 ink)
{
    /* Each in 0 .. 255 after rounding, so the saturating packs change none. */
    __m128i level = _mm_cvttps_epi32(_mm_add_ps(ink, _mm_set1_ps(0.5f)));
    int32_t four;
    level = _mm_packs_epi32(level, level);
    four = _mm_cvtsi128_si32(_mm_packus_epi16(level, level));
    memcpy(o, &four, 4);
}
#endif

/* Defines distort_f32: the book's inputs, or float inputs. */
#define REAL float
#define SUFFIX _f32
#define OUT float
#define PIXEL_OUT(p) book_input_f32((float)(p))
#define PIXEL_BACKGROUND book_input_f32(0.0f)
#define INK_PER_LEVEL ((book_input_f32(255.0f) - book_input_f32(0.0f)) / 255.0f)
#define OUTPUT(background, ink) ((background) + (ink))
#define STORE4(o, background, ink) store4_f32((o), (background), (ink))
#define GROUPS8(groups, background, o) ffnn_distort_groups_avx2_f32((groups), (background), (o))
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
#define STORE4(o, background, ink) store4_u8((o), (ink))
#define GROUPS8(groups, background, o) ffnn_distort_groups_avx2_u8((groups), (o))
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
