"""The drawing page (ffnn.draw) in a real browser: Chromium, driven by Playwright.

The page must compute what ffnn computes: its outputs those of
``net.query``, its 28 x 28 picture that of ``images.prepare_image`` on the
same canvas saved as PNG, its taught step that of ``net.train``, its
download a model file ``NeuralNetwork.load`` reads. Strokes are drawn with
the mouse through pointer events, as a learner draws them.

Without Playwright (``pip install playwright``) or a Chromium the browser
tests skip, unless FFNN_REQUIRE_BROWSER=1 (as .ci/run sets), which makes
them fail instead. The browser is FFNN_CHROMIUM if set, else the first
chromium or chrome on PATH, else Playwright's own. FFNN_DRAW_SCREENSHOT=PATH
makes test_screenshot write a picture of the page there (docs/draw_page.png).
"""
from __future__ import annotations

import base64
import os
import re
import shutil

import numpy as np
import pytest

from ffnn import NeuralNetwork, images
from ffnn.datasets import load_sample
from ffnn.draw import draw, page_html, to_html

REQUIRE_BROWSER = os.environ.get("FFNN_REQUIRE_BROWSER") == "1"
SCREENSHOT = os.environ.get("FFNN_DRAW_SCREENSHOT")
PAD_SIDE = 280  # the pad canvas's pixels (page/draw.html)
TOLERANCE = 1e-5
DRAWN_DIGITS = 300
SAMPLE = load_sample()


def targets(label: int) -> np.ndarray:
    return np.where(np.arange(10) == label, 0.99, 0.01)


def net_of(hidden, dtype=np.float64, rule="book", bias=False, epochs=1, count=2000, seed=3) -> NeuralNetwork:
    net = NeuralNetwork(784, hidden, 10, 0.1, dtype=dtype, rule=rule, bias=bias, seed=seed)
    if epochs:
        net.fit(SAMPLE.train_images[:count], SAMPLE.train_labels[:count], epochs=epochs)
    return net


# ---- without a browser -----------------------------------------------------------


def test_page_is_self_contained(tmp_path):
    net = net_of(20, epochs=0)
    page = page_html(net)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", page)
    assert not re.search(r"@import|url\(|<link|fetch\(|XMLHttpRequest|WebSocket|import\(", page)
    path = tmp_path / "page.html"
    to_html(net, path)
    assert path.read_text(encoding="utf-8") == page
    assert os.listdir(tmp_path) == ["page.html"]  # written atomically: no temporary file left


def test_to_html_reads_a_model_file(tmp_path):
    net = net_of([30, 20], dtype=np.float32, bias=True, epochs=0)
    net.save(tmp_path / "model.npz")
    to_html(str(tmp_path / "model.npz"), tmp_path / "page.html")
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == page_html(net)


def test_export_command_writes_the_page(tmp_path, capsys):
    from ffnn import cli, export

    net = net_of(20, epochs=0)
    net.save(tmp_path / "model.npz")
    assert cli.main(["export", str(tmp_path / "model.npz"), str(tmp_path / "digits.html")]) == 0
    assert "draw a digit" in capsys.readouterr().out
    assert (tmp_path / "digits.html").read_text(encoding="utf-8") == page_html(NeuralNetwork.load(tmp_path / "model.npz"))
    export.to_html(net, tmp_path / "same.html")
    assert (tmp_path / "same.html").read_text(encoding="utf-8") == page_html(net)


def test_to_html_refuses_what_it_cannot_show(tmp_path):
    with pytest.raises(ValueError, match="784 inputs"):
        to_html(NeuralNetwork(100, 20, 10, 0.1), tmp_path / "page.html")
    with pytest.raises(ValueError, match="10 outputs"):
        to_html(NeuralNetwork(784, 20, 5, 0.1), tmp_path / "page.html")
    with pytest.raises(TypeError, match="NeuralNetwork or a model file"):
        to_html(42, tmp_path / "page.html")
    assert not os.listdir(tmp_path)


def test_draw_is_an_iframe_for_notebooks():
    shown = draw(net_of(20, epochs=0))._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts allow-downloads"' in shown
    assert "<script" not in shown  # the page is escaped inside srcdoc


# ---- the browser -----------------------------------------------------------------


def _unavailable(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"FFNN_REQUIRE_BROWSER=1, but {reason}")
    pytest.skip(reason)


def _chromium() -> str | None:
    if os.environ.get("FFNN_CHROMIUM"):
        return os.environ["FFNN_CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None  # Playwright's own, if installed


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install playwright)")
    manager = sync_playwright().start()
    try:
        launched = manager.chromium.launch(executable_path=_chromium(), headless=True, args=["--no-sandbox"])
    except Error as exc:
        manager.stop()
        _unavailable(f"no Chromium could be started ({str(exc).splitlines()[0]})")
    yield launched
    launched.close()
    manager.stop()


@pytest.fixture(scope="module")
def trained():
    """The book's network, trained well enough on the sample to read drawn digits."""
    net = NeuralNetwork(784, 200, 10, 0.1, seed=1)
    net.fit(SAMPLE.train_images, SAMPLE.train_labels, epochs=5)
    return net


class Page:
    """A page of one network in its own browser context, its requests and script errors recorded."""

    def __init__(self, browser, net, folder, **context):
        self.path = folder / "draw.html"
        to_html(net, self.path)
        self.context = browser.new_context(accept_downloads=True, **context)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(self.path.as_uri())

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        self.context.close()
        if kind is None:
            assert not self.errors

    def evaluate(self, script, argument=None):
        return self.page.evaluate(script, argument)

    def on_pad(self, points):
        """Points given as fractions of the pad, in the page's coordinates."""
        box = self.page.locator("#pad").bounding_box()
        return [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]

    def stroke(self, points, steps=4):
        """Draw one stroke through points given as fractions of the pad, with the mouse."""
        at = self.on_pad(points)
        mouse = self.page.mouse
        mouse.move(*at[0])
        mouse.down()
        for point in at[1:]:
            mouse.move(*point, steps=steps)
        mouse.up()

    def finger_stroke(self, points, steps=4):
        """Draw one stroke with a finger on a touch screen (Chromium's touch events, through CDP)."""
        at = self.on_pad(points)
        session = self.context.new_cdp_session(self.page)
        touch = lambda kind, x, y: session.send(  # noqa: E731
            "Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}] if kind != "touchEnd" else []}
        )
        touch("touchStart", *at[0])
        for (x0, y0), (x1, y1) in zip(at, at[1:]):
            for t in np.linspace(0, 1, steps + 1)[1:]:
                touch("touchMove", x0 + t * (x1 - x0), y0 + t * (y1 - y0))
        touch("touchEnd", *at[-1])
        session.detach()

    def answer(self) -> str:
        return self.page.locator("#answer").inner_text().strip()

    def seen(self):
        return self.evaluate("() => ffnn.seen")


def ellipse(cx, cy, rx, ry, n=36):
    return [(cx + rx * np.sin(2 * np.pi * k / n), cy - ry * np.cos(2 * np.pi * k / n)) for k in range(n + 1)]


# Digits as a learner draws them, in fractions of the pad: lists of strokes.
STROKES = {
    1: [[(0.53, 0.16), (0.50, 0.50), (0.47, 0.84)]],
    7: [[(0.27, 0.22), (0.73, 0.22), (0.58, 0.50), (0.44, 0.84)]],
    0: [ellipse(0.5, 0.5, 0.2, 0.32)],
}

QUERY_NETS = {
    "float32": dict(hidden=200, dtype=np.float32),
    "float64": dict(hidden=200, dtype=np.float64),
    "float32-deep-bias": dict(hidden=[100, 50, 30], dtype=np.float32, bias=True),
    "float64-deep-bias": dict(hidden=[100, 50, 30], dtype=np.float64, bias=True),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", QUERY_NETS)
def test_page_queries_as_the_network(browser, tmp_path, kind):
    net = net_of(**QUERY_NETS[kind])
    pixels = SAMPLE.test_images  # 1000 MNIST test digits
    with Page(browser, net, tmp_path) as page:
        outputs = np.array(page.evaluate("""encoded => {
            const bytes = atob(encoded), outputs = [];
            for (let start = 0; start < bytes.length; start += 784) {
                const pixels = new Uint8Array(784);
                for (let i = 0; i < 784; i++) pixels[i] = bytes.charCodeAt(start + i);
                outputs.push(ffnn.query(pixels));
            }
            return outputs;
        }""", base64.b64encode(pixels.tobytes()).decode("ascii")))
        pictures = np.array(page.evaluate("() => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(ffnn.backquery)"))
    worst = np.abs(outputs - net.query(pixels)).max()
    print(f"\n{kind}: max |page - query| over {len(pixels)} test images {worst:.3g}")
    assert worst <= TOLERANCE
    expected = np.array([net.backquery(targets(d)) for d in range(10)])
    assert np.abs(pictures - expected).max() <= TOLERANCE


PAD_PNG = "() => document.getElementById('pad').toDataURL('image/png')"

DRAW_DIGITS = """([digits, places]) => {
    const pad = document.getElementById("pad"), context = pad.getContext("2d");
    const small = document.createElement("canvas");
    small.width = small.height = 28;
    const smallContext = small.getContext("2d");
    return digits.map((digit, k) => {
        const image = smallContext.createImageData(28, 28);
        digit.forEach((v, i) => image.data.set([255 - v, 255 - v, 255 - v, 255], 4 * i));
        smallContext.putImageData(image, 0, 0);
        context.fillStyle = "#ffffff";
        context.fillRect(0, 0, pad.width, pad.height);
        const [x, y, size] = places[k];
        context.imageSmoothingEnabled = true;
        context.drawImage(small, x, y, size, size);
        ffnn.read(context.getImageData(0, 0, pad.width, pad.height));
        return [pad.toDataURL("image/png"), ffnn.seen];
    });
}"""


@pytest.mark.slow
def test_page_prepares_drawings_as_prepare_image(browser, tmp_path, trained):
    """MNIST digits drawn onto the pad, dark on white, at random sizes and places."""
    rng = np.random.default_rng(7)
    digits = SAMPLE.test_images[rng.choice(len(SAMPLE.test_images), DRAWN_DIGITS, replace=False)]
    sizes = rng.integers(56, PAD_SIDE + 1, DRAWN_DIGITS)
    places = [[int(rng.integers(0, PAD_SIDE - s + 1)), int(rng.integers(0, PAD_SIDE - s + 1)), int(s)] for s in sizes]
    page_pixels, python_pixels = [], []
    with Page(browser, trained, tmp_path) as page:
        for start in range(0, DRAWN_DIGITS, 100):
            chunk = slice(start, start + 100)
            drawn = page.evaluate(DRAW_DIGITS, [digits[chunk].tolist(), places[chunk]])
            for k, (url, seen) in enumerate(drawn):
                png = tmp_path / f"drawn{start + k}.png"
                png.write_bytes(base64.b64decode(url.split(",", 1)[1]))
                python_pixels.append(images.prepare_image(png))
                page_pixels.append(seen)
    page_pixels = np.array(page_pixels, dtype=np.uint8)
    python_pixels = np.array(python_pixels)
    difference = np.abs(page_pixels.astype(int) - python_pixels.astype(int))
    within = np.mean(difference <= 2)
    same = np.mean(trained.predict(page_pixels) == trained.predict(python_pixels))
    print(f"\n{DRAWN_DIGITS} drawn digits: {100 * within:.3f} % of pixels within 2 grey levels "
          f"({100 * np.mean(difference == 0):.3f} % equal), {100 * same:.1f} % read as the same digit")
    assert within >= 0.99
    assert same >= 0.99


DRAW_SCRIBBLES = """drawings => {
    const pad = document.getElementById("pad"), context = pad.getContext("2d");
    return drawings.map(strokes => {
        context.fillStyle = "#ffffff";
        context.fillRect(0, 0, pad.width, pad.height);
        context.strokeStyle = "#000000";
        context.lineCap = context.lineJoin = "round";
        for (const [width, points] of strokes) {
            context.lineWidth = width;
            context.beginPath();
            context.moveTo(...points[0]);
            for (const point of points.slice(1)) context.lineTo(...point);
            if (points.length === 1) context.lineTo(points[0][0] + 0.01, points[0][1]);
            context.stroke();
        }
        const outputs = ffnn.read(context.getImageData(0, 0, pad.width, pad.height));
        return [pad.toDataURL("image/png"), outputs ? ffnn.seen : null];
    });
}"""


@pytest.mark.slow
def test_page_prepares_scribbles_as_prepare_image(browser, tmp_path, trained):
    """Random strokes, thin to thick, tiny to larger than the pad: ink found alike, pictures alike."""
    rng = np.random.default_rng(11)
    drawings = []
    for _ in range(100):
        strokes = []
        for _ in range(rng.integers(1, 4)):
            spread = rng.choice([10, 40, 140, PAD_SIDE]) / 3
            points = rng.uniform(0, PAD_SIDE, 2) + rng.normal(0, spread, (rng.integers(1, 6), 2))
            strokes.append([float(rng.choice([1, 3, 8, 20, 40])), points.clip(-20, PAD_SIDE + 20).tolist()])
        drawings.append(strokes)
    with Page(browser, trained, tmp_path) as page:
        drawn = page.evaluate(DRAW_SCRIBBLES, drawings)
    within = []
    for k, (url, seen) in enumerate(drawn):
        png = tmp_path / f"scribble{k}.png"
        png.write_bytes(base64.b64decode(url.split(",", 1)[1]))
        try:
            expected = images.prepare_image(png)
        except ValueError:
            expected = None
        assert (seen is None) == (expected is None), f"scribble {k}: ink found by one side only"
        if expected is not None:
            within.append(np.mean(np.abs(expected.astype(int) - seen) <= 2))
    assert np.mean(within) >= 0.99


def test_strokes_are_read_and_clear_and_undo_work(browser, tmp_path, trained):
    with Page(browser, trained, tmp_path) as page:
        assert page.answer() == "" and page.evaluate("() => ffnn.outputs") is None
        for digit, strokes in STROKES.items():
            for points in strokes:
                page.stroke(points)
            assert page.answer() == str(digit)
            png = tmp_path / f"stroke{digit}.png"
            png.write_bytes(base64.b64decode(page.evaluate(PAD_PNG).split(",", 1)[1]))
            assert np.abs(images.prepare_image(png).astype(int) - page.seen()).max() <= 2
            outputs = page.evaluate("() => ffnn.outputs")
            assert int(np.argmax(outputs)) == digit
            np.testing.assert_allclose(outputs, trained.query(np.array(page.seen(), np.uint8)), atol=TOLERANCE)
            page.page.click("#clear")
            assert page.answer() == "" and page.seen() is None
            assert page.page.locator("#undo").is_disabled()

        page.stroke(STROKES[1][0])
        one = page.seen()
        page.stroke([(0.3, 0.3), (0.7, 0.3)])
        assert page.seen() != one
        page.page.click("#undo")
        assert page.seen() == one and page.answer() == "1"
        page.page.click("#undo")
        assert page.seen() is None and page.answer() == ""


TEACH_NETS = {
    "float32-book": dict(hidden=200, dtype=np.float32),
    "float64-book": dict(hidden=200, dtype=np.float64),
    "float32-cross_entropy-deep-bias": dict(hidden=[64, 32], dtype=np.float32, rule="cross_entropy", bias=True),
    "float64-mse-deep-bias": dict(hidden=[64, 32], dtype=np.float64, rule="mse", bias=True),
}


@pytest.mark.parametrize("kind", TEACH_NETS)
def test_teaching_is_the_networks_training_step(browser, tmp_path, kind):
    net = net_of(**TEACH_NETS[kind])
    with Page(browser, net, tmp_path) as page:
        page.stroke(STROKES[7][0])
        seen = np.array(page.seen(), dtype=np.uint8)
        before = page.evaluate("() => ffnn.outputs")
        label = 2
        page.page.click(f"#teach-{label}")
        after = page.evaluate("() => ffnn.outputs")
        with page.page.expect_download() as download:
            page.page.click("#download")
        download.value.save_as(tmp_path / "taught.npz")
    taught = NeuralNetwork.load(tmp_path / "taught.npz")
    expected = net.copy()
    expected.train(seen, targets(label))
    assert after[label] > before[label]
    np.testing.assert_allclose(after, expected.query(seen), atol=TOLERANCE)
    assert (taught.sizes, taught.dtype, taught.rule, taught.bias) == (net.sizes, net.dtype, net.rule, net.bias)
    assert taught.learning_rate == net.learning_rate and taught.hnodes == net.hnodes
    for got, want in zip(taught._parameters(), expected._parameters()):
        np.testing.assert_allclose(got, want, atol=TOLERANCE)


def test_no_request_and_fits_a_phone(browser, tmp_path, trained):
    phone = dict(viewport={"width": 360, "height": 740}, device_scale_factor=2, has_touch=True)
    with Page(browser, trained, tmp_path, **phone) as page:
        page.page.evaluate("() => window.scrollTo(0, 40)")
        for points in STROKES[1]:
            page.finger_stroke(points)
        assert page.answer() == "1"
        assert page.evaluate("() => window.scrollY") == 40  # drawing with a finger scrolls nothing
        page.page.click("#clear")
        for points in STROKES[0]:
            page.stroke(points)
        assert page.answer() == "0"
        page.page.click("#teach-0")
        with page.page.expect_download():
            page.page.click("#download")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        assert page.evaluate("() => getComputedStyle(document.getElementById('pad')).touchAction") == "none"
        own = page.path.as_uri()
        assert [url for url in page.requests if url != own and not url.startswith("blob:")] == []


def test_page_works_inside_a_notebook_iframe(browser, tmp_path, trained):
    context = browser.new_context(accept_downloads=True)
    try:
        tab = context.new_page()
        tab.set_content("<!DOCTYPE html><html><body>" + draw(trained)._repr_html_() + "</body></html>")
        frame = tab.frame_locator("iframe")
        frame.locator("#pad").wait_for()
        inner = next(f for f in tab.frames if f != tab.main_frame)
        inner.wait_for_function("() => window.ffnn !== undefined")
        seen = inner.evaluate("""digit => {
            const image = new ImageData(28, 28);
            digit.forEach((v, i) => image.data.set([255 - v, 255 - v, 255 - v, 255], 4 * i));
            ffnn.read(image);
            return ffnn.seen;
        }""", SAMPLE.test_images[0].tolist())
        assert seen == images.prepare_gray(1.0 - SAMPLE.test_images[0].reshape(28, 28) / 255.0).tolist()
        with tab.expect_download() as download:  # the sandbox allows the download
            frame.locator("#download").click()
        download.value.save_as(tmp_path / "from-notebook.npz")
        assert NeuralNetwork.load(tmp_path / "from-notebook.npz") == trained
    finally:
        context.close()


def test_screenshot(browser, tmp_path, trained):
    """The picture of the page in docs/draw.md, written when FFNN_DRAW_SCREENSHOT names a file."""
    if not SCREENSHOT:
        pytest.skip("FFNN_DRAW_SCREENSHOT=docs/draw_page.png writes the documentation's screenshot")
    with Page(browser, trained, tmp_path, viewport={"width": 1000, "height": 900}) as page:
        for points in STROKES[7]:
            page.stroke(points)
        page.page.click("#teach-7")
        page.page.wait_for_timeout(500)  # the bars' movement ends
        page.page.screenshot(path=SCREENSHOT, full_page=True)
