/*
 * ffnn_rotate for one precision; included by rotate.c with REAL and SUFFIX
 * defined (both are undefined at the end).
 */

int FN(ffnn_rotate)(size_t n, size_t rows, size_t cols, double degrees,
                    REAL background, const REAL *FFNN_RESTRICT images,
                    REAL *FFNN_RESTRICT out)
{
    double cosv, sinv;
    size_t plane, i, r, c;
    if (rows == 0 || cols == 0)
        return 0;
    if (rows > SIZE_MAX / cols)
        return -1;
    plane = rows * cols;
    if (n > SIZE_MAX / plane)
        return -1;
    cos_sin_degrees(degrees, &cosv, &sinv);
    /* Pixel by pixel, every image: the geometry is recomputed per image
       (a few flops) so no table has to be allocated. */
    for (i = 0; i < n; ++i) {
        const REAL *src = images + i * plane;
        REAL *dst = out + i * plane;
        for (r = 0; r < rows; ++r) {
            for (c = 0; c < cols; ++c) {
                const source_point p = locate(rows, cols, cosv, sinv, r, c);
                dst[r * cols + c] = p.inside
                    ? (REAL)(p.w00 * src[p.i00] + p.w01 * src[p.i01]
                             + p.w10 * src[p.i10] + p.w11 * src[p.i11])
                    : background;
            }
        }
    }
    return 0;
}

#undef REAL
#undef SUFFIX
