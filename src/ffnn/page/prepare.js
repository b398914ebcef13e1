/*
 * A drawing made into one of MNIST's digits, step for step as
 * ffnn.images.prepare_gray does it (read that module for the reasons of
 * each step): the same constants, the same order of operations, Pillow's
 * BOX and LANCZOS resampling of float32 pictures, NumPy's percentiles,
 * medians, histograms and sums, Python's rounding of halves to even.
 *
 * A picture is a grid {h, w, d}: h rows of w float64 values, row after row.
 */
"use strict";

const prepare = (function () {
  const SIDE = 28, BOX = 20, WORKING_SIDE = 96, DIGIT_SIDE = 64, GROUND_BLOCKS = 12;
  const SIDE_BLOCKS = 5, LIGHT_INK = 0.6, DITHER_BLUR = 1.0, RIM = 0.25, LABEL_SIDE = 128;
  const PIECE_SHARE = 0.02, HEAVY_SHARE = 0.25, NEAR = 0.25, EDGE_SHARE = 0.4, INNER_SHARE = 0.1;
  const PAPER_REACH = 0.3;

  class NoInk extends Error {}

  function grid(h, w, d) {
    return { h: h, w: w, d: d || new Float64Array(h * w) };
  }

  function map(g, f) {
    const out = grid(g.h, g.w);
    for (let i = 0; i < g.d.length; i++) out.d[i] = f(g.d[i], i);
    return out;
  }

  /* Python's round() and NumPy's rint: halves go to the even neighbour. */
  function roundEven(x) {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }

  /* NumPy's pairwise summation of n values a[start], a[start + 1], ... */
  function pairwiseSum(a, start, n) {
    if (n < 8) {
      let s = -0.0;
      for (let i = 0; i < n; i++) s += a[start + i];
      return s;
    }
    if (n <= 128) {
      const r = [];
      for (let j = 0; j < 8; j++) r.push(a[start + j]);
      let i = 8;
      for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
      let s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) s += a[start + i];
      return s;
    }
    let half = Math.floor(n / 2);
    half -= half % 8;
    return pairwiseSum(a, start, half) + pairwiseSum(a, start + half, n - half);
  }

  function sum(values) {
    return pairwiseSum(values, 0, values.length);
  }

  function sorted(values) {
    return Float64Array.from(values).sort();
  }

  /* np.percentile(values, q) with its default (linear) method, of sorted values. */
  function percentileOfSorted(s, q) {
    const n = s.length, at = (n - 1) * (q / 100);
    let below = Math.floor(at), above = below + 1;
    if (at >= n - 1) below = above = n - 1;
    if (at < 0) below = above = 0;
    const a = s[below], b = s[above], t = at - (at >= n - 1 ? -1 : below);
    const difference = b - a;
    return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
  }

  function percentile(values, q) {
    return percentileOfSorted(sorted(values), q);
  }

  function median(values) {
    const s = sorted(values), n = s.length;
    if (n % 2) return s[(n - 1) / 2];
    return (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  function crop(g, top, bottom, left, right) {
    bottom = Math.min(bottom, g.h);
    right = Math.min(right, g.w);
    const out = grid(bottom - top, right - left);
    for (let y = top; y < bottom; y++)
      for (let x = left; x < right; x++) out.d[(y - top) * out.w + x - left] = g.d[y * g.w + x];
    return out;
  }

  /* ---- Pillow's resampling of a mode "F" (float32) picture ---- */

  const FILTERS = {
    box: {
      support: 0.5,
      weight: function (x) { return x > -0.5 && x <= 0.5 ? 1.0 : 0.0; },
    },
    lanczos: {
      support: 3.0,
      weight: function (x) {
        return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
      },
    },
  };

  function sinc(x) {
    if (x === 0.0) return 1.0;
    x = x * Math.PI;
    return Math.sin(x) / x;
  }

  /* For each output position, the first input it reads and its weights. */
  function coefficients(inSize, outSize, filter) {
    const scale = inSize / outSize;
    const filterScale = Math.max(scale, 1.0);
    const support = filter.support * filterScale, step = 1.0 / filterScale;
    const first = [], weights = [];
    for (let xx = 0; xx < outSize; xx++) {
      const centre = (xx + 0.5) * scale;
      const low = Math.max(Math.trunc(centre - support + 0.5), 0);
      const count = Math.min(Math.trunc(centre + support + 0.5), inSize) - low;
      const k = new Float64Array(Math.max(count, 0));
      let total = 0.0;
      for (let x = 0; x < count; x++) {
        k[x] = filter.weight((x + low - centre + 0.5) * step);
        total += k[x];
      }
      if (total !== 0.0) for (let x = 0; x < count; x++) k[x] /= total;
      first.push(low);
      weights.push(k);
    }
    return { first: first, weights: weights };
  }

  /* Image.fromarray(values as float32).resize((w, h), filter), as float64. */
  function resize(g, w, h, filterName) {
    const filter = FILTERS[filterName];
    let source = map(g, Math.fround);
    if (w === g.w && h === g.h) return source;
    const down = coefficients(g.h, h, filter);
    const rowFirst = down.first[0];
    const rowLast = down.first[h - 1] + down.weights[h - 1].length;
    let shift = 0;
    if (w !== g.w) {
      const across = coefficients(g.w, w, filter);
      const rows = rowLast - rowFirst, out = grid(rows, w);
      for (let y = 0; y < rows; y++) {
        const line = (y + rowFirst) * g.w;
        for (let x = 0; x < w; x++) {
          const k = across.weights[x], low = across.first[x];
          let s = 0.0;
          for (let i = 0; i < k.length; i++) s += source.d[line + low + i] * k[i];
          out.d[y * w + x] = Math.fround(s);
        }
      }
      source = out;
      shift = rowFirst;
    }
    if (h !== g.h) {
      const out = grid(h, source.w);
      for (let y = 0; y < h; y++) {
        const k = down.weights[y], low = down.first[y] - shift;
        for (let x = 0; x < source.w; x++) {
          let s = 0.0;
          for (let i = 0; i < k.length; i++) s += source.d[(low + i) * source.w + x] * k[i];
          out.d[y * source.w + x] = Math.fround(s);
        }
      }
      source = out;
    }
    return source;
  }

  /* The picture with its long side reduced to `side` by area averaging, if longer. */
  function reduced(g, side) {
    const long = Math.max(g.h, g.w);
    if (long <= side) return g;
    const scale = side / long;
    return resize(g, Math.max(1, roundEven(g.w * scale)), Math.max(1, roundEven(g.h * scale)), "box");
  }

  /* ---- NumPy-style neighbourhood operations ---- */

  /* np.pad(values, reach, mode="edge") */
  function padEdge(g, reach) {
    const out = grid(g.h + 2 * reach, g.w + 2 * reach);
    for (let y = 0; y < out.h; y++) {
      const sy = Math.min(Math.max(y - reach, 0), g.h - 1);
      for (let x = 0; x < out.w; x++) {
        const sx = Math.min(Math.max(x - reach, 0), g.w - 1);
        out.d[y * out.w + x] = g.d[sy * g.w + sx];
      }
    }
    return out;
  }

  /* out[x] = reduce over line[x .. x + size - 1] for every x, by van Herk and
     Gil-Werman's running blocks: three reductions a value whatever the size. */
  function slide(line, size, reduce, out) {
    const n = line.length, ahead = new Float64Array(n), behind = new Float64Array(n);
    for (let i = 0; i < n; i++) ahead[i] = i % size === 0 ? line[i] : reduce(ahead[i - 1], line[i]);
    for (let i = n - 1; i >= 0; i--) behind[i] = i === n - 1 || (i + 1) % size === 0 ? line[i] : reduce(behind[i + 1], line[i]);
    for (let x = 0; x < out.length; x++) out[x] = reduce(behind[x], ahead[x + size - 1]);
  }

  /* max or min over the size x size square around each pixel, edges continued. */
  function running(g, size, reduce) {
    const half = Math.floor(size / 2), padded = padEdge(g, half);
    const across = grid(padded.h, g.w), row = new Float64Array(g.w);
    for (let y = 0; y < padded.h; y++) {
      slide(padded.d.subarray(y * padded.w, (y + 1) * padded.w), size, reduce, row);
      across.d.set(row, y * g.w);
    }
    const out = grid(g.h, g.w), column = new Float64Array(padded.h), result = new Float64Array(g.h);
    for (let x = 0; x < g.w; x++) {
      for (let y = 0; y < padded.h; y++) column[y] = across.d[y * g.w + x];
      slide(column, size, reduce, result);
      for (let y = 0; y < g.h; y++) out.d[y * g.w + x] = result[y];
    }
    return out;
  }

  /* Blurred by a Gaussian of sigma pixels, separably, edges continued. */
  function blurred(g, sigma) {
    const reach = Math.max(1, Math.ceil(3 * sigma));
    const kernel = new Float64Array(2 * reach + 1);
    for (let i = 0; i < kernel.length; i++) {
      const t = (i - reach) / sigma;
      kernel[i] = Math.exp(-0.5 * (t * t));
    }
    const total = sum(kernel);
    for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
    const padded = padEdge(g, reach);
    const down = grid(g.h, padded.w);
    for (let y = 0; y < g.h; y++)
      for (let x = 0; x < padded.w; x++) {
        let s = 0;
        for (let i = 0; i < kernel.length; i++) s += kernel[i] * padded.d[(y + i) * padded.w + x];
        down.d[y * padded.w + x] = s;
      }
    const out = grid(g.h, g.w);
    for (let y = 0; y < g.h; y++)
      for (let x = 0; x < g.w; x++) {
        let s = 0;
        for (let i = 0; i < kernel.length; i++) s += kernel[i] * down.d[y * padded.w + x + i];
        out.d[y * g.w + x] = s;
      }
    return out;
  }

  /* The picture cut into about `blocks` square blocks along its long side. */
  function cells(g, blocks) {
    const block = Math.max(2, Math.ceil(Math.max(g.h, g.w) / blocks));
    const rows = Math.ceil(g.h / block), cols = Math.ceil(g.w / block);
    const list = [];
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const values = new Float64Array(block * block);
        let n = 0;
        for (let y = r * block; y < (r + 1) * block; y++)
          for (let x = c * block; x < (c + 1) * block; x++)
            values[n++] = g.d[Math.min(y, g.h - 1) * g.w + Math.min(x, g.w - 1)];
        list.push(values);
      }
    return { block: block, rows: rows, cols: cols, list: list };
  }

  /* Each cell replaced by reduce over its 3 x 3 neighbourhood; beyond the
     edges the grid goes on in a straight line (NumPy's odd reflection). */
  function neighbourhood(g, reduce) {
    const p = grid(g.h + 2, g.w + 2), odd = Math.min(g.h, g.w) > 1;
    for (let y = 0; y < g.h; y++)
      for (let x = 0; x < g.w; x++) p.d[(y + 1) * p.w + x + 1] = g.d[y * g.w + x];
    for (let x = 1; x <= g.w; x++) {
      const top = p.d[p.w + x], bottom = p.d[g.h * p.w + x];
      p.d[x] = odd ? 2 * top - p.d[2 * p.w + x] : top;
      p.d[(g.h + 1) * p.w + x] = odd ? 2 * bottom - p.d[(g.h - 1) * p.w + x] : bottom;
    }
    for (let y = 0; y < p.h; y++) {
      const left = p.d[y * p.w + 1], right = p.d[y * p.w + g.w];
      p.d[y * p.w] = odd ? 2 * left - p.d[y * p.w + 2] : left;
      p.d[y * p.w + g.w + 1] = odd ? 2 * right - p.d[y * p.w + g.w - 1] : right;
    }
    const out = grid(g.h, g.w);
    for (let y = 0; y < g.h; y++)
      for (let x = 0; x < g.w; x++) {
        let v = p.d[y * p.w + x];
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 3; j++) v = reduce(v, p.d[(y + i) * p.w + x + j]);
        out.d[y * g.w + x] = v;
      }
    return out;
  }

  /* (n, cells) weights interpolating cell values `block` pixels apart. */
  function linearWeights(n, count, block) {
    const w = grid(n, count);
    for (let i = 0; i < n; i++) {
      if (count === 1) {
        w.d[i] = 1.0;
        continue;
      }
      const position = (i + 0.5) / block - 0.5;
      const first = Math.min(Math.max(Math.floor(position), 0), count - 2);
      const share = position - first;
      w.d[i * count + first] = 1.0 - share;
      w.d[i * count + first + 1] = share;
    }
    return w;
  }

  /* ---- a fused multiply-add, a * b + c rounded once ----
     NumPy's matrix products run through its BLAS, whose kernels fuse each
     multiply-add: the ground's interpolation and the luminance are computed
     that way, so that their last bits, which decide between paper and ink
     where a clean drawing's paper has no noise at all, are NumPy's. The
     product is split exactly (Veltkamp, Dekker), the sum rounded to odd
     before its last rounding (Boldo and Melquiond's emulation). */

  const SPLITTER = 134217729; // 2 ** 27 + 1
  const word = new DataView(new ArrayBuffer(8));

  function twoSum(a, b) {
    const s = a + b, bb = s - a;
    return [s, (a - (s - bb)) + (b - bb)];
  }

  function twoProduct(a, b) {
    const p = a * b;
    const ca = SPLITTER * a, ah = ca - (ca - a), al = a - ah;
    const cb = SPLITTER * b, bh = cb - (cb - b), bl = b - bh;
    return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
  }

  /* a + b rounded to odd: when inexact, the neighbour whose last bit is 1. */
  function sumRoundedToOdd(a, b) {
    const [s, e] = twoSum(a, b);
    if (e === 0 || !isFinite(s)) return s;
    word.setFloat64(0, s, true);
    const low = word.getUint32(0, true);
    if (low & 1) return s;
    if (e > 0 === s > 0) {
      word.setUint32(0, low + 1, true); // away from zero, towards e
    } else if (low === 0) {
      word.setUint32(0, 0xffffffff, true);
      word.setUint32(4, word.getUint32(4, true) - 1, true);
    } else {
      word.setUint32(0, low - 1, true);
    }
    return word.getFloat64(0, true);
  }

  function fma(a, b, c) {
    const [uh, ul] = twoProduct(a, b);
    const [th, tl] = twoSum(c, uh);
    return th + sumRoundedToOdd(tl, ul);
  }

  /* a @ b, each entry a chain of fused multiply-adds in order (zero terms add nothing). */
  function matmul(a, b) {
    const out = grid(a.h, b.w);
    for (let i = 0; i < a.h; i++)
      for (let j = 0; j < b.w; j++) {
        let s = 0;
        for (let k = 0; k < a.w; k++) {
          const x = a.d[i * a.w + k], y = b.d[k * b.w + j];
          if (x !== 0 && y !== 0) s = fma(x, y, s);
        }
        out.d[i * b.w + j] = s;
      }
    return out;
  }

  function transposed(g) {
    const out = grid(g.w, g.h);
    for (let y = 0; y < g.h; y++) for (let x = 0; x < g.w; x++) out.d[x * g.h + y] = g.d[y * g.w + x];
    return out;
  }

  /* The slowly changing ground under the writing: a percentile of each
     block, optionally closed, interpolated back linearly. */
  function ground(g, q, close, blocks) {
    const c = cells(g, blocks);
    let grounds = grid(c.rows, c.cols);
    c.list.forEach(function (values, i) { grounds.d[i] = percentile(values, q); });
    if (close) grounds = neighbourhood(neighbourhood(grounds, Math.max), Math.min);
    const across = linearWeights(g.h, c.rows, c.block), along = linearWeights(g.w, c.cols, c.block);
    return matmul(matmul(across, grounds), transposed(along));
  }

  /* Otsu's threshold, over NumPy's histogram of 256 equal bins. */
  function otsu(values) {
    let low = Infinity, high = -Infinity;
    for (const v of values) {
      if (v < low) low = v;
      if (v > high) high = v;
    }
    if (high <= low) return low;
    const bins = 256, step = (high - low) / bins, edges = new Float64Array(bins + 1);
    for (let i = 0; i < bins; i++) edges[i] = i * step + low;
    edges[bins] = high;
    const counts = new Float64Array(bins), span = high - low;
    for (const v of values) {
      let i = Math.trunc(((v - low) / span) * bins);
      if (i === bins) i -= 1;
      if (v < edges[i]) i -= 1;
      if (v >= edges[i + 1] && i !== bins - 1) i += 1;
      counts[i] += 1;
    }
    const total = values.length;
    let weight = 0, mass = 0;
    const weights = new Float64Array(bins), masses = new Float64Array(bins);
    for (let i = 0; i < bins; i++) {
      weight += counts[i];
      mass += counts[i] * ((edges[i] + edges[i + 1]) / 2);
      weights[i] = weight;
      masses[i] = mass;
    }
    let best = -1, bestValue = -Infinity;
    for (let i = 0; i < bins - 1; i++) {
      const lowMean = masses[i] / weights[i];
      const highMean = (masses[bins - 1] - masses[i]) / (total - weights[i]);
      const d = lowMean - highMean;
      const between = weights[i] * (total - weights[i]) * (d * d);
      if (between > bestValue) {
        bestValue = between;
        best = i;
      }
    }
    return edges[best + 1];
  }

  /* ---- the steps of prepare_gray ---- */

  function isDarkInk(gray) {
    const small = reduced(gray, 128);
    const g = ground(small, 50, false, SIDE_BLOCKS);
    const rest = small.d.map(function (v, i) { return v - g.d[i]; });
    const s = sorted(rest), middle = median(rest);
    const below = middle - percentileOfSorted(s, 2), above = percentileOfSorted(s, 98) - middle;
    const level = 1 / 255;
    if (below > 1.5 * above + level) return true;
    if (above > 1.5 * below + level) return false;
    const cut = otsu(rest);
    let dark = 0;
    for (const v of rest) if (v < cut) dark++;
    const darkShare = dark / rest.length;
    if (Math.abs(darkShare - 0.5) > 0.1) return darkShare < 0.5;
    const border = [];
    for (let x = 0; x < small.w; x++) border.push(small.d[x]);
    for (let x = 0; x < small.w; x++) border.push(small.d[(small.h - 1) * small.w + x]);
    for (let y = 0; y < small.h; y++) border.push(small.d[y * small.w]);
    for (let y = 0; y < small.h; y++) border.push(small.d[y * small.w + small.w - 1]);
    const smallCut = otsu(small.d);
    let bright = 0;
    for (const v of border) if (v > smallCut) bright++;
    return !(bright / border.length < 0.25);
  }

  function paperNoise(darkness) {
    const c = cells(darkness, GROUND_BLOCKS);
    const spreads = c.list.map(function (values) {
      const s = sorted(values);
      return percentileOfSorted(s, 50) - percentileOfSorted(s, 10);
    });
    const s = sorted(darkness.d);
    const whole = percentileOfSorted(s, 50) - percentileOfSorted(s, 10);
    return Math.max(median(spreads), whole / 2) / 1.2816;
  }

  /* Connected pieces (8 neighbours) numbered 1.. in the order of their first pixel. */
  function labelPieces(mask, h, w) {
    const labels = new Int32Array(h * w), stack = [];
    let count = 0;
    for (let start = 0; start < h * w; start++) {
      if (!mask[start] || labels[start]) continue;
      labels[start] = ++count;
      stack.push(start);
      while (stack.length) {
        const p = stack.pop(), y = Math.floor(p / w), x = p % w;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy, xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            const q = yy * w + xx;
            if (mask[q] && !labels[q]) {
              labels[q] = count;
              stack.push(q);
            }
          }
      }
    }
    return { labels: labels, count: count + 1 };
  }

  function alongEdge(labels, h, w, count) {
    const contact = new Float64Array(count);
    for (let x = 0; x < w; x++) contact[labels[x]]++;
    for (let x = 0; x < w; x++) contact[labels[(h - 1) * w + x]]++;
    for (let y = 1; y < h - 1; y++) contact[labels[y * w]]++;
    for (let y = 1; y < h - 1; y++) contact[labels[y * w + w - 1]]++;
    const low = [[], []], high = [[], []];
    for (let a = 0; a < 2; a++) for (let k = 0; k < count; k++) {
      low[a].push(Infinity);
      high[a].push(-1);
    }
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const k = labels[y * w + x];
        if (!k) continue;
        low[0][k] = Math.min(low[0][k], y);
        high[0][k] = Math.max(high[0][k], y);
        low[1][k] = Math.min(low[1][k], x);
        high[1][k] = Math.max(high[1][k], x);
      }
    const edge = [];
    for (let k = 0; k < count; k++) {
      let length = 1;
      for (let a = 0; a < 2; a++) if (high[a][k] >= 0) length = Math.max(length, high[a][k] - low[a][k] + 1);
      edge.push(k > 0 && contact[k] >= EDGE_SHARE * length);
    }
    return edge;
  }

  /* 1 on the pieces of ink that make the digit, 0 elsewhere. */
  function digitPieces(strokes, ink) {
    const h = ink.h, w = ink.w;
    const factor = Math.max(1, Math.ceil(Math.max(h, w) / LABEL_SIDE));
    const rows = Math.ceil(h / factor), cols = Math.ceil(w / factor);
    const coarse = new Uint8Array(rows * cols), weighted = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        let any = 0, s = 0;
        for (let y = r * factor; y < (r + 1) * factor; y++)
          for (let x = c * factor; x < (c + 1) * factor; x++) {
            if (y >= h || x >= w) continue;
            if (strokes[y * w + x]) {
              any = 1;
              s += ink.d[y * w + x];
            }
          }
        coarse[r * cols + c] = any;
        weighted[r * cols + c] = s;
      }
    const found = labelPieces(coarse, rows, cols), labels = found.labels;
    let mass = new Float64Array(found.count);
    for (let i = 0; i < labels.length; i++) mass[labels[i]] += weighted[i];
    mass[0] = 0.0;
    const edge = alongEdge(labels, rows, cols, found.count);
    let inner = 0, heaviest = 0;
    for (let k = 0; k < mass.length; k++) {
      inner = Math.max(inner, edge[k] ? 0 : mass[k]);
      heaviest = Math.max(heaviest, mass[k]);
    }
    if (inner >= INNER_SHARE * heaviest) mass = mass.map(function (m, k) { return edge[k] ? 0 : m; });
    let main = 0;
    for (let k = 1; k < mass.length; k++) if (mass[k] > mass[main]) main = k;
    let r0 = Infinity, r1 = -1, c0 = Infinity, c1 = -1;
    for (let i = 0; i < labels.length; i++)
      if (labels[i] === main) {
        const r = Math.floor(i / cols), c = i % cols;
        r0 = Math.min(r0, r); r1 = Math.max(r1, r);
        c0 = Math.min(c0, c); c1 = Math.max(c1, c);
      }
    const reach = NEAR * Math.max(r1 - r0, c1 - c0, 1);
    const near = new Uint8Array(mass.length);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++)
        if (r >= r0 - reach && r <= r1 + reach && c >= c0 - reach && c <= c1 + reach) near[labels[r * cols + c]] = 1;
    const kept = [];
    for (let k = 0; k < mass.length; k++)
      kept.push(k > 0 && (mass[k] >= HEAVY_SHARE * mass[main] || (near[k] && mass[k] >= PIECE_SHARE * mass[main])));
    const keep = new Uint8Array(h * w);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        keep[y * w + x] = kept[labels[Math.floor(y / factor) * cols + Math.floor(x / factor)]] ? 1 : 0;
    return keep;
  }

  /* Ink 0..1 of dark writing on light paper, and where the digit's pieces are. */
  function inkOf(gray, reach) {
    const size = Math.max(3, Math.trunc(reach) | 1);
    const closed = running(running(gray, size, Math.max), size, Math.min);
    const smooth = blurred(closed, size / 6), paper = ground(gray, 90, true, GROUND_BLOCKS);
    const darkness = map(gray, function (v, i) {
      return 1.0 - v / Math.max(Math.min(smooth.d[i], paper.d[i]), 1e-3);
    });
    const level = median(darkness.d), noise = paperNoise(darkness);
    const cut = Math.max(otsu(darkness.d), level + 4 * noise);
    const strokes = new Uint8Array(darkness.d.length), inStrokes = [];
    darkness.d.forEach(function (v, i) {
      if (v > cut) {
        strokes[i] = 1;
        inStrokes.push(v);
      }
    });
    if (!inStrokes.length || median(inStrokes) - level < Math.max(4.5 * noise, 0.05))
      throw new NoInk("no ink found (nothing stands out from the paper)");
    const floor = level + 3 * noise, full = percentile(inStrokes, 90);
    const ink = map(darkness, function (v) {
      return Math.min(Math.max((v - floor) / Math.max(full - floor, 1e-6), 0.0), 1.0);
    });
    return { ink: ink, keep: digitPieces(strokes, ink) };
  }

  function bounds(values, h, w) {
    let r0 = Infinity, r1 = -1, c0 = Infinity, c1 = -1;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (values[y * w + x] > 0) {
          r0 = Math.min(r0, y); r1 = Math.max(r1, y);
          c0 = Math.min(c0, x); c1 = Math.max(c1, x);
        }
    if (r1 < 0) throw new NoInk("no ink found");
    return { top: r0, bottom: r1 + 1, left: c0, right: c1 + 1 };
  }

  /* Found on the picture reduced, then read again from a crop around it. */
  function inkMap(paperLight) {
    const long = Math.max(paperLight.h, paperLight.w), short = Math.min(paperLight.h, paperLight.w);
    const working = Math.min(long, Math.floor((WORKING_SIDE * long) / short), 3 * WORKING_SIDE);
    const coarse = reduced(paperLight, working);
    const first = inkOf(coarse, PAPER_REACH * Math.min(coarse.h, coarse.w));
    const b = bounds(first.keep, coarse.h, coarse.w);
    const scaleY = paperLight.h / coarse.h, scaleX = paperLight.w / coarse.w;
    let top = b.top * scaleY, bottom = b.bottom * scaleY, left = b.left * scaleX, right = b.right * scaleX;
    const side = Math.max(bottom - top, right - left), rim = RIM * side;
    top = Math.max(0, Math.trunc(top - rim));
    left = Math.max(0, Math.trunc(left - rim));
    bottom = Math.ceil(bottom + rim);
    right = Math.ceil(right + rim);
    let piece = crop(paperLight, top, bottom, left, right);
    piece = reduced(piece, Math.max(8, Math.trunc(Math.max(piece.h, piece.w) * Math.min(1.0, DIGIT_SIDE / side))));
    const found = inkOf(piece, (PAPER_REACH * side * Math.max(piece.h, piece.w)) / Math.max(bottom - top, right - left));
    return map(found.ink, function (v, i) { return v * found.keep[i]; });
  }

  /* Cropped to the ink, fitted to 20 x 20 (Lanczos), centred by mass in 28 x 28. */
  function asMnist(ink) {
    const b = bounds(ink.d, ink.h, ink.w);
    const piece = crop(ink, b.top, b.bottom, b.left, b.right);
    const scale = BOX / Math.max(piece.h, piece.w);
    const w = Math.max(1, roundEven(piece.w * scale)), h = Math.max(1, roundEven(piece.h * scale));
    const box = map(resize(piece, w, h, "lanczos"), function (v) { return Math.max(v, 0.0); });
    let top = -Infinity;
    for (const v of box.d) top = Math.max(top, v);
    for (let i = 0; i < box.d.length; i++) box.d[i] /= top;
    const middle = median(box.d.filter(function (v) { return v > 0.05; }));
    for (let i = 0; i < box.d.length; i++) box.d[i] = Math.min(Math.max(box.d[i] / middle, 0.0), 1.0);
    const ys = box.d.map(function (v, i) { return v * Math.floor(i / w); });
    const xs = box.d.map(function (v, i) { return v * (i % w); });
    const total = sum(box.d), centreY = sum(ys) / total, centreX = sum(xs) / total;
    const y0 = Math.min(Math.max(roundEven(SIDE / 2 - centreY), 0), SIDE - h);
    const x0 = Math.min(Math.max(roundEven(SIDE / 2 - centreX), 0), SIDE - w);
    const field = new Float64Array(SIDE * SIDE);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) field[(y0 + y) * SIDE + x0 + x] = box.d[y * w + x];
    return field;
  }

  /* ---- pictures in ---- */

  /* Transparent parts laid on the paper's colour (see images._lay_on_paper). */
  function layOnPaper(gray, alpha) {
    const opaque = [];
    gray.d.forEach(function (v, i) { if (alpha[i] >= 0.5) opaque.push(v); });
    let paper;
    if (!opaque.length) paper = 1.0;
    else if (opaque.length < gray.d.length / 2) paper = median(opaque) < LIGHT_INK ? 1.0 : 0.0;
    else paper = median(opaque);
    return map(gray, function (v, i) { return alpha[i] * v + (1.0 - alpha[i]) * paper; });
  }

  /* An ImageData (RGBA, 8 bits) as grayscale 0..1, as images.read_gray reads the same pixels. */
  function grayOf(image) {
    const g = grid(image.height, image.width), data = image.data;
    const alpha = new Float64Array(g.d.length);
    let opaque = true;
    for (let i = 0; i < g.d.length; i++) {
      /* NumPy's (r, g, b) @ (0.299, 0.587, 0.114), in the order its BLAS takes the terms */
      g.d[i] = fma(data[4 * i + 2] / 255, 0.114, fma(data[4 * i] / 255, 0.299, (data[4 * i + 1] / 255) * 0.587));
      alpha[i] = data[4 * i + 3] / 255;
      if (data[4 * i + 3] < 255) opaque = false;
    }
    return opaque ? g : layOnPaper(g, alpha);
  }

  function distinct(values, atMost) {
    const seen = new Set();
    for (const v of values) {
      seen.add(v);
      if (seen.size > atMost) break;
    }
    return seen.size;
  }

  /* images.prepare_gray: the 784 pixels the network sees, ink 255, paper 0.
     invert: true (dark on light), false (light on dark) or undefined (told
     from the picture). Throws NoInk when there is nothing to read. */
  function prepareGray(gray, invert) {
    const square = gray.h === SIDE && gray.w === SIDE;
    if (!square) {
      const sample = [];
      for (let y = 0; y < gray.h; y += 7) for (let x = 0; x < gray.w; x += 7) sample.push(gray.d[y * gray.w + x]);
      if (distinct(sample, 2) <= 2 && distinct(gray.d, 2) <= 2) gray = blurred(gray, DITHER_BLUR);
    }
    const darkInk = invert === undefined || invert === null ? isDarkInk(gray) : Boolean(invert);
    const pixels = new Uint8Array(SIDE * SIDE);
    if (square) {
      gray.d.forEach(function (v, i) {
        const p = roundEven(v * 255);
        pixels[i] = darkInk ? 255 - p : p;
      });
      if (distinct(pixels, 1) < 2) throw new NoInk("no ink found (the picture is one flat colour)");
      return pixels;
    }
    const field = asMnist(inkMap(darkInk ? gray : map(gray, function (v) { return 1.0 - v; })));
    field.forEach(function (v, i) { pixels[i] = roundEven(v * 255); });
    return pixels;
  }

  return {
    NoInk: NoInk,
    grayOf: grayOf,
    prepareGray: prepareGray,
    prepare: function (image, invert) { return prepareGray(grayOf(image), invert); },
  };
})();
