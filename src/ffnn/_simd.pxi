# Part of _core.pyx: the SIMD levels (ffnn.simd_level and its neighbours call these).

SIMD_LEVELS = {ffnn_simd_name(level).decode(): level for level in range(FFNN_SIMD_NEON + 1)}


def simd_available():
    """Names of the SIMD levels this build and this CPU can run, scalar first."""
    return [name for name, level in SIMD_LEVELS.items() if ffnn_simd_available(level)]


def simd_get():
    return ffnn_simd_name(ffnn_simd_get()).decode()


def simd_set(str name):
    if name not in SIMD_LEVELS or ffnn_simd_set(SIMD_LEVELS[name]) != FFNN_OK:
        raise ValueError(f"SIMD level {name!r} is not available here; choose from {simd_available()}")
