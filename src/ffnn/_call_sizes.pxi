# Part of _core.pyx: how many samples one C call takes. Every C call of a long
# operation is sized here, and nowhere else: long enough that Python's share of
# the time is negligible, short enough that Ctrl-C, a progress bar or a chunk of
# rotated copies never waits long for it, and split where one call would split
# its own work, so that the results are those of one call, bit for bit.

# Ctrl-C is looked at after about this many weight updates (a few
# milliseconds of work), so it is answered quickly whatever the network's size.
cdef Py_ssize_t UPDATES_PER_CHUNK = 1 << 24
cdef Py_ssize_t MAX_SAMPLES_PER_CHUNK = 1024
# The sparse engine's steps cost a fraction of the weights each, and each of
# its calls two passes over the first layer (its working copy made and
# written back): its chunks are longer. For 784-200-10 on MNIST, 2048
# samples take 7 ms (float32) to 13 ms (float64), and are 5 % (float32) and
# 4 % (float64) faster than chunks of 512 (4096: no faster). At the most
# ink that the engine takes, where a step costs about a dense one, 1 << 29
# updates are some tens of milliseconds: Ctrl-C is still answered well
# within a tenth of a second. A multiple of the engine's fold period where
# it can be, so that an epoch trained in several calls folds where one call
# would.
cdef Py_ssize_t SPARSE_UPDATES_PER_CHUNK = 1 << 29
cdef Py_ssize_t MAX_SPARSE_SAMPLES_PER_CHUNK = 2048

# Multiply-adds per query call: a batch query is split into calls of about
# this many (a few tens of milliseconds), so that Ctrl-C is answered between them.
cdef Py_ssize_t QUERY_UPDATES = 1 << 25
# Rows of a query call on pixels for one of inputs: enough that making W^T once
# per call (csrc/sparse/pixel_query.h) costs a few percent of calls of MNIST
# pictures; those of pictures with too much ink take up to that many times as long.
cdef Py_ssize_t PIXEL_ROWS = 8

# Training images rotated at a time by fit(augment=...): small enough to stay
# in cache, large enough that Python's share of the time is negligible; for
# large networks fewer, so that a progress bar still moves.
cdef Py_ssize_t ROTATION_CHUNK = 256
cdef Py_ssize_t ROTATION_UPDATES = 1 << 27

# Training images distorted at a time by fit(distort=...): a chunk's book inputs
# (1.6 MB of float32 for MNIST) stay in cache between the C call that distorts
# them and the one that trains on them, and fit distorts the next chunk while
# the core trains on this one; for large networks fewer, so that a progress bar
# still moves.
cdef Py_ssize_t DISTORTION_CHUNK = 512
cdef Py_ssize_t DISTORTION_UPDATES = 1 << 27

# Under a progress bar, chunks are sized to take about this long: the bar
# moves several times a second, and a chunk's Python overhead (some
# microseconds) stays far below its time in C. The first, before any speed is
# measured, is this many multiply-adds: some milliseconds.
cdef double PROGRESS_SECONDS = 0.15
cdef Py_ssize_t FIRST_PROGRESS_UPDATES = 1 << 23


cdef Py_ssize_t train_samples_per_call(Py_ssize_t n_weights, bint sparse):
    """Samples per C call of training: a few milliseconds' worth (the sparse engine's in whole folds)."""
    if not sparse:
        return max(1, min(MAX_SAMPLES_PER_CHUNK, UPDATES_PER_CHUNK // n_weights))
    cdef Py_ssize_t chunk = max(1, min(MAX_SPARSE_SAMPLES_PER_CHUNK, SPARSE_UPDATES_PER_CHUNK // n_weights))
    if chunk >= FFNN_SPARSE_FOLD:
        chunk -= chunk % FFNN_SPARSE_FOLD
    return chunk


cdef list query_call_rows(Py_ssize_t n, Py_ssize_t n_weights, int threads, bint pixels):
    """The (start, end) rows of each C call of a query of n rows: about QUERY_UPDATES
    multiply-adds each, in whole blocks of the core's batch query, so that they split the
    batch where one call would. Pixels' calls have PIXEL_ROWS times the rows, and none
    has fewer than FFNN_PIXEL_MIN_SAMPLES rows unless the query has, since a call that
    short takes the dense way (the same values up to rounding) where one call would not."""
    cdef Py_ssize_t rows = max(1, QUERY_UPDATES // n_weights) * threads * (PIXEL_ROWS if pixels else 1)
    rows += -rows % FFNN_QUERY_BLOCK
    if n <= rows:  # one call (a single sample, say)
        return [(0, n)]
    starts = list(range(0, n, rows))
    if pixels and len(starts) > 1 and n - starts[len(starts) - 1] < FFNN_PIXEL_MIN_SAMPLES:
        starts.pop()
    return list(zip(starts, starts[1:] + [n]))


cdef Py_ssize_t rotation_samples_per_call(Py_ssize_t n_weights, Py_ssize_t copies):
    """Images per C call of training on rotated copies (each image and its copies)."""
    return max(1, min(ROTATION_CHUNK, ROTATION_UPDATES // (copies * n_weights)))


cdef Py_ssize_t distortion_samples_per_call(Py_ssize_t n_weights):
    """Images per C call of distortion, and of training on them."""
    return max(1, min(DISTORTION_CHUNK, DISTORTION_UPDATES // n_weights))


cdef Py_ssize_t progress_samples_per_call(Py_ssize_t n_weights, Py_ssize_t unit, Py_ssize_t last,
                                          double seconds):
    """Samples of the next C call under a progress bar: whole multiples of `unit` (the
    calls' own size, so that the sum is grouped as in one call), sized from the last
    call (`last` samples in `seconds`; none yet: 0) to take about PROGRESS_SECONDS."""
    cdef Py_ssize_t size
    if last == 0:
        size = FIRST_PROGRESS_UPDATES // n_weights
    else:
        size = <Py_ssize_t>min(last / max(seconds, 1e-6) * PROGRESS_SECONDS, 4.0 * last)
    return max(unit, size - size % unit)
