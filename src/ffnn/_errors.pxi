# Part of _core.pyx: the C core's statuses as Python exceptions. Every status of
# every call becomes an exception here and nowhere else, with the message the
# Python layer gives for the same mistake (tests/test_validation.py holds them).


def status_error(int status, str operation, row=0, labels=None, label_name="labels", n_classes=0,
                 order=None, rows=0, offset=0, threads=0):
    """The exception for a failing `status` of `operation`, for its caller to raise.

    row is where the C core stopped (ffnn_net_failed_row); the other arguments
    are what the call was given, to name a bad label or sample index: the
    labels and their argument's name, the output nodes, the order (of which
    the failing call had the part from `offset` on) and the samples' rows.
    """
    text = ffnn_strerror(status).decode()
    if status == FFNN_ERROR_LABEL:
        values = np.asarray(labels)
        return ValueError(f"{label_name} must lie in 0..{n_classes - 1}, got {values.min()}..{values.max()} "
                         f"({label_name}[{row}] is {values[row]})")
    if status == FFNN_ERROR_INDEX:
        index = row if order is None else order[offset + row]
        return ValueError(f"sample index {index} is outside 0..{rows - 1}")
    if status == FFNN_ERROR_THREADS:
        if not 1 <= threads <= FFNN_MAX_THREADS:
            return ValueError(f"threads must be between 1 and {FFNN_MAX_THREADS}, got {threads}")
        return MemoryError(f"cannot start {threads} threads")
    if status == FFNN_ERROR_MEMORY:
        return MemoryError(f"{operation}: {text}")
    if status == FFNN_ERROR_NOT_FINITE:
        return FloatingPointError(f"{operation}: {text}")
    return ValueError(f"{operation}: {text}")
