# Part of _core.pyx: Net, the C network object (ffnn_net) as a Python object that
# owns it: its weights and biases, its threads and sharing policy, and who may
# use it when (ffnn._access); and Samples, the data of one call.


cdef tuple layer_sizes(tuple weights):
    """The node counts that the weight matrices' shapes give, input first."""
    if not weights:
        raise ValueError("a network needs at least one weight matrix")
    sizes = []
    for k, w in enumerate(weights):
        if not isinstance(w, np.ndarray) or w.ndim != 2:
            raise ValueError(f"weight matrix {k} must be a 2-D NumPy array")
        if k == 0:
            if w.shape[1] == 0:
                raise ValueError("a network needs at least one input node")
            sizes.append(w.shape[1])
        if w.shape[1] != sizes[k] or w.shape[0] == 0:
            raise ValueError(f"weight matrix {k} has shape {w.shape}, which does not "
                             f"follow a layer of {sizes[k]} nodes")
        sizes.append(w.shape[0])
    return tuple(sizes)


cdef void *rows_of(object array, int typenum, Py_ssize_t cols, str name, Py_ssize_t *rows) except? NULL:
    """The data of `array`, rows of `cols` values (cols 0: a 1-D array, one value per row), or
    NULL for None; *rows is the row count, which every array given must share."""
    if array is None:
        return NULL
    cdef cnp.ndarray a = checked(array, typenum, 1 if cols == 0 else 2, name)
    if cols != 0 and a.shape[1] != cols:
        what = "outputs" if name == "targets" else "inputs"
        raise ValueError(f"expected {cols} {what}, got {a.shape[1]}")
    if rows[0] >= 0 and a.shape[0] != rows[0]:
        raise ValueError(f"{rows[0]} inputs but {a.shape[0]} {name}")
    rows[0] = a.shape[0]
    return cnp.PyArray_DATA(a)


def cache_aligned(matrix):
    """matrix itself if its data starts on a 64-byte cache line, else such a copy.

    The kernels read and write each weight row in whole SIMD vectors; rows
    that start mid-line cost a second cache access per vector.
    """
    if matrix.ctypes.data % 64 == 0:
        return matrix
    raw = np.empty(matrix.nbytes + 64, dtype=np.uint8)
    start = -raw.ctypes.data % 64
    aligned = raw[start : start + matrix.nbytes].view(matrix.dtype).reshape(matrix.shape)
    aligned[...] = matrix
    return aligned


cdef class Samples:
    """The samples of one operation, as the C core reads them (struct ffnn_samples).

    Inputs are the rows of `pixels` (uint8, scaled the book's way in C) or of
    `inputs`; for training and gradients, targets are the rows of `targets` or
    the book's targets of integer `labels` (int64). `background` is the value of
    every blank input (NaN if unknown; pixels' is known to the core), for the
    sparse engine; `label_name` names the labels in messages. Which arrays are
    given, and their sizes, are checked when a Net is handed them.
    """
    cdef readonly object pixels, inputs, targets, labels
    cdef readonly double background
    cdef readonly str label_name

    def __init__(self, pixels=None, inputs=None, targets=None, labels=None, double background=NAN,
                 str label_name="labels"):
        self.pixels, self.inputs, self.targets, self.labels = pixels, inputs, targets, labels
        self.background = background
        self.label_name = label_name

    @property
    def rows(self):
        """How many samples there are."""
        return len(self.pixels if self.pixels is not None else self.inputs)

    @property
    def is_pixels(self):
        return self.pixels is not None


cdef class Net:
    """A network of the C core, owning it: its node counts, dtype, threads and sharing
    policy, and the weight matrices (and bias vectors) it computes with, borrowed from
    NumPy and kept referenced here so that the C core's pointers stay valid.

    ``Net(weights, biases=None, threads=1, share_policy=ADAPTIVE)`` takes the layer
    sizes and dtype from the weight matrices (writeable C-contiguous float32 or
    float64, copied to cache-aligned memory where they are not aligned); ``biases``,
    if given, holds one vector per matrix, as long as that matrix has rows. ``bind``
    gives it new arrays of the same shapes. ``train``, ``query``, ``backquery`` and
    ``gradients`` are the C core's one entry per operation, with the GIL released,
    each in C calls sized by _call_sizes.pxi.

    Any number of threads may use one Net: queries of a one-thread net, and
    backqueries, run side by side; everything else (training, gradients, a query shared by the pool, new
    arrays, threads or policy) waits for them and runs alone (``exclusive``, which
    ``fit`` also holds over an epoch).
    """
    cdef ffnn_net *net
    cdef int typenum
    cdef Py_ssize_t n_in, n_out
    cdef object access
    cdef readonly tuple sizes
    cdef readonly object dtype
    cdef readonly tuple arrays
    cdef readonly object bias_arrays
    cdef readonly Py_ssize_t n_weights

    def __cinit__(self, weights, biases=None, int threads=1, int share_policy=FFNN_SHARE_ADAPTIVE):
        weights = tuple(weights)
        self.sizes = layer_sizes(weights)
        self.dtype = weights[0].dtype
        self.typenum = float_type(self.dtype)
        self.n_in, self.n_out = self.sizes[0], self.sizes[len(self.sizes) - 1]
        self.n_weights = sum(w.size for w in weights)
        self.access = AccessLock()
        cdef size_t n_layers = len(self.sizes) - 1
        cdef size_t *sizes = <size_t *>PyMem_Malloc((n_layers + 1) * sizeof(size_t))
        if sizes == NULL:
            raise MemoryError("cannot allocate the layer table")
        for k, size in enumerate(self.sizes):
            sizes[k] = size
        status = ffnn_net_create(&self.net, dtype_code(self.typenum), n_layers, sizes, biases is not None,
                                 threads)
        PyMem_Free(sizes)
        if status != FFNN_OK:
            raise status_error(status, f"a network of sizes {self.sizes}", threads=threads)
        self.share_policy = share_policy
        self.bind(weights, biases)

    def __dealloc__(self):
        ffnn_net_free(self.net)

    def exclusive(self):
        """A context in which the calling thread uses the net alone (re-entrant)."""
        return self.access.exclusive()

    def bind(self, weights, biases=None):
        """Compute with these weight matrices (and bias vectors) from now on, of the shapes
        the net has; each is kept as it is where it is cache-aligned, else as an aligned copy."""
        weights = tuple(cache_aligned(w) if isinstance(w, np.ndarray) else w for w in weights)
        cdef Py_ssize_t n_layers = len(self.sizes) - 1
        if len(weights) != n_layers:
            raise ValueError(f"expected {n_layers} weight matrices, got {len(weights)}")
        if biases is not None:
            biases = tuple(biases)
            if len(biases) != n_layers:
                raise ValueError(f"expected {n_layers} bias vectors, got {len(biases)}")
        cdef void **pointers = <void **>PyMem_Malloc(2 * n_layers * sizeof(void *))
        if pointers == NULL:
            raise MemoryError("cannot allocate the layer table")
        try:
            for k, w in enumerate(weights):
                checked(w, self.typenum, 2, f"weight matrix {k}", writeable=True)
                if w.shape != (self.sizes[k + 1], self.sizes[k]):
                    raise ValueError(f"weight matrix {k} has shape {w.shape}, which does not "
                                     f"follow a layer of {self.sizes[k]} nodes into {self.sizes[k + 1]}")
                pointers[k] = cnp.PyArray_DATA(w)
            for k, b in enumerate(biases or ()):
                checked(b, self.typenum, 1, f"bias vector {k}", writeable=True)
                if b.shape[0] != self.sizes[k + 1]:
                    raise ValueError(f"bias vector {k} has {b.shape[0]} entries, but layer {k + 1} "
                                     f"has {self.sizes[k + 1]} nodes")
                pointers[n_layers + k] = cnp.PyArray_DATA(b)
            with self.access.exclusive():
                status = ffnn_net_bind(self.net, pointers, NULL if biases is None else pointers + n_layers)
                if status == FFNN_OK:
                    self.arrays = weights
                    self.bias_arrays = biases
        finally:
            PyMem_Free(pointers)
        if status != FFNN_OK:
            raise status_error(status, "bind (bias vectors exactly when the net has bias nodes)")

    @property
    def threads(self):
        """Threads the work is shared between; the results do not depend on it."""
        return ffnn_net_threads(self.net)

    @threads.setter
    def threads(self, int threads):
        with self.access.exclusive():
            status = ffnn_net_set_threads(self.net, threads)
        if status != FFNN_OK:
            raise status_error(status, "threads", threads=threads)

    @property
    def share_policy(self):
        """When the threads share a task (a value of SHARE_POLICIES); the results do not depend on it."""
        return ffnn_net_share_policy(self.net)

    @share_policy.setter
    def share_policy(self, int policy):
        with self.access.exclusive():
            status = ffnn_net_set_share_policy(self.net, policy)
        if status != FFNN_OK:
            raise status_error(status, f"share policy {policy}")

    # ---- how long each C call is (the sizes themselves: _call_sizes.pxi) -----

    def train_chunk(self, Samples data, int engine):
        """Samples per C call of train on `data`: the sparse engine's longer calls where the C
        core would train them with it (asked for calls of that many), else the dense engine's,
        so that a call takes some milliseconds either way."""
        cdef ffnn_samples samples
        cdef ffnn_schedule schedule
        cdef int chosen = FFNN_ENGINE_DENSE
        dense = train_samples_per_call(self.n_weights, False)
        if engine == FFNN_ENGINE_DENSE or (data.pixels is None and data.background != data.background):
            return dense
        sparse = train_samples_per_call(self.n_weights, True)
        self.fill(&samples, data)
        schedule.order = NULL
        schedule.count = min(<Py_ssize_t>samples.rows, sparse)
        schedule.learning_rate = 0.1
        schedule.rule = FFNN_RULE_BOOK
        schedule.engine = engine
        if ffnn_train_engine(self.net, &samples, &schedule, &chosen) != FFNN_OK:
            return dense  # train itself names what is wrong
        return sparse if chosen == FFNN_ENGINE_SPARSE else dense

    def rotation_chunk(self, Py_ssize_t copies):
        """Images per C call of training on `copies` copies of each (the image and its rotations)."""
        return rotation_samples_per_call(self.n_weights, copies)

    def progress_chunk(self, Py_ssize_t unit, Py_ssize_t last=0, double seconds=0.0):
        """Samples of the next C call under a progress bar, in whole multiples of `unit`, from
        the last call's `last` samples and `seconds` (none yet: 0)."""
        return progress_samples_per_call(self.n_weights, unit, last, seconds)

    def query_calls(self, Py_ssize_t n, bint pixels=False):
        """The (start, end) rows of each C call of a query of `n` rows (of pixels or not)."""
        return query_call_rows(n, self.n_weights, ffnn_net_threads(self.net), pixels)

    # ---- the operations ------------------------------------------------------

    cdef int fill(self, ffnn_samples *samples, Samples data) except -1:
        """Fill `samples` from `data`, after checking that each array has the shape, type and
        layout the C code will read. Which ones are given is the C core's to check."""
        cdef Py_ssize_t rows = -1
        samples.background = data.background
        samples.pixels = <const uint8_t *>rows_of(data.pixels, cnp.NPY_UINT8, self.n_in, "pixels", &rows)
        samples.inputs = rows_of(data.inputs, self.typenum, self.n_in, "inputs", &rows)
        samples.targets = rows_of(data.targets, self.typenum, self.n_out, "targets", &rows)
        samples.labels = <const int64_t *>rows_of(data.labels, cnp.NPY_INT64, 0, "labels", &rows)
        samples.rows = max(rows, 0)
        return 0

    def train(self, Samples data, order, double learning_rate, int rule, int engine=FFNN_ENGINE_AUTO,
              double total=0.0):
        """Train on the samples of `data` in `order` (int64 row indices; None: every row in turn);
        returns `total` plus their squared errors, NaN once a weighted sum was not finite.

        The errors are added to `total` a call (train_chunk) of samples at a time, so an
        epoch trained in calls of whole chunks, each given the previous call's result, sums
        exactly as one call would. Between calls Ctrl-C is looked at (every few
        milliseconds), so the weights are those after the last completed sample; the call
        after a NaN is not made. Every label is checked before the first call (by a C call
        of no steps), and the C core checks the indices of a call before its first step: a
        bad one changes no weight. `engine` (ENGINES) is handed to the C core as ffnn.h
        describes it.
        """
        cdef ffnn_samples samples
        cdef ffnn_schedule schedule
        cdef const int64_t *positions = NULL
        cdef Py_ssize_t n, start = 0, count
        cdef Py_ssize_t chunk = self.train_chunk(data, engine)
        cdef double sse = 0
        cdef int status
        cdef bint checking
        self.fill(&samples, data)
        if order is None and <Py_ssize_t>samples.rows > chunk:
            order = np.arange(samples.rows, dtype=np.int64)
        if order is None:
            n = samples.rows
        else:
            positions = <const int64_t *>cnp.PyArray_DATA(checked(order, cnp.NPY_INT64, 1, "order"))
            n = order.shape[0]
        schedule.learning_rate = learning_rate
        schedule.rule = rule
        schedule.engine = engine
        # Each call checks the labels it visits; a first one of no steps checks every
        # label, once, so that a bad one, visited or not, changes no weight of any chunk.
        checking = data.labels is not None
        with self.access.exclusive():
            while True:  # once at least, so that a call of no steps still checks the samples
                count = 0 if checking else min(chunk, n - start)
                schedule.order = NULL if positions == NULL or checking else positions + start
                schedule.count = count
                with nogil:
                    status = ffnn_train(self.net, &samples, &schedule, &sse)
                # Not finite is no error here: the NaN total tells the caller, who knows
                # the epoch and the learning rate to name.
                if status != FFNN_OK and status != FFNN_ERROR_NOT_FINITE:
                    raise status_error(status, "train", ffnn_net_failed_row(self.net), labels=data.labels,
                                       label_name=data.label_name, n_classes=self.n_out, order=order,
                                       rows=samples.rows, offset=start)
                if checking:
                    checking = False
                    continue
                total += sse
                PyErr_CheckSignals()
                start += count
                if start >= n or total != total:
                    return total

    def query(self, outputs, Samples data, int engine=FFNN_ENGINE_AUTO, bint whole=False):
        """The forward pass of every sample of `data` into the rows of `outputs`, in calls
        of some milliseconds (query_calls) between which Ctrl-C is looked at, or in one
        call if `whole`. The results do not depend on the calls.

        `engine` (a value of ENGINES) says how pixels' first layer is computed: each
        sample the faster way, all through the matrix product, or all from their ink
        (csrc/sparse/pixel_query.h); the last is refused for inputs.
        """
        cdef ffnn_samples samples
        self.fill(&samples, data)
        checked(outputs, self.typenum, 2, "outputs", writeable=True)
        if outputs.shape != (samples.rows, self.n_out):
            raise ValueError(f"{samples.rows} inputs but room for outputs of shape {outputs.shape}")
        calls = [(0, samples.rows)] if whole else self.query_calls(samples.rows, data.pixels is not None)
        # One thread computes in scratch space of its own, beside other queries; a
        # pool runs one task at a time. The threads cannot change while either runs.
        with self.access.shared():
            if ffnn_net_threads(self.net) == 1:
                self.query_in_calls(&samples, calls, engine, outputs)
                return
        with self.access.exclusive():
            self.query_in_calls(&samples, calls, engine, outputs)

    cdef int query_in_calls(self, ffnn_samples *samples, list calls, int engine, outputs) except -1:
        cdef int status
        cdef ffnn_samples part = samples[0]
        cdef char *out = <char *>cnp.PyArray_DATA(outputs)
        cdef size_t in_row = self.n_in * (1 if samples.pixels != NULL else <size_t>cnp.PyArray_ITEMSIZE(outputs))
        cdef size_t out_row = self.n_out * <size_t>cnp.PyArray_ITEMSIZE(outputs)
        cdef Py_ssize_t start, end
        for start, end in calls:
            part.rows = end - start
            if samples.pixels != NULL:
                part.pixels = samples.pixels + start * in_row
            else:
                part.inputs = <const char *>samples.inputs + start * in_row
            with nogil:
                status = ffnn_query_engine(self.net, &part, engine, out + start * out_row)
            if status != FFNN_OK:
                raise status_error(status, "query")
            PyErr_CheckSignals()
        return 0

    def backquery(self, targets, image):
        """The book's backwards query of one target vector into `image`."""
        checked(targets, self.typenum, 1, "targets")
        checked(image, self.typenum, 1, "image", writeable=True)
        if targets.shape[0] != self.n_out or image.shape[0] != self.n_in:
            raise ValueError(f"backquery of {targets.shape[0]} targets into {image.shape[0]} inputs, "
                             f"for a network of sizes {self.sizes}")
        cdef const void *t = cnp.PyArray_DATA(targets)
        cdef void *x = cnp.PyArray_DATA(image)
        cdef int status
        with self.access.shared():  # scratch space of its own, no pool: beside queries
            with nogil:
                status = ffnn_backquery(self.net, t, x)
        if status != FFNN_OK:
            raise status_error(status, "backquery")

    def gradients(self, int rule, grads, bias_grads, Samples data):
        """The rule's gradient of every sample of `data`, summed, into `grads` (arrays shaped as
        the weights) and, if given, `bias_grads` (shaped as the biases, for a net with biases)."""
        cdef ffnn_samples samples
        cdef Py_ssize_t n_layers = len(self.sizes) - 1
        cdef int status
        self.fill(&samples, data)
        grads = tuple(grads)
        bias_grads = None if bias_grads is None else tuple(bias_grads)
        shapes = [(self.sizes[k + 1], self.sizes[k]) for k in range(n_layers)]
        if (len(grads) != n_layers or [g.shape for g in grads] != shapes
                or (bias_grads is not None and [b.shape for b in bias_grads] != [(s,) for s in self.sizes[1:]])):
            raise ValueError(f"gradient arrays of shapes {[g.shape for g in grads]} for a network of "
                             f"sizes {self.sizes}")
        cdef void **pointers = <void **>PyMem_Malloc(2 * n_layers * sizeof(void *))
        if pointers == NULL:
            raise MemoryError("cannot allocate the gradient table")
        try:
            for k, g in enumerate(grads):
                pointers[k] = cnp.PyArray_DATA(checked(g, self.typenum, 2, f"gradient {k}", writeable=True))
            for k, b in enumerate(bias_grads or ()):
                pointers[n_layers + k] = cnp.PyArray_DATA(
                    checked(b, self.typenum, 1, f"bias gradient {k}", writeable=True))
            with self.access.exclusive():
                with nogil:
                    status = ffnn_gradients(self.net, rule, &samples, pointers,
                                            NULL if bias_grads is None else pointers + n_layers)
        finally:
            PyMem_Free(pointers)
        if status != FFNN_OK:
            raise status_error(status, "gradients", ffnn_net_failed_row(self.net), labels=data.labels,
                               label_name=data.label_name, n_classes=self.n_out)
