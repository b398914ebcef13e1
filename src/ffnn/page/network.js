/*
 * The book's network in the browser: query, train (the rules "book", "mse"
 * and "cross_entropy") and backquery, as ffnn's C core computes them. A
 * float32 network rounds every operation to float32 (Math.fround; a product
 * added to a sum is rounded once, as the core's fused multiply-add does),
 * a float64 network computes in float64. Weight matrix k holds
 * sizes[k + 1] rows of sizes[k] values.
 */
"use strict";

const network = (function () {
  function create(model) {
    const f32 = model.dtype === "float32";
    const R = f32 ? Math.fround : function (x) { return x; };
    const Real = f32 ? Float32Array : Float64Array;
    const sizes = model.sizes.slice(), layers = sizes.length - 1;
    const weights = model.weights, biases = model.biases;
    const lr = R(model.learning_rate);
    const low = R(0.01), high = R(0.99);
    const pixelInput = new Real(256);
    for (let v = 0; v < 256; v++) pixelInput[v] = R(R(R(v / 255) * high) + low);

    /* w[row * n + c] . x[c] over c < n: eight running sums (the lanes of
       the core's vectors), added pairwise at the end. */
    function dot(w, row, x, n) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, c = 0;
      const o = row * n;
      for (; c + 8 <= n; c += 8) {
        a0 = R(w[o + c] * x[c] + a0);
        a1 = R(w[o + c + 1] * x[c + 1] + a1);
        a2 = R(w[o + c + 2] * x[c + 2] + a2);
        a3 = R(w[o + c + 3] * x[c + 3] + a3);
        a4 = R(w[o + c + 4] * x[c + 4] + a4);
        a5 = R(w[o + c + 5] * x[c + 5] + a5);
        a6 = R(w[o + c + 6] * x[c + 6] + a6);
        a7 = R(w[o + c + 7] * x[c + 7] + a7);
      }
      let s = R(R(R(a0 + a1) + R(a2 + a3)) + R(R(a4 + a5) + R(a6 + a7)));
      for (; c < n; c++) s = R(w[o + c] * x[c] + s);
      return s;
    }

    /* W.T @ v for W of `rows` x `cols`: the rows added in turn. */
    function dotTransposed(w, v, rows, cols) {
      const out = new Real(cols);
      for (let r = 0; r < rows; r++) {
        const s = v[r], o = r * cols;
        for (let c = 0; c < cols; c++) out[c] = R(w[o + c] * s + out[c]);
      }
      return out;
    }

    function sigmoid(v) {
      if (v >= 0) return R(1 / R(1 + R(Math.exp(-v))));
      const z = R(Math.exp(v));
      return R(z / R(1 + z));
    }

    function logit(v) {
      return R(Math.log(R(v / R(1 - v))));
    }

    function inputs(pixels) {
      const x = new Real(sizes[0]);
      for (let i = 0; i < x.length; i++) x[i] = pixelInput[pixels[i]];
      return x;
    }

    /* The outputs of every layer, the inputs first. */
    function forward(x) {
      const outputs = [x];
      for (let k = 0; k < layers; k++) {
        const rows = sizes[k + 1], cols = sizes[k], below = outputs[k], o = new Real(rows);
        for (let r = 0; r < rows; r++) {
          let z = dot(weights[k], r, below, cols);
          if (biases) z = R(z + biases[k][r]);
          o[r] = sigmoid(z);
        }
        outputs.push(o);
      }
      return outputs;
    }

    function query(pixels) {
      return Array.from(forward(inputs(pixels))[layers]);
    }

    function targets(label) {
      const t = new Real(sizes[layers]).fill(low);
      t[label] = high;
      return t;
    }

    /* One step of the network's rule on pixels with this label; the squared error before it. */
    function train(pixels, label) {
      const outputs = forward(inputs(pixels)), t = targets(label);
      let o = outputs[layers];
      let errors = new Real(o.length), deltas = new Real(o.length), squared = 0;
      for (let j = 0; j < o.length; j++) {
        errors[j] = R(t[j] - o[j]);
        squared = R(squared + R(errors[j] * errors[j]));
        deltas[j] = model.rule === "cross_entropy" ? errors[j] : R(R(errors[j] * o[j]) * R(1 - o[j]));
      }
      for (let k = layers - 1; k >= 0; k--) {
        const rows = sizes[k + 1], cols = sizes[k], w = weights[k], below = outputs[k];
        const down = k > 0 ? dotTransposed(w, model.rule === "book" ? errors : deltas, rows, cols) : null;
        for (let r = 0; r < rows; r++) {
          const step = R(lr * deltas[r]), at = r * cols;
          for (let c = 0; c < cols; c++) w[at + c] = R(step * below[c] + w[at + c]);
          if (biases) biases[k][r] = R(biases[k][r] + step);
        }
        if (k > 0) {
          o = below;
          errors = down;
          deltas = new Real(cols);
          for (let j = 0; j < cols; j++) deltas[j] = R(R(errors[j] * o[j]) * R(1 - o[j]));
        }
      }
      return squared;
    }

    /* The book's rescaling onto 0.01 .. 0.99. */
    function rescale(v) {
      let least = v[0];
      for (let i = 1; i < v.length; i++) if (v[i] < least) least = v[i];
      for (let i = 0; i < v.length; i++) v[i] = R(v[i] - least);
      let most = v[0];
      for (let i = 1; i < v.length; i++) if (v[i] > most) most = v[i];
      for (let i = 0; i < v.length; i++) v[i] = most > 0 ? R(R(R(v[i] / most) * R(0.98)) + low) : R(0.5);
    }

    /* The input the network associates with targets 0.99 for `label`, 0.01 elsewhere. */
    function backquery(label) {
      let signal = targets(label).map(logit);
      for (let k = layers - 1; k >= 0; k--) {
        if (biases) signal = signal.map(function (s, j) { return R(s - biases[k][j]); });
        const below = dotTransposed(weights[k], signal, sizes[k + 1], sizes[k]);
        rescale(below);
        signal = k > 0 ? below.map(logit) : below;
      }
      return Array.from(signal);
    }

    return {
      sizes: sizes, dtype: model.dtype, rule: model.rule, learningRate: model.learning_rate,
      hiddenIsList: model.hidden_is_list, weights: weights, biases: biases,
      query: query, train: train, backquery: backquery,
    };
  }

  /* ---- the model file: an uncompressed .npz (a zip of .npy arrays) ---- */

  function bytesOfBase64(text) {
    const binary = atob(text), bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  /* Little-endian float32 or float64 values from base64. */
  function arrayOfBase64(text, dtype) {
    const bytes = bytesOfBase64(text), view = new DataView(bytes.buffer);
    const size = dtype === "float32" ? 4 : 8, out = dtype === "float32" ? new Float32Array(bytes.length / 4)
      : new Float64Array(bytes.length / 8);
    for (let i = 0; i < out.length; i++) out[i] = size === 4 ? view.getFloat32(4 * i, true) : view.getFloat64(8 * i, true);
    return out;
  }

  function fromEmbedded(data) {
    return create({
      sizes: data.sizes, dtype: data.dtype, rule: data.rule, learning_rate: data.learning_rate,
      hidden_is_list: data.hidden_is_list,
      weights: data.weights.map(function (w) { return arrayOfBase64(w, data.dtype); }),
      biases: data.biases ? data.biases.map(function (b) { return arrayOfBase64(b, data.dtype); }) : null,
    });
  }

  function ascii(text) {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  /* One .npy file: descr such as "<f4", shape a list, data its bytes. */
  function npy(descr, shape, data) {
    const dims = shape.length === 1 ? "(" + shape[0] + ",)" : "(" + shape.join(", ") + ")";
    let header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
    header += " ".repeat((64 - ((10 + header.length + 1) % 64)) % 64) + "\n";
    const out = new Uint8Array(10 + header.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
    out.set(ascii(header), 10);
    out.set(data, 10 + header.length);
    return out;
  }

  function stringArray(text) {
    const data = new Uint8Array(4 * text.length);
    for (let i = 0; i < text.length; i++) data[4 * i] = text.charCodeAt(i);
    return npy("<U" + text.length, [], data);
  }

  function int64Array(values, shape) {
    const data = new Uint8Array(8 * values.length), view = new DataView(data.buffer);
    values.forEach(function (v, i) { view.setBigInt64(8 * i, BigInt(v), true); });
    return npy("<i8", shape, data);
  }

  function realArray(values, dtype, shape) {
    const size = dtype === "float32" ? 4 : 8;
    const data = new Uint8Array(size * values.length), view = new DataView(data.buffer);
    for (let i = 0; i < values.length; i++) {
      if (size === 4) view.setFloat32(4 * i, values[i], true);
      else view.setFloat64(8 * i, values[i], true);
    }
    return npy("<f" + size, shape, data);
  }

  function boolArray(value) {
    return npy("|b1", [], new Uint8Array([value ? 1 : 0]));
  }

  let crcTable = null;

  function crc32(bytes) {
    if (!crcTable) {
      crcTable = new Uint32Array(256);
      for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        crcTable[n] = c >>> 0;
      }
    }
    let c = 0xffffffff;
    for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  /* A zip archive of stored (uncompressed) members: [[name, bytes], ...]. */
  function zip(members) {
    const parts = [], directory = [];
    let offset = 0;
    members.forEach(function (member) {
      const name = ascii(member[0]), data = member[1], crc = crc32(data);
      const local = new Uint8Array(30), view = new DataView(local.buffer);
      view.setUint32(0, 0x04034b50, true);
      view.setUint16(4, 20, true);
      view.setUint16(10, 0, true); /* time 00:00 */
      view.setUint16(12, (1980 - 1980) << 9 | 1 << 5 | 1, true); /* 1 January 1980 */
      view.setUint32(14, crc, true);
      view.setUint32(18, data.length, true);
      view.setUint32(22, data.length, true);
      view.setUint16(26, name.length, true);
      const central = new Uint8Array(46), cv = new DataView(central.buffer);
      cv.setUint32(0, 0x02014b50, true);
      cv.setUint16(4, 20, true);
      cv.setUint16(6, 20, true);
      cv.setUint16(14, view.getUint16(12, true), true);
      cv.setUint32(16, crc, true);
      cv.setUint32(20, data.length, true);
      cv.setUint32(24, data.length, true);
      cv.setUint16(28, name.length, true);
      cv.setUint32(42, offset, true);
      parts.push(local, name, data);
      directory.push(central, name);
      offset += local.length + name.length + data.length;
    });
    let size = 0;
    directory.forEach(function (p) { size += p.length; });
    const end = new Uint8Array(22), ev = new DataView(end.buffer);
    ev.setUint32(0, 0x06054b50, true);
    ev.setUint16(8, members.length, true);
    ev.setUint16(10, members.length, true);
    ev.setUint32(12, size, true);
    ev.setUint32(16, offset, true);
    const all = parts.concat(directory, [end]);
    let total = 0;
    all.forEach(function (p) { total += p.length; });
    const out = new Uint8Array(total);
    let at = 0;
    all.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  /* The network as an ffnn model file (ffnn.serialize's format), as bytes. */
  function modelFile(net) {
    const members = [
      ["format.npy", stringArray("ffnn-network")],
      ["version.npy", int64Array([1], [])],
      ["sizes.npy", int64Array(net.sizes, [net.sizes.length])],
      ["dtype.npy", stringArray(net.dtype)],
      ["learning_rate.npy", realArray([net.learningRate], "float64", [])],
      ["rule.npy", stringArray(net.rule)],
      ["hidden_is_list.npy", boolArray(net.hiddenIsList)],
    ];
    net.weights.forEach(function (w, k) {
      members.push(["weights_" + k + ".npy", realArray(w, net.dtype, [net.sizes[k + 1], net.sizes[k]])]);
    });
    if (net.biases) {
      members.push(["bias.npy", boolArray(true)]);
      net.biases.forEach(function (b, k) {
        members.push(["biases_" + k + ".npy", realArray(b, net.dtype, [net.sizes[k + 1]])]);
      });
    }
    return zip(members);
  }

  return { create: create, fromEmbedded: fromEmbedded, modelFile: modelFile };
})();
