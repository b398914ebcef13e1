/*
 * The page: strokes on the pad, their reading after each stroke, teaching,
 * the download of the taught network, and window.ffnn, the page's interface
 * for scripts and tests:
 *   ffnn.outputs   the ten outputs of the last reading (null before one)
 *   ffnn.seen      the 784 pixels 0..255 the network saw (null before one)
 *   ffnn.read(imageData)   prepare and query a picture; the outputs, or null without ink
 *   ffnn.prepare(imageData) the 784 pixels alone;  ffnn.query(pixels) the outputs alone
 *   ffnn.teach(label)      one training step on ffnn.seen;  ffnn.backquery(label)
 *   ffnn.modelFile()       the network as a model file (Uint8Array)
 */
"use strict";

(function () {
  const net = network.fromEmbedded(JSON.parse(document.getElementById("ffnn-model").textContent));
  const pad = document.getElementById("pad");
  const ink = pad.getContext("2d", { willReadFrequently: true });
  const seenCanvas = document.getElementById("seen");
  const answer = document.getElementById("answer"), message = document.getElementById("message");
  const undoButton = document.getElementById("undo"), clearButton = document.getElementById("clear");
  const strokes = [];
  let current = null, taught = 0;

  const api = {
    outputs: null, seen: null, net: net,
    prepare: function (image) { return Array.from(prepare.prepare(image)); },
    query: function (pixels) { return net.query(pixels); },
    read: read,
    teach: teach,
    backquery: function (label) { return net.backquery(label); },
    modelFile: function () { return network.modelFile(net); },
    clear: clear,
    undo: undo,
  };
  window.ffnn = api;

  /* ---- drawing ---- */

  function lineWidth() {
    return pad.width * 0.075;
  }

  function paper() {
    ink.setTransform(1, 0, 0, 1, 0, 0);
    ink.globalCompositeOperation = "source-over";
    ink.fillStyle = "#ffffff";
    ink.fillRect(0, 0, pad.width, pad.height);
  }

  /* Point i of a stroke, drawn the same way whether live or replayed. */
  function drawPoint(stroke, i) {
    ink.fillStyle = ink.strokeStyle = "#000000";
    ink.lineWidth = lineWidth();
    ink.lineCap = ink.lineJoin = "round";
    const p = stroke[i];
    ink.beginPath();
    if (i === 0) {
      ink.arc(p[0], p[1], lineWidth() / 2, 0, 2 * Math.PI);
      ink.fill();
    } else {
      ink.moveTo(stroke[i - 1][0], stroke[i - 1][1]);
      ink.lineTo(p[0], p[1]);
      ink.stroke();
    }
  }

  function redraw() {
    paper();
    strokes.forEach(function (stroke) {
      for (let i = 0; i < stroke.length; i++) drawPoint(stroke, i);
    });
  }

  function position(event) {
    const box = pad.getBoundingClientRect();
    return [((event.clientX - box.left) * pad.width) / box.width, ((event.clientY - box.top) * pad.height) / box.height];
  }

  function addPoint(event) {
    const p = position(event), last = current[current.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) return;
    current.push(p);
    drawPoint(current, current.length - 1);
  }

  pad.addEventListener("pointerdown", function (event) {
    if (current || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    if (pad.setPointerCapture) pad.setPointerCapture(event.pointerId);
    current = [];
    current.pointerId = event.pointerId;
    strokes.push(current);
    addPoint(event);
  });
  pad.addEventListener("pointermove", function (event) {
    if (!current || event.pointerId !== current.pointerId) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    (events.length ? events : [event]).forEach(addPoint);
  });
  function endStroke(event) {
    if (!current || event.pointerId !== current.pointerId) return;
    current = null;
    readPad();
  }
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);
  ["touchstart", "touchmove"].forEach(function (name) {
    pad.addEventListener(name, function (event) { event.preventDefault(); }, { passive: false });
  });

  function undo() {
    if (current || !strokes.length) return;
    strokes.pop();
    redraw();
    readPad();
  }

  function clear() {
    if (current) return;
    strokes.length = 0;
    redraw();
    readPad();
  }

  undoButton.addEventListener("click", undo);
  clearButton.addEventListener("click", clear);

  /* ---- reading ---- */

  function readPad() {
    undoButton.disabled = clearButton.disabled = !strokes.length;
    if (!strokes.length) {
      show(null, null, "Draw a digit to start.");
      return;
    }
    read(ink.getImageData(0, 0, pad.width, pad.height));
  }

  function read(image) {
    let pixels;
    try {
      pixels = Array.from(prepare.prepare(image));
    } catch (error) {
      if (!(error instanceof prepare.NoInk)) throw error;
      show(null, null, "No digit found: draw one.");
      return null;
    }
    const outputs = net.query(pixels);
    show(pixels, outputs, "");
    return outputs;
  }

  function best(outputs) {
    let k = 0;
    for (let i = 1; i < outputs.length; i++) if (outputs[i] > outputs[k]) k = i;
    return k;
  }

  /* Greys as the book plots them: 0.01 white, 0.99 (or 255) black. */
  function paint(canvas, values, low, high) {
    const context = canvas.getContext("2d"), image = context.createImageData(canvas.width, canvas.height);
    for (let i = 0; i < values.length; i++) {
      const v = Math.round(255 * (1 - Math.min(Math.max((values[i] - low) / (high - low), 0), 1)));
      image.data.set([v, v, v, 255], 4 * i);
    }
    context.putImageData(image, 0, 0);
  }

  function show(pixels, outputs, note, before) {
    api.seen = pixels;
    api.outputs = outputs;
    message.textContent = note;
    if (pixels) paint(seenCanvas, pixels, 0, 255);
    else seenCanvas.getContext("2d").clearRect(0, 0, 28, 28);
    answer.textContent = outputs ? String(best(outputs)) : "";
    bars.forEach(function (bar, i) {
      const value = outputs ? outputs[i] : 0;
      bar.fill.style.width = (100 * value).toFixed(2) + "%";
      bar.value.textContent = outputs ? value.toFixed(3) : "";
      bar.row.classList.toggle("best", Boolean(outputs) && i === best(outputs));
      bar.before.style.display = before ? "block" : "none";
      if (before) bar.before.style.left = (100 * before[i]).toFixed(2) + "%";
    });
    labelButtons.forEach(function (button) { button.disabled = !pixels; });
  }

  /* ---- teaching ---- */

  function teach(label) {
    if (!api.seen) return null;
    const before = api.outputs;
    net.train(api.seen, label);
    taught += 1;
    const outputs = net.query(api.seen);
    show(api.seen, outputs, "", before);
    document.getElementById("taught").textContent =
      "Taught " + taught + (taught === 1 ? " step" : " steps") + "; last: this drawing is a " + label + ".";
    drawPictures();
    return outputs;
  }

  document.getElementById("download").addEventListener("click", function () {
    const blob = new Blob([network.modelFile(net)], { type: "application/octet-stream" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = taught ? "ffnn-taught.npz" : "ffnn.npz";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
  });

  /* ---- building the page ---- */

  const bars = [], labelButtons = [], pictures = [];
  const barList = document.getElementById("bars");
  for (let i = 0; i < net.sizes[net.sizes.length - 1]; i++) {
    const row = document.createElement("div");
    row.className = "bar";
    row.setAttribute("role", "listitem");
    row.innerHTML = '<span class="digit"></span><span class="track"><span class="fill"></span>' +
      '<span class="before"></span></span><span class="value"></span>';
    row.querySelector(".digit").textContent = String(i);
    barList.appendChild(row);
    bars.push({ row: row, fill: row.querySelector(".fill"), before: row.querySelector(".before"),
                value: row.querySelector(".value") });

    const button = document.createElement("button");
    button.type = "button";
    button.textContent = String(i);
    button.id = "teach-" + i;
    button.disabled = true;
    button.setAttribute("aria-label", "it was a " + i + ": teach the network");
    button.addEventListener("click", function () { teach(i); });
    document.getElementById("labels").appendChild(button);
    labelButtons.push(button);

    const figure = document.createElement("figure"), canvas = document.createElement("canvas");
    canvas.width = canvas.height = Math.round(Math.sqrt(net.sizes[0]));
    const caption = document.createElement("figcaption");
    caption.textContent = String(i);
    figure.append(canvas, caption);
    document.getElementById("pictures").appendChild(figure);
    pictures.push(canvas);
  }

  function drawPictures() {
    if (net.sizes[0] !== 784) return;
    pictures.forEach(function (canvas, i) { paint(canvas, net.backquery(i), 0.01, 0.99); });
  }

  document.getElementById("rule").textContent =
    'rule "' + net.rule + '", learning rate ' + net.learningRate;
  document.getElementById("about").textContent =
    "ffnn network " + net.sizes.join("-") + ", " + net.dtype + (net.biases ? ", bias nodes" : "") +
    ". Everything runs in this page: nothing is sent anywhere.";
  paper();
  drawPictures();
  show(null, null, "Draw a digit to start.");
})();
