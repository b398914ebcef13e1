/*
 * Run-time choice of the SIMD level. The scalar kernels are always built.
 * Which other levels a build has follows from its target alone, through the
 * preprocessor: every x86-64 build has AVX2 and AVX-512 (simd_avx2.c and
 * simd_avx512.c, and augment/distort_avx2.c, are compiled with their flags
 * there, and refuse to compile without them), used only when CPUID and XGETBV say both the CPU and the OS
 * support them; every arm64 build has NEON, part of every arm64 CPU. The
 * level is detected once and cached; it is the only mutable global state of
 * the library.
 */
#include <stddef.h>

#include "kernels/kernel_table.h"

#if defined(__x86_64__) || defined(_M_X64)
#define FFNN_X86_64 1
#define FFNN_HAVE_AVX2 1
#define FFNN_HAVE_AVX512 1
#if defined(_MSC_VER) && !defined(__clang__)
#include <immintrin.h>
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

#if defined(__aarch64__) || defined(_M_ARM64)
#define FFNN_HAVE_NEON 1
#endif

#ifdef FFNN_X86_64
/* Registers eax, ebx, ecx, edx of CPUID leaf `leaf`, subleaf `sub`. */
static void cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
#if defined(_MSC_VER) && !defined(__clang__)
    int v[4];
    __cpuidex(v, (int)leaf, (int)sub);
    for (int i = 0; i < 4; i++)
        r[i] = (unsigned)v[i];
#else
    r[0] = r[1] = r[2] = r[3] = 0;
    if ((unsigned)__get_cpuid_max(0, NULL) >= leaf)
        __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

/* XCR0: which register states the OS saves on a context switch. */
static unsigned long long xcr0(void)
{
#if defined(_MSC_VER) && !defined(__clang__)
    return _xgetbv(0);
#else
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
#endif
}

/* CPUID leaf 7 ebx bits of AVX-512 F, DQ, CD, BW and VL: the subsets MSVC's
   /arch:AVX512 lets the compiler use in simd_avx512.c, so all five are
   required (Xeon Phi, with F and CD only of these, runs the AVX2 level). */
#define AVX512_BITS                                                          \
    ((1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31))

/* The best x86-64 level this CPU and OS can run. */
static int detect_x86(void)
{
    unsigned l1[4], l7[4];
    unsigned long long xcr;
    cpuid(1, 0, l1);
    /* OSXSAVE (ecx 27) must be set before XGETBV may be executed. */
    if (!(l1[2] & (1u << 27)))
        return FFNN_SIMD_SCALAR;
    xcr = xcr0();
    cpuid(7, 0, l7);
    /* AVX2 (leaf 7 ebx 5), FMA (leaf 1 ecx 12), AVX (ecx 28); XMM and YMM
       state saved (XCR0 bits 1, 2). */
    if (!((l7[1] & (1u << 5)) && (l1[2] & (1u << 12)) && (l1[2] & (1u << 28)) &&
          (xcr & 0x6) == 0x6))
        return FFNN_SIMD_SCALAR;
    /* AVX-512 F, DQ, CD, BW and VL; the opmask and both ZMM halves saved
       (XCR0 bits 5-7, with XMM and YMM). */
    if ((l7[1] & AVX512_BITS) == AVX512_BITS && (xcr & 0xe6) == 0xe6)
        return FFNN_SIMD_AVX512;
    return FFNN_SIMD_AVX2;
}
#endif

/* The best level of this build on this CPU. */
static int detect(void)
{
#if defined(FFNN_X86_64)
    return detect_x86();
#elif defined(FFNN_HAVE_NEON)
    return FFNN_SIMD_NEON;
#else
    return FFNN_SIMD_SCALAR;
#endif
}

/* -1 until the first use; then the level in use. */
static int current_level = -1;
static int best_level = -1;

static int best(void)
{
    if (best_level < 0)
        best_level = detect();
    return best_level;
}

int ffnn_simd_available(int level)
{
    switch (level) {
    case FFNN_SIMD_SCALAR:
        return 1;
#ifdef FFNN_HAVE_AVX2
    case FFNN_SIMD_AVX2:
        return best() >= FFNN_SIMD_AVX2 && best() <= FFNN_SIMD_AVX512;
#endif
#ifdef FFNN_HAVE_AVX512
    case FFNN_SIMD_AVX512:
        return best() == FFNN_SIMD_AVX512;
#endif
#ifdef FFNN_HAVE_NEON
    case FFNN_SIMD_NEON:
        return best() == FFNN_SIMD_NEON;
#endif
    default:
        return 0;
    }
}

int ffnn_simd_get(void)
{
    if (current_level < 0) {
        /* The best level this build compiled in: AVX-512 CPUs also run the
           AVX2 kernels if only those were built. */
        int level = best();
        while (level > FFNN_SIMD_SCALAR && !ffnn_simd_available(level))
            level = level == FFNN_SIMD_NEON ? FFNN_SIMD_SCALAR : level - 1;
        current_level = level;
    }
    return current_level;
}

int ffnn_simd_set(int level)
{
    if (!ffnn_simd_available(level))
        return FFNN_ERROR_ARGUMENT;
    current_level = level;
    return FFNN_OK;
}

const char *ffnn_simd_name(int level)
{
    static const char *const names[] = {"scalar", "avx2", "avx512", "neon"};
    if (level < 0 || level > FFNN_SIMD_NEON)
        return NULL;
    return names[level];
}

const struct ffnn_kernels_f32 *ffnn_kernels_active_f32(void)
{
    switch (ffnn_simd_get()) {
#ifdef FFNN_HAVE_AVX2
    case FFNN_SIMD_AVX2:
        return &ffnn_avx2_f32;
#endif
#ifdef FFNN_HAVE_AVX512
    case FFNN_SIMD_AVX512:
        return &ffnn_avx512_f32;
#endif
#ifdef FFNN_HAVE_NEON
    case FFNN_SIMD_NEON:
        return &ffnn_neon_f32;
#endif
    default:
        return &ffnn_scalar_f32;
    }
}

const struct ffnn_kernels_f64 *ffnn_kernels_active_f64(void)
{
    switch (ffnn_simd_get()) {
#ifdef FFNN_HAVE_AVX2
    case FFNN_SIMD_AVX2:
        return &ffnn_avx2_f64;
#endif
#ifdef FFNN_HAVE_AVX512
    case FFNN_SIMD_AVX512:
        return &ffnn_avx512_f64;
#endif
#ifdef FFNN_HAVE_NEON
    case FFNN_SIMD_NEON:
        return &ffnn_neon_f64;
#endif
    default:
        return &ffnn_scalar_f64;
    }
}
