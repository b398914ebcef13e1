/*
 * Rotation of images about their centre, for the book's augmentation of the
 * training set with slightly rotated digits.
 *
 * The geometry (where each output pixel comes from, and with what bilinear
 * weights) is the same for every image of a call: it is computed once, in
 * double for both precisions, into a table, and each image then costs four
 * loads and four multiply-adds per pixel. rotate_template.h holds the
 * per-precision loop.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "ffnn.h"

/*
 * cos and sin of an angle in degrees, exact at multiples of 90 degrees:
 * reduce to a quarter turn plus a remainder in [-45, 45), so that rotating
 * by 90 degrees moves pixels exactly instead of blending them by 1e-16.
 */
static void cos_sin_degrees(double degrees, double *c, double *s)
{
    const double pi = 3.14159265358979323846;
    double a = fmod(degrees, 360.0);
    double quarter, rc, rs;
    if (a < 0.0)
        a += 360.0;
    quarter = floor((a + 45.0) / 90.0);
    a -= 90.0 * quarter;
    rc = cos(a * pi / 180.0);
    rs = sin(a * pi / 180.0);
    switch ((int)quarter % 4) {
    case 0: *c = rc; *s = rs; break;
    case 1: *c = -rs; *s = rc; break;
    case 2: *c = -rc; *s = -rs; break;
    default: *c = rs; *s = -rc; break;
    }
}

/* Where an output pixel reads the input: four neighbours and their weights. */
typedef struct {
    size_t i00, i01, i10, i11; /* offsets in the image: top-left, top-right, ... */
    double w00, w01, w10, w11;
    int inside;                /* 0: the point falls outside the input */
} source_point;

static source_point locate(size_t rows, size_t cols, double cosv, double sinv,
                           size_t r, size_t c)
{
    source_point p = {0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0};
    const double cr = 0.5 * (double)(rows - 1), cc = 0.5 * (double)(cols - 1);
    const double dr = (double)r - cr, dc = (double)c - cc;
    const double y = cosv * dr + sinv * dc + cr;
    const double x = -sinv * dr + cosv * dc + cc;
    size_t r0, c0, r1, c1;
    double fy, fx;
    /* Like scipy.ndimage's "constant" mode: a point outside the grid of
       pixel centres takes the background, one inside blends its four
       neighbours (a neighbour past the last row or column gets weight 0). */
    if (!(y >= 0.0 && y <= (double)(rows - 1) && x >= 0.0 && x <= (double)(cols - 1)))
        return p;
    r0 = (size_t)y;
    c0 = (size_t)x;
    fy = y - (double)r0;
    fx = x - (double)c0;
    r1 = r0 + 1 < rows ? r0 + 1 : r0;
    c1 = c0 + 1 < cols ? c0 + 1 : c0;
    p.i00 = r0 * cols + c0;
    p.i01 = r0 * cols + c1;
    p.i10 = r1 * cols + c0;
    p.i11 = r1 * cols + c1;
    p.w00 = (1.0 - fy) * (1.0 - fx);
    p.w01 = (1.0 - fy) * fx;
    p.w10 = fy * (1.0 - fx);
    p.w11 = fy * fx;
    p.inside = 1;
    return p;
}

/*
 * The table of source points of every output pixel, row by row; NULL if
 * rows * cols overflows or memory is short. The caller frees it.
 */
static source_point *locate_all(size_t rows, size_t cols, double degrees)
{
    double cosv, sinv;
    size_t r, c;
    source_point *table;
    if (rows > SIZE_MAX / cols || rows * cols > SIZE_MAX / sizeof(source_point))
        return NULL;
    table = (source_point *)malloc(rows * cols * sizeof(source_point));
    if (table == NULL)
        return NULL;
    cos_sin_degrees(degrees, &cosv, &sinv);
    for (r = 0; r < rows; ++r)
        for (c = 0; c < cols; ++c)
            table[r * cols + c] = locate(rows, cols, cosv, sinv, r, c);
    return table;
}

/* Defines ffnn_rotate_f32. */
#define REAL float
#define SUFFIX _f32
#include "rotate_template.h"

/* Defines ffnn_rotate_f64. */
#define REAL double
#define SUFFIX _f64
#include "rotate_template.h"
