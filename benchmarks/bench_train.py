"""How fast ffnn trains and queries the book's 784-200-10 network, in one run.

    python benchmarks/bench_train.py [--samples N] [--repeats R]
    python benchmarks/bench_train.py --breakdown   # where a sparse step's time goes

Uses full MNIST from ../shared/data/mnist (or $FFNN_MNIST_DIR) when present,
else the sample shipped with ffnn. Every ratio is against a measurement of
the same run, the runs taking turns and the best of each kept, so a busy
machine slows both sides. Reports:

- the ink: the fraction of pixels that are not background, in MNIST and in a
  denser set grown from it (each digit dilated until about half its pixels
  are ink, as Fashion-MNIST's are);
- per training sample: the NumPy reference of the book's network
  (tests/reference.py), ffnn at every SIMD level, both precisions, 1 and 2
  threads, with the dense engine and the sparse one (``fit(engine=...)``);
  two threads as a network has them by default (``share="adaptive"``: the
  policy runs a step's layer alone when sharing does not pay) and, for the
  sparse engine, always shared (``share="deterministic"``), which lends the
  engine a helper thread for every call (docs/speed.md);
  the roofline probe of the dense step (the fused update-and-forward sweep
  over the first layer's weights, which every dense step must make);
- the same step in JAX (benchmarks/peer_jax.py, one ``lax.scan`` per epoch;
  skipped without jax), against both engines;
- both engines on the denser set, which must be no slower than dense;
- a batch query of 10 000 test images on pixels (the first layer from the
  ink) and on the scaled inputs (dense), against NumPy's ``sigmoid(x @ W.T)``
  chain; the first layer alone, ffnn and NumPy on one thread each; where
  the pixel query's two ways cross as the ink grows;
- a 5-epoch fit in a fresh process per engine (wall time, test accuracy,
  peak RSS);
- the ratios the sparse engine and the pixel query are held to, together.

``--breakdown`` reports instead where one thread's sparse step spends its
time, per part of the step, at the default SIMD level in both precisions:
an epoch of fit in a child process under Linux's ``perf record``, its
samples in the extension's functions grouped by part (each part's share of
those samples, times the step's time measured without perf). Without perf
it says so.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import peer_jax  # noqa: E402  (beside this file)
import reference  # noqa: E402  (the plain-NumPy book network of the test suite)

import ffnn  # noqa: E402
from ffnn import _core, _testing  # noqa: E402
from ffnn._core import cache_aligned  # noqa: E402
from ffnn.datasets import load_mnist, load_sample, make_targets, scale_inputs  # noqa: E402

MNIST_DIR = os.environ.get("FFNN_MNIST_DIR", os.path.join(HERE, "..", "..", "shared", "data", "mnist"))
SIZES = (784, 200, 10)
DTYPES = (np.float32, np.float64)
ENGINES = ("dense", "sparse")


def load():
    if os.path.exists(os.path.join(MNIST_DIR, "train-images-idx3-ubyte.gz")):
        return load_mnist(MNIST_DIR), "full MNIST"
    return load_sample(), "the MNIST sample"


def ink(images) -> float:
    """The fraction of pixels that are not background (0)."""
    return float(np.count_nonzero(images)) / images.size


def dilate(images):
    """Each 28 x 28 picture's grey dilation by a 3 x 3 square: every pixel the largest
    of itself and its eight neighbours, so strokes grow by a pixel on each side."""
    pictures = images.reshape(-1, 28, 28)
    padded = np.pad(pictures, ((0, 0), (1, 1), (1, 1)))
    grown = pictures.copy()
    for dy in range(3):
        for dx in range(3):
            np.maximum(grown, padded[:, dy:dy + 28, dx:dx + 28], out=grown)
    return grown.reshape(images.shape)


def denser(images, target=0.5):
    """MNIST grown, deterministically, into Fashion-MNIST's density: dilated until at
    least `target` of the pixels are ink. Returns the pictures and the dilations made."""
    steps = 0
    while ink(images) < target:
        images, steps = dilate(images), steps + 1
    return images, steps


def interleaved_best(repeats, runs):
    """The shortest of `repeats` timings of each of the runs, in seconds: the least disturbed
    one. The runs take turns, so that all of them see the same load of a shared machine."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def best_of(repeats, run):
    return interleaved_best(repeats, {None: run})[None]


def has_engines() -> bool:
    """Whether this build's fit takes the engine keyword (the sparse engine)."""
    return "engine" in inspect.signature(ffnn.NeuralNetwork.fit).parameters


def engines():
    return ENGINES if has_engines() else ("dense",)


def fit_run(net, images, labels, engine):
    """One epoch of fit on (images, labels) with the engine, as a function to time."""
    keywords = {"engine": engine} if has_engines() else {}
    return lambda: net.fit(images, labels, seed=0, **keywords)


def numpy_step_us(images, labels, n, repeats):
    x, t = scale_inputs(images[:n]), make_targets(labels[:n])
    weights = reference.initial_weights(SIZES, 0)

    def run():
        for xi, ti in zip(x, t):
            reference.train(weights, xi, ti, 0.1)

    return best_of(repeats, run) / n * 1e6


# The sparse engine on two threads that share every step (share="deterministic").
SHARED = ("sparse", 2, "shared")


def step_and_probe_us(images, labels, dtype, repeats, count=3000):
    """µs per sample of fit with each engine, 1 and 2 threads (and the sparse engine's 2 threads
    always shared), and of the probe: the fused sweep alone, W_1 += lr * d outer x_n, then
    W_1 x_{n+1}, per sample."""
    rng = np.random.default_rng(0)
    w = cache_aligned(rng.normal(0, SIZES[0] ** -0.5, SIZES[1::-1]).astype(dtype))
    xs = scale_inputs(images[:64], dtype)
    d = rng.normal(0, 1e-3, SIZES[1]).astype(dtype)
    y = np.empty(SIZES[1], dtype)
    runs = {}
    for engine in engines():
        for threads in (1, 2):
            net = ffnn.NeuralNetwork(*SIZES, 0.1, dtype=dtype, seed=0, threads=threads)
            runs[engine, threads] = fit_run(net, images, labels, engine)
    if "sparse" in engines():
        net = ffnn.NeuralNetwork(*SIZES, 0.1, dtype=dtype, seed=0, threads=2, share="deterministic")
        runs[SHARED] = fit_run(net, images, labels, "sparse")
    runs["probe"] = lambda: _testing.sweep_probe(w, dtype(0.1), d, xs, y, count)
    best = interleaved_best(repeats, runs)
    return {k: v / (count if k == "probe" else len(images)) * 1e6 for k, v in best.items()}


def peer_us(images, labels, dtype, repeats):
    """µs per sample: the JAX peer's epoch and ffnn's fit with each engine (default level,
    one thread), taking turns."""
    net = ffnn.NeuralNetwork(*SIZES, 0.1, dtype=dtype, seed=0)
    x, t = scale_inputs(images, dtype), make_targets(labels, 10, dtype)
    runs = {engine: fit_run(net, images, labels, engine) for engine in engines()}
    peer = peer_jax.epoch_runner([w.copy() for w in net.weights], x, t, 0.1)
    runs["jax"] = peer
    best = interleaved_best(repeats, runs)
    return {k: v / len(images) * 1e6 for k, v in best.items()}


def query_ms(images, dtype, repeats):
    """ffnn's batch query on pixels (1 and 2 threads) and on their scaled inputs, and
    NumPy's chain on the same weights."""
    x = scale_inputs(images, dtype)
    net = ffnn.NeuralNetwork(*SIZES, 0.1, dtype=dtype, seed=0)
    two = net.copy()
    two.threads = 2
    w1, w2 = net.weights

    def numpy_chain():
        h = 1 / (1 + np.exp(-(x @ w1.T)))
        return 1 / (1 + np.exp(-(h @ w2.T)))

    best = interleaved_best(repeats, {
        "numpy": numpy_chain, "pixels 1": lambda: net.query(images),
        "pixels 2": lambda: two.query(images), "inputs 1": lambda: net.query(x)})
    np.testing.assert_allclose(net.query(images), numpy_chain(), rtol=1e-4, atol=1e-5)
    return {k: v * 1e3 for k, v in best.items()}


def pixel_ways_ms(net, pixels, repeats, ways=("sparse", "dense")):
    """One query call of the pixels each way (the binding's engine: sparse and dense
    forced, auto as query() chooses), in ms."""
    out = np.empty((len(pixels), net.sizes[-1]), net.dtype)
    samples = _core.Samples(pixels)
    runs = {way: (lambda way=way: net._net.query(out, samples, engine=_core.ENGINES[way], whole=True))
            for way in ways}
    return {k: v * 1e3 for k, v in interleaved_best(repeats, runs).items()}


# The first layer alone, in a process where NumPy's BLAS has one thread, as ffnn has.
FIRST_LAYER_SCRIPT = """
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[3])
from bench_train import interleaved_best
import ffnn
from ffnn.datasets import load_mnist, load_sample, scale_inputs
data = load_mnist(sys.argv[1]) if sys.argv[1] else load_sample()
images = np.ascontiguousarray(data.test_images[:10000])
result = {}
for dtype in (np.float32, np.float64):
    layer = ffnn.NeuralNetwork(784, [], 200, 0.1, dtype=dtype, seed=0)
    (w,) = layer.weights
    x = scale_inputs(images, dtype)
    runs = {"numpy": lambda: 1 / (1 + np.exp(-(x @ w.T))), "pixels": lambda: layer.query(images),
            "inputs": lambda: layer.query(x)}
    best = interleaved_best(int(sys.argv[2]), runs)
    np.testing.assert_allclose(layer.query(images), runs["numpy"](), rtol=1e-4, atol=1e-6)
    result[np.dtype(dtype).name] = {k: v * 1e3 for k, v in best.items()}
print(json.dumps(result))
"""

ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def first_layer_ms(mnist_dir, repeats):
    out = subprocess.run([sys.executable, "-c", FIRST_LAYER_SCRIPT, mnist_dir, str(repeats), HERE],
                         capture_output=True, text=True, check=True, env={**os.environ, **ONE_THREAD})
    return json.loads(out.stdout)


FIT_SCRIPT = """
import inspect, json, sys, time
import numpy as np
import ffnn
from ffnn.datasets import load_mnist, load_sample
data = load_mnist(sys.argv[1]) if sys.argv[1] else load_sample()
net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=np.float32, seed=1, threads=int(sys.argv[2]))
keywords = {"engine": sys.argv[3]} if "engine" in inspect.signature(net.fit).parameters else {}
start = time.perf_counter()
net.fit(data.train_images, data.train_labels, epochs=5, seed=1, **keywords)
seconds = time.perf_counter() - start
accuracy = net.score(data.test_images, data.test_labels)
try:
    # This process's own high-water mark; ru_maxrss would include the parent's
    # size from before the exec on Linux.
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
except OSError:
    try:
        import resource  # Unix only: on Windows the peak is not measured
    except ImportError:
        peak = float("nan")
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 2**20)
print(json.dumps({"seconds": seconds, "accuracy": accuracy, "rss_mb": peak,
                  "steps": 5 * len(data.train_images)}))
"""


def fit_in_subprocess(mnist_dir, threads, engine):
    out = subprocess.run(
        [sys.executable, "-c", FIT_SCRIPT, mnist_dir, str(threads), engine],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


# One thread's sparse epochs, for --breakdown: argv[1] the MNIST folder ("" for the
# sample), argv[2] the dtype; prints µs per sample of the best epoch.
BREAKDOWN_SCRIPT = """
import sys, time
import numpy as np
import ffnn
from ffnn.datasets import load_mnist, load_sample
data = load_mnist(sys.argv[1], parts=("train",)) if sys.argv[1] else load_sample()
images, labels = data.train_images[:20000], data.train_labels[:20000]
net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=np.dtype(sys.argv[2]).type, seed=0)
best = float("inf")
for _ in range(5):
    start = time.perf_counter()
    net.fit(images, labels, seed=0, engine="sparse")
    best = min(best, time.perf_counter() - start)
print(best / len(images) * 1e6)
"""

# The parts of a sparse step, by the names of the C functions (without their level and
# precision suffix) that perf finds them in; inlined helpers count in their caller.
STEP_PARTS = {
    "the sweep: V's ink columns, pending update and forward pass": ("columns_update_dot",),
    "the ink: mask, pixel sum, the sweep's column lists": ("ink_of_pixels", "ink_of_inputs",
                                                            "ffnn_sparse_load", "sparse_lists"),
    "layer 1's units: g, u, r, the sums' start; the folds": ("ffnn_sparse_first_layer",
                                                             "sparse_pass", "columns_fold",
                                                             "sparse_fold"),
    "layer 1's sigmoid and non-finite marks": ("sigmoid", "first_layer_outputs",
                                               "mark_non_finite", "ffnn_all_finite"),
    "layer 2: forward, and backward with its update": ("matvec", "matvec_t_update",
                                                       "forward_task", "backward_task"),
    "the rest of the step: errors, deltas, biases, loading": ("train", "step", "load_sample",
                                                              "delta", "book_target"),
}


def part_of(symbol):
    """The STEP_PARTS name of a function of the extension, or None (once per call)."""
    base = symbol.rsplit("_f32", 1)[0].rsplit("_f64", 1)[0]
    for level in ("_avx512", "_avx2", "_neon", "_scalar"):
        base = base.removesuffix(level)
    for part, names in STEP_PARTS.items():
        if base in names:
            return part
    return None


def step_breakdown(mnist_dir, dtype):
    """(µs per sample, {part: share of the step's samples}) of one thread's sparse fit under
    perf, or None when perf cannot record here."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "perf.data")
        try:
            child = subprocess.run(["perf", "record", "-q", "-o", out, "--", sys.executable, "-c",
                                    BREAKDOWN_SCRIPT, mnist_dir, dtype],
                                   capture_output=True, text=True, check=True)
            report = subprocess.run(["perf", "report", "-i", out, "--stdio", "--no-children",
                                     "--sort", "dso,sym", "--field-separator=;"],
                                    capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
    shares = dict.fromkeys(STEP_PARTS, 0.0)
    for line in report.splitlines():
        fields = [f.strip() for f in line.split(";")]
        if len(fields) != 3 or "_core" not in fields[1] or not fields[0].endswith("%"):
            continue
        part = part_of(fields[2].split()[-1])
        if part:
            shares[part] += float(fields[0].rstrip("%"))
    total = sum(shares.values())
    if total == 0:
        return None
    return float(child.stdout.split()[-1]), {k: v / total for k, v in shares.items()}


def print_breakdown(mnist_dir):
    print(f"where one thread's sparse step goes ({ffnn.simd_level()}, 784-200-10, 20 000 samples; "
          "perf's samples in the extension, by part; the step timed without perf):")
    for dtype in ("float32", "float64"):
        unprofiled = subprocess.run([sys.executable, "-c", BREAKDOWN_SCRIPT, mnist_dir, dtype],
                                    capture_output=True, text=True, check=True)
        us = float(unprofiled.stdout.split()[-1])
        found = step_breakdown(mnist_dir, dtype)
        if found is None:
            print(f"  {dtype}: {us:.2f} us per sample; no breakdown: perf is not there or may not "
                  "record (perf_event_paranoid)")
            continue
        print(f"  {dtype}: {us:.2f} us per sample")
        for part, share in found[1].items():
            print(f"    {part:60s} {share:6.1%} {share * us:6.2f} us")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=10000, help="training samples per timing")
    parser.add_argument("--repeats", type=int, default=3, help="timings per figure (best kept)")
    parser.add_argument("--breakdown", action="store_true",
                        help="only where one thread's sparse step spends its time (perf)")
    args = parser.parse_args(argv)
    if args.breakdown:
        print_breakdown(MNIST_DIR if os.path.isdir(MNIST_DIR) else "")
        return

    data, source = load()
    images, labels = data.train_images[: args.samples], data.train_labels[: args.samples]
    thick, steps = denser(images)
    default_level = ffnn.simd_level()
    ratios = {}
    print(f"ffnn {ffnn.__version__}, {SIZES[0]}-{SIZES[1]}-{SIZES[2]}, {source}; "
          f"SIMD levels {ffnn.simd_levels()} (default {default_level}); {os.cpu_count()} CPUs")
    print(f"\nink (pixels not 0): {ink(data.train_images):.1%} of the training images, "
          f"{ink(data.test_images):.1%} of the test images; the denser set (the first "
          f"{len(images)} training images dilated {steps} times by 3 x 3) {ink(thick):.1%}")
    if not has_engines():
        print("fit has no engine keyword in this build: the dense engine only")

    ref = numpy_step_us(images, labels, min(2000, len(images)), args.repeats)
    print(f"\nper training sample ({len(images)} samples, best of {args.repeats}, "
          "each level's runs taking turns):")
    print(f"  NumPy reference (float64)                 {ref:8.2f} us   1.0x")
    for level in ffnn.simd_levels():
        ffnn.set_simd_level(level)
        for dtype in DTYPES:
            name = np.dtype(dtype).name
            timings = step_and_probe_us(images, labels, dtype, args.repeats)
            probe = timings["probe"]
            for engine in engines():
                for threads in (1, 2):
                    us = timings[engine, threads]
                    print(f"  ffnn {level:7s}{name} {engine:6s} {threads} thread{'s' if threads > 1 else ' '} "
                          f"{us:8.2f} us {ref / us:6.1f}x   probe {probe:6.2f} us, step/probe {us / probe:4.2f}")
            if SHARED in timings:
                us = timings[SHARED]
                print(f"  ffnn {level:7s}{name} sparse 2 threads, always shared "
                      f"{us:8.2f} us {ref / us:6.1f}x")
            line = f"  {'':7s}{name} 2 threads over 1: " + ", ".join(
                f"{engine} {timings[engine, 1] / timings[engine, 2]:.2f}x" for engine in engines())
            if SHARED in timings:
                line += f", sparse always shared {timings['sparse', 1] / timings[SHARED]:.2f}x"
            if has_engines():
                sparse_over = timings["dense", 1] / timings["sparse", 1]
                line += f"; sparse over dense (1 thread) {sparse_over:.2f}x"
                if level == default_level:
                    ratios[f"fit {name}: sparse over dense, 1 thread"] = sparse_over
            print(line)
    ffnn.set_simd_level(default_level)

    print(f"\nthe same step in JAX (benchmarks/peer_jax.py, one lax.scan per epoch, jitted, "
          f"timed after compiling), ffnn at {default_level} on 1 thread, turns taken:")
    if not peer_jax.available():
        print("  skipped: jax is not installed (pip install jax)")
    else:
        for dtype in DTYPES:
            name = np.dtype(dtype).name
            peer = peer_us(images, labels, dtype, args.repeats)
            line = f"  {name}: JAX {peer['jax']:7.2f} us, " + ", ".join(
                f"ffnn {engine} {peer[engine]:6.2f} us ({peer['jax'] / peer[engine]:.2f}x JAX)"
                for engine in engines())
            print(line)
            ratios[f"fit {name}: {engines()[-1]} over JAX"] = peer["jax"] / peer[engines()[-1]]

    print(f"\nthe denser set ({ink(thick):.1%} ink), {default_level}, 1 thread, turns taken:")
    for dtype in DTYPES:
        name = np.dtype(dtype).name
        nets = {engine: ffnn.NeuralNetwork(*SIZES, 0.1, dtype=dtype, seed=0) for engine in engines()}
        best = interleaved_best(args.repeats, {e: fit_run(n, thick, labels, e) for e, n in nets.items()})
        us = {k: v / len(thick) * 1e6 for k, v in best.items()}
        line = f"  fit {name}: " + ", ".join(f"{e} {us[e]:6.2f} us" for e in engines())
        if has_engines():
            line += f" (sparse over dense {us['dense'] / us['sparse']:.2f}x)"
            ratios[f"fit {name} on the denser set: sparse over dense"] = us["dense"] / us["sparse"]
        ways = pixel_ways_ms(nets["dense"], np.ascontiguousarray(thick[:10000]), max(args.repeats, 9),
                             ("sparse", "dense", "auto"))
        print(f"{line}\n  query {name} of {min(10000, len(thick))}, one call: from the ink "
              f"{ways['sparse']:6.2f} ms, dense {ways['dense']:6.2f} ms, each sample as query() "
              f"chooses {ways['auto']:6.2f} ms ({ways['dense'] / ways['auto']:.2f}x dense)")
        ratios[f"query {name} on the denser set: query() over dense"] = ways["dense"] / ways["auto"]

    test_images = np.ascontiguousarray(data.test_images[:10000])
    print(f"\nbatch query of {len(test_images)} test images (ms, best of 5; NumPy's BLAS with its "
          "own threads):")
    for dtype in DTYPES:
        q = query_ms(test_images, dtype, 5)
        print(f"  {np.dtype(dtype).name}: NumPy {q['numpy']:7.2f}; ffnn on pixels 1 thread {q['pixels 1']:7.2f} "
              f"({q['pixels 1'] / q['numpy']:.2f}x NumPy), 2 threads {q['pixels 2']:7.2f} "
              f"({q['pixels 2'] / q['numpy']:.2f}x); on the scaled inputs 1 thread {q['inputs 1']:7.2f}")

    mnist_dir = MNIST_DIR if source == "full MNIST" else ""
    print("\nthe first layer alone (784 -> 200 and its sigmoid) on the test images, ms, best of 5, "
          "ffnn and NumPy each on one thread (OPENBLAS_NUM_THREADS=1):")
    for name, q in first_layer_ms(mnist_dir, 5).items():
        print(f"  {name}: NumPy sigmoid(x @ W.T) {q['numpy']:7.2f}; ffnn on pixels {q['pixels']:7.2f} "
              f"({q['pixels'] / q['numpy']:.2f}x NumPy), on the scaled inputs {q['inputs']:7.2f} "
              f"({q['inputs'] / q['numpy']:.2f}x)")
        ratios[f"first layer {name}: ffnn on pixels over NumPy"] = q["pixels"] / q["numpy"]

    print("\nwhere the pixel query's two ways cross (one call each way, best of "
          f"{max(args.repeats, 5)}; 784-H-10, 5000 test images dilated 0, 1, 2, ... times: their "
          "ink, then the time from the ink over the time dense):")
    grown = test_images[:5000]
    for dtype in DTYPES:
        for hidden in (200, 50, 17):
            net = ffnn.NeuralNetwork(784, hidden, 10, 0.1, dtype=dtype, seed=0)
            cells, pictures = [], grown
            for _ in range(6):
                ways = pixel_ways_ms(net, np.ascontiguousarray(pictures), max(args.repeats, 5))
                cells.append(f"{ink(pictures):4.0%} {ways['sparse'] / ways['dense']:4.2f}")
                pictures = dilate(pictures)
            print(f"  {np.dtype(dtype).name} H={hidden:3d}: " + " | ".join(cells))

    print(f"\n5-epoch fit, float32, in a fresh process ({source}):")
    for engine, threads in [(e, 1) for e in engines()] + [(engines()[-1], 2)]:
        fit = fit_in_subprocess(mnist_dir, threads, engine)
        print(f"  {engine:6s} {threads} thread{'s' if threads > 1 else ' '}: {fit['seconds']:.2f} s for "
              f"{fit['steps']} steps ({fit['seconds'] / fit['steps'] * 1e6:.2f} us/step), "
              f"test accuracy {fit['accuracy']:.2%}, peak RSS {fit['rss_mb']:.0f} MB")
        if threads == 1:
            ratios[f"5-epoch fit float32, {engine}, 1 thread: seconds"] = fit["seconds"]

    print("\nthe ratios (x: how many times faster; seconds and query/NumPy: lower is better):")
    for name, value in ratios.items():
        print(f"  {name:55s} {value:6.2f}")


if __name__ == "__main__":
    main()
