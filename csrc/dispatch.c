/*
 * Run-time choice of the SIMD level. This build has the scalar kernels only;
 * faster levels register here as they are added.
 */
#include <stddef.h>

#include "ffnn.h"

static int current_level = FFNN_SIMD_SCALAR;

int ffnn_simd_available(int level)
{
    return level == FFNN_SIMD_SCALAR;
}

int ffnn_simd_get(void)
{
    return current_level;
}

int ffnn_simd_set(int level)
{
    if (!ffnn_simd_available(level))
        return -1;
    current_level = level;
    return 0;
}

const char *ffnn_simd_name(int level)
{
    static const char *const names[] = {"scalar", "avx2", "avx512", "neon"};
    if (level < 0 || level > FFNN_SIMD_NEON)
        return NULL;
    return names[level];
}
