# Part of _core.pyx: Net, the C network object (ffnn_net) as a Python object.

# Ctrl-C is looked at after about this many weight updates (a few
# milliseconds of work), so it is answered quickly whatever the network's size.
cdef Py_ssize_t UPDATES_PER_CHUNK = 1 << 24
cdef Py_ssize_t MAX_SAMPLES_PER_CHUNK = 1024
# The sparse engine's steps cost a fraction of the weights each, and each of
# its calls two passes over the first layer (its working copy made and
# written back): its chunks are longer. For 784-200-10 on MNIST, 2048
# samples take 7 ms (float32) to 13 ms (float64), and are 5 % (float32) and
# 4 % (float64) faster than chunks of 512 (4096: no faster). At the most
# ink that the engine takes (FFNN_SPARSE_MAX_INK), where a step costs about
# a dense one, 1 << 29 updates are some tens of milliseconds: Ctrl-C is
# still answered well within a tenth of a second. A multiple of the fold
# period, 256 (csrc/sparse/engine.h), where it can be, so that an epoch
# trained in several calls folds where one call would.
cdef Py_ssize_t SPARSE_UPDATES_PER_CHUNK = 1 << 29
cdef Py_ssize_t MAX_SPARSE_SAMPLES_PER_CHUNK = 2048
cdef Py_ssize_t SPARSE_FOLD = 256


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


cdef class Net:
    """A network of the C core: its node counts, dtype and threads, and the weight
    matrices (and bias vectors) it computes with, borrowed from NumPy.

    ``Net(weights, biases=None, threads=1)`` takes the layer sizes and dtype from
    the weight matrices (writeable C-contiguous float32 or float64); ``biases``,
    if given, holds one vector per matrix, as long as that matrix has rows.
    The net keeps references to the arrays so that the C core's pointers stay
    valid; ``bind`` gives it new arrays of the same shapes. ``train``,
    ``query``, ``backquery`` and ``gradients`` are the C core's one entry per
    operation, with the GIL released.
    """
    cdef ffnn_net *net
    cdef int typenum
    cdef int n_threads
    cdef int policy
    cdef Py_ssize_t n_in, n_out
    cdef readonly tuple sizes
    cdef readonly object dtype
    cdef readonly tuple arrays
    cdef readonly object bias_arrays
    cdef readonly Py_ssize_t samples_per_chunk
    cdef readonly Py_ssize_t sparse_samples_per_chunk

    def __cinit__(self, weights, biases=None, int threads=1):
        weights = tuple(weights)
        self.sizes = layer_sizes(weights)
        self.dtype = weights[0].dtype
        self.typenum = float_type(self.dtype)
        self.n_in, self.n_out = self.sizes[0], self.sizes[len(self.sizes) - 1]
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
        self.n_threads = threads
        self.bind(weights, biases)
        n_weights = sum(w.size for w in weights)
        self.samples_per_chunk = max(1, min(MAX_SAMPLES_PER_CHUNK, UPDATES_PER_CHUNK // n_weights))
        sparse_chunk = max(1, min(MAX_SPARSE_SAMPLES_PER_CHUNK, SPARSE_UPDATES_PER_CHUNK // n_weights))
        if sparse_chunk >= SPARSE_FOLD:
            sparse_chunk -= sparse_chunk % SPARSE_FOLD
        self.sparse_samples_per_chunk = sparse_chunk

    def __dealloc__(self):
        ffnn_net_free(self.net)

    def bind(self, weights, biases=None):
        """Compute with these weight matrices (and bias vectors) from now on, of the shapes the net has."""
        weights = tuple(weights)
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
            status = ffnn_net_bind(self.net, pointers, NULL if biases is None else pointers + n_layers)
        finally:
            PyMem_Free(pointers)
        if status != FFNN_OK:
            raise status_error(status, "bind (bias vectors exactly when the net has bias nodes)")
        self.arrays = weights
        self.bias_arrays = biases

    @property
    def threads(self):
        """Threads the work is shared between; the results do not depend on it."""
        return self.n_threads

    @threads.setter
    def threads(self, int threads):
        status = ffnn_net_set_threads(self.net, threads)
        if status != FFNN_OK:
            raise status_error(status, "threads", threads=threads)
        self.n_threads = threads

    @property
    def share_policy(self):
        """When the threads share a task (a value of SHARE_POLICIES); the results do not depend on it."""
        return self.policy

    @share_policy.setter
    def share_policy(self, int policy):
        status = ffnn_net_set_share_policy(self.net, policy)
        if status != FFNN_OK:
            raise status_error(status, f"share policy {policy}")
        self.policy = policy

    def chunk(self, int engine, pixels=None, inputs=None, double background=NAN):
        """Samples per C call of train on these samples: sparse_samples_per_chunk where the
        C core would train them with the sparse engine (asked for calls of that many),
        else samples_per_chunk, so that a call takes some milliseconds either way."""
        cdef ffnn_samples samples
        cdef ffnn_schedule schedule
        cdef int chosen = FFNN_ENGINE_DENSE
        if engine == FFNN_ENGINE_DENSE or (pixels is None and background != background):
            return self.samples_per_chunk
        self.samples(&samples, pixels, inputs, None, None)
        samples.background = background
        schedule.order = NULL
        schedule.count = min(<Py_ssize_t>samples.rows, self.sparse_samples_per_chunk)
        schedule.learning_rate = 0.1
        schedule.rule = FFNN_RULE_BOOK
        schedule.engine = engine
        if ffnn_train_engine(self.net, &samples, &schedule, &chosen) != FFNN_OK:
            return self.samples_per_chunk  # train itself names what is wrong
        return self.sparse_samples_per_chunk if chosen == FFNN_ENGINE_SPARSE else self.samples_per_chunk

    cdef int samples(self, ffnn_samples *samples, pixels, inputs, targets, labels) except -1:
        """Fill `samples` from the arrays given (None for none), after checking that each has
        the shape, type and layout the C code will read. Which ones are given is the C core's
        to check."""
        cdef Py_ssize_t rows = -1
        samples.background = NAN
        samples.pixels = <const uint8_t *>rows_of(pixels, cnp.NPY_UINT8, self.n_in, "pixels", &rows)
        samples.inputs = rows_of(inputs, self.typenum, self.n_in, "inputs", &rows)
        samples.targets = rows_of(targets, self.typenum, self.n_out, "targets", &rows)
        samples.labels = <const int64_t *>rows_of(labels, cnp.NPY_INT64, 0, "labels", &rows)
        samples.rows = max(rows, 0)
        return 0

    def train(self, order, double learning_rate, int rule, pixels=None, inputs=None, targets=None,
              labels=None, double total=0.0, str label_name="labels", int engine=FFNN_ENGINE_AUTO,
              double background=NAN):
        """Train on the samples in `order` (int64 row indices; None: every row in turn); returns
        `total` plus their squared errors, NaN once a weighted sum was not finite.

        Inputs are rows of `pixels` (uint8, scaled the book's way in C) or of `inputs`;
        targets rows of `targets` or the book's targets of integer `labels` (int64).
        The errors are added to `total` a chunk (see chunk) of samples at a time, so
        an epoch trained in calls of whole chunks, each given the previous call's result,
        sums exactly as one call would. Between chunks Ctrl-C is looked at (every few
        milliseconds), so the weights are those after the last completed sample; the chunk
        after a NaN is not trained. Every label is checked before the first chunk (by a
        C call of no steps), and the C core checks the indices of a chunk before its first
        step: a bad one changes no weight; `label_name` names the labels
        in the message. `engine` (ENGINES) and `background` (the value of every non-ink
        input, NaN if unknown) are handed to the C core as ffnn.h describes them.
        """
        cdef ffnn_samples samples
        cdef ffnn_schedule schedule
        cdef const int64_t *positions = NULL
        cdef Py_ssize_t n, start = 0, count
        cdef Py_ssize_t chunk = self.chunk(engine, pixels, inputs, background)
        cdef double sse = 0
        cdef int status
        cdef bint checking
        self.samples(&samples, pixels, inputs, targets, labels)
        samples.background = background
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
        checking = labels is not None
        while True:  # once at least, so that a call of no steps still checks the samples
            count = 0 if checking else min(chunk, n - start)
            schedule.order = NULL if positions == NULL or checking else positions + start
            schedule.count = count
            with nogil:
                status = ffnn_train(self.net, &samples, &schedule, &sse)
            # Not finite is no error here: the NaN total tells the caller, who knows
            # the epoch and the learning rate to name.
            if status != FFNN_OK and status != FFNN_ERROR_NOT_FINITE:
                raise status_error(status, "train", ffnn_net_failed_row(self.net), labels=labels,
                                   label_name=label_name, n_classes=self.n_out, order=order,
                                   rows=samples.rows, offset=start)
            if checking:
                checking = False
                continue
            total += sse
            PyErr_CheckSignals()
            start += count
            if start >= n or total != total:
                return total

    def query(self, outputs, pixels=None, inputs=None, double background=NAN,
              int engine=FFNN_ENGINE_AUTO):
        """The forward pass of every row of `pixels` (uint8) or `inputs` into the rows of `outputs`
        (`background` as in train).

        `engine` (a value of ENGINES) says how pixels' first layer is computed: each
        sample the faster way, all through the matrix product, or all from their ink
        (csrc/sparse/pixel_query.h); the last is refused for inputs.
        """
        cdef ffnn_samples samples
        cdef int status
        self.samples(&samples, pixels, inputs, None, None)
        samples.background = background
        checked(outputs, self.typenum, 2, "outputs", writeable=True)
        if outputs.shape != (samples.rows, self.n_out):
            raise ValueError(f"{samples.rows} inputs but room for outputs of shape {outputs.shape}")
        cdef void *out = cnp.PyArray_DATA(outputs)
        # Queries of one thread run without the caller's lock: these keep the
        # arrays alive, should another thread bind new ones meanwhile.
        weights, biases = self.arrays, self.bias_arrays
        with nogil:
            status = ffnn_query_engine(self.net, &samples, engine, out)
        if status != FFNN_OK:
            raise status_error(status, "query")

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
        weights, biases = self.arrays, self.bias_arrays  # alive, as in query
        with nogil:
            status = ffnn_backquery(self.net, t, x)
        if status != FFNN_OK:
            raise status_error(status, "backquery")

    def gradients(self, int rule, grads, bias_grads=None, pixels=None, inputs=None, targets=None,
                  labels=None, str label_name="labels"):
        """The rule's gradient of every sample (rows), summed, into `grads` (arrays shaped as the
        weights) and, if given, `bias_grads` (shaped as the biases, for a net with biases)."""
        cdef ffnn_samples samples
        cdef Py_ssize_t n_layers = len(self.sizes) - 1
        cdef int status
        self.samples(&samples, pixels, inputs, targets, labels)
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
            with nogil:
                status = ffnn_gradients(self.net, rule, &samples, pointers,
                                        NULL if bias_grads is None else pointers + n_layers)
        finally:
            PyMem_Free(pointers)
        if status != FFNN_OK:
            raise status_error(status, "gradients", ffnn_net_failed_row(self.net), labels=labels,
                               label_name=label_name, n_classes=self.n_out)
