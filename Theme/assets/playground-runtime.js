// The playground's network runtime: a forward pass and the backward passes Grad-CAM and
// the gradients need, for every layer vizsite's core runs (chains and graphs: residual
// additions, concatenations, squeeze-and-excitation gates; see PlaygroundModel.swift), in
// plain JavaScript with no dependencies. Tensors are Float32Arrays, channels-last, as in
// the Swift core, so its numbers can be compared with the build's to 1e-4.
(function (global) {
  'use strict';

  // Little-endian float32 or float16 values in base64, as Float32Arrays.
  function decode(base64, dtype) {
    const binary = typeof atob === 'function'
      ? atob(base64) : Buffer.from(base64, 'base64').toString('binary');
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    if (dtype !== 'float16') return new Float32Array(bytes.buffer);
    const out = new Float32Array(bytes.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = half(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    return out;
  }

  function half(bits) {
    const sign = bits & 0x8000 ? -1 : 1, exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
    if (exponent === 0) return sign * fraction * Math.pow(2, -24);
    if (exponent === 31) return fraction ? NaN : sign * Infinity;
    return sign * (1 + fraction / 1024) * Math.pow(2, exponent - 15);
  }


  // JavaScript has no erf: Numerical Recipes' Chebyshev fit of erfc (erfcc), to a relative
  // 1.2e-7, as close as float32's erff.
  function erf(x) {
    const t = 1 / (1 + 0.5 * Math.abs(x));
    const y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
      + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
      + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? y : -y;
  }

  function sigmoid(x) { return 1 / (1 + Math.exp(-x)); }

  function gelu(x, approximate) {
    if (approximate) {
      const c = 0.7978845608, u = c * (x + 0.044715 * x * x * x), t = Math.tanh(u);
      const du = c * (1 + 3 * 0.044715 * x * x);
      return [0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du];
    }
    const cdf = 0.5 * (1 + erf(x * Math.SQRT1_2)), pdf = Math.exp(-0.5 * x * x) * 0.3989422804;
    return [x * cdf, cdf + x * pdf];
  }

  // Each activation's value f(x) and derivative from the input x and output y, as the
  // core's Activation (its conventions at kinks: PyTorch's).
  const activations = {
    linear: { f: (x) => x, d: () => 1 },
    softmax: { f: (x) => x, d: () => 1 }, // the network outputs logits; softmax is applied after
    relu: { f: (x) => (x > 0 ? x : 0), d: (x, y) => (y > 0 ? 1 : 0) },
    clip: { f: (x, a) => Math.min(Math.max(x, a.low), a.high), d: (x, y, a) => (y > a.low && y < a.high ? 1 : 0) },
    leaky_relu: { f: (x, a) => (x > 0 ? x : a.slope * x), d: (x, y, a) => (x > 0 ? 1 : a.slope) },
    sigmoid: { f: sigmoid, d: (x, y) => y * (1 - y) },
    hard_sigmoid: {
      f: (x, a) => Math.min(Math.max(a.alpha * x + a.beta, 0), 1), d: (x, y, a) => (y > 0 && y < 1 ? a.alpha : 0),
    },
    tanh: { f: (x) => Math.tanh(x), d: (x, y) => 1 - y * y },
    silu: { f: (x) => x * sigmoid(x), d: (x) => { const s = sigmoid(x); return s * (1 + x * (1 - s)); } },
    hard_swish: {
      f: (x) => x * Math.min(Math.max(x + 3, 0), 6) / 6, d: (x) => (x < -3 ? 0 : x <= 3 ? (2 * x + 3) / 6 : 1),
    },
    gelu: { f: (x) => gelu(x, false)[0], d: (x) => gelu(x, false)[1] },
    gelu_tanh: { f: (x) => gelu(x, true)[0], d: (x) => gelu(x, true)[1] },
  };

  function activate(a, pre) {
    if (a.name === 'linear' || a.name === 'softmax') return pre;
    const act = activations[a.name], out = new Float32Array(pre.length);
    for (let i = 0; i < pre.length; i++) out[i] = act.f(pre[i], a);
    return out;
  }

  function activationGradient(a, pre, out, gradient) {
    if (a.name === 'linear' || a.name === 'softmax') return gradient;
    const act = activations[a.name], g = new Float32Array(gradient.length);
    for (let i = 0; i < g.length; i++) {
      if (gradient[i] !== 0) g[i] = gradient[i] * act.d(pre[i], out[i], a);
    }
    return g;
  }

  // A convolution is a matrix product per group: each output pixel's receptive field (its
  // patch, kh·kw·cg values of the group's cg channels, zero outside the image) times the
  // group's kernel as a [kh·kw·cg, og] matrix (HWIO order). Calls visit(at, pixel) for each
  // kernel position of each output pixel that falls inside the input: `at` indexes the
  // patch matrix, `pixel` the input, both at channel 0.
  function walkPatches(l, visit) {
    const [h, w, c] = l.in[0], [oh, ow] = l.out, [kh, kw] = l.kernel, [sh, sw] = l.strides, [pt, pl] = l.pads;
    const [dh, dw] = l.dilations || [1, 1], cg = c / (l.groups || 1), q = kh * kw * cg;
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        let at = (y * ow + xo) * q;
        for (let i = 0; i < kh; i++) {
          const yi = y * sh + i * dh - pt;
          for (let j = 0; j < kw; j++, at += cg) {
            const xi = xo * sw + j * dw - pl;
            if (yi >= 0 && yi < h && xi >= 0 && xi < w) visit(at, (yi * w + xi) * c);
          }
        }
      }
    }
  }

  function patches(l, x, group) {
    const c = l.in[0][2], cg = c / l.groups, from = group * cg;
    const cols = new Float32Array(l.out[0] * l.out[1] * l.kernel[0] * l.kernel[1] * cg);
    walkPatches(l, (at, pixel) => { for (let ch = 0; ch < cg; ch++) cols[at + ch] = x[pixel + from + ch]; });
    return cols;
  }

  // out[p][o] = bias[o] + Σ_k A[p][k]·B[k][o] for A [n, q] and B [q, m], four rows and four
  // columns at a time so that sixteen sums stay in registers.
  function matmul(A, B, n, q, m, bias) {
    const out = new Float32Array(n * m);
    let p = 0;
    for (; p + 3 < n; p += 4) {
      const a0 = p * q, a1 = a0 + q, a2 = a1 + q, a3 = a2 + q;
      let o = 0;
      for (; o + 3 < m; o += 4) {
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
        for (let k = 0, b = o; k < q; k++, b += m) {
          const w0 = B[b], w1 = B[b + 1], w2 = B[b + 2], w3 = B[b + 3];
          const x0 = A[a0 + k], x1 = A[a1 + k], x2 = A[a2 + k], x3 = A[a3 + k];
          s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
          s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
          s20 += x2 * w0; s21 += x2 * w1; s22 += x2 * w2; s23 += x2 * w3;
          s30 += x3 * w0; s31 += x3 * w1; s32 += x3 * w2; s33 += x3 * w3;
        }
        const b0 = bias ? bias[o] : 0, b1 = bias ? bias[o + 1] : 0;
        const b2 = bias ? bias[o + 2] : 0, b3 = bias ? bias[o + 3] : 0;
        let r = p * m + o;
        out[r] = s00 + b0; out[r + 1] = s01 + b1; out[r + 2] = s02 + b2; out[r + 3] = s03 + b3; r += m;
        out[r] = s10 + b0; out[r + 1] = s11 + b1; out[r + 2] = s12 + b2; out[r + 3] = s13 + b3; r += m;
        out[r] = s20 + b0; out[r + 1] = s21 + b1; out[r + 2] = s22 + b2; out[r + 3] = s23 + b3; r += m;
        out[r] = s30 + b0; out[r + 1] = s31 + b1; out[r + 2] = s32 + b2; out[r + 3] = s33 + b3;
      }
      for (; o < m; o++) {
        for (let r = p; r < p + 4; r++) out[r * m + o] = dot(A, r * q, B, o, m, q) + (bias ? bias[o] : 0);
      }
    }
    for (; p < n; p++) {
      for (let o = 0; o < m; o++) out[p * m + o] = dot(A, p * q, B, o, m, q) + (bias ? bias[o] : 0);
    }
    return out;
  }

  function dot(A, a, B, b, stride, q) {
    let sum = 0;
    for (let k = 0; k < q; k++, b += stride) sum += A[a + k] * B[b];
    return sum;
  }

  // The kernel of each group as its own [q, og] matrix (and, for backward passes, [og, q]).
  function groupKernels(l) {
    if (l.kernels) return l.kernels;
    const o = l.out[2], og = o / l.groups, q = l.kernel[0] * l.kernel[1] * (l.in[0][2] / l.groups);
    l.kernels = [];
    for (let g = 0; g < l.groups; g++) {
      const W = l.groups === 1 ? l.w : new Float32Array(q * og), T = new Float32Array(q * og);
      const b = l.b ? l.b.subarray(g * og, (g + 1) * og) : null;
      for (let k = 0; k < q; k++) {
        for (let m = 0; m < og; m++) {
          const v = l.w[k * o + g * og + m];
          if (l.groups !== 1) W[k * og + m] = v;
          T[m * q + k] = v;
        }
      }
      l.kernels.push({ W, T, b });
    }
    return l.kernels;
  }

  function conv2dForward(l, x) {
    const [oh, ow, o] = l.out, q = l.kernel[0] * l.kernel[1] * (l.in[0][2] / l.groups);
    const kernels = groupKernels(l);
    if (l.groups === 1) return matmul(patches(l, x, 0), kernels[0].W, oh * ow, q, o, kernels[0].b);
    const og = o / l.groups, out = new Float32Array(oh * ow * o);
    kernels.forEach((k, g) => {
      const part = matmul(patches(l, x, g), k.W, oh * ow, q, og, k.b);
      for (let p = 0; p < oh * ow; p++) for (let m = 0; m < og; m++) out[p * o + g * og + m] = part[p * og + m];
    });
    return out;
  }

  function conv2dBackward(l, g) {
    const [h, w, c] = l.in[0], [oh, ow, o] = l.out, cg = c / l.groups, og = o / l.groups;
    const q = l.kernel[0] * l.kernel[1] * cg, gx = new Float32Array(h * w * c);
    // Each group's patch gradients, G [oh·ow, og] times its kernel transposed ([og, q]), then
    // each patch value added back to the input pixel it was copied from.
    groupKernels(l).forEach((k, group) => {
      let G = g;
      if (l.groups !== 1) {
        G = new Float32Array(oh * ow * og);
        for (let p = 0; p < oh * ow; p++) for (let m = 0; m < og; m++) G[p * og + m] = g[p * o + group * og + m];
      }
      const cols = matmul(G, k.T, oh * ow, og, q, null), from = group * cg;
      walkPatches(l, (at, pixel) => { for (let ch = 0; ch < cg; ch++) gx[pixel + from + ch] += cols[at + ch]; });
    });
    return gx;
  }

  // Visits every output pixel of a pooling window with its in-bounds input pixels.
  function walkWindows(l, visit) {
    const [h, w, c] = l.in[0], [oh, ow] = l.out, [ph, pw] = l.pool, [sh, sw] = l.strides, [pt, pl] = l.pads;
    const taps = [];
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        taps.length = 0;
        for (let i = 0; i < ph; i++) {
          const yi = y * sh + i - pt;
          if (yi < 0 || yi >= h) continue;
          for (let j = 0; j < pw; j++) {
            const xi = xo * sw + j - pl;
            if (xi >= 0 && xi < w) taps.push((yi * w + xi) * c);
          }
        }
        visit((y * ow + xo) * c, taps);
      }
    }
  }

  function maxpoolForward(l, x, cache) {
    const c = l.in[0][2], size = l.out[0] * l.out[1] * c;
    const out = new Float32Array(size), winner = new Int32Array(size);
    walkWindows(l, (o, taps) => {
      for (let ch = 0; ch < c; ch++) {
        let best = -Infinity, at = -1;
        for (const t of taps) if (x[t + ch] > best) { best = x[t + ch]; at = t + ch; }
        out[o + ch] = best; winner[o + ch] = at;
      }
    });
    cache.winner = winner;
    return out;
  }

  function avgpoolForward(l, x) {
    const c = l.in[0][2], out = new Float32Array(l.out[0] * l.out[1] * c);
    walkWindows(l, (o, taps) => {
      const scale = 1 / (l.count_include_pad ? l.pool[0] * l.pool[1] : Math.max(taps.length, 1));
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (const t of taps) sum += x[t + ch];
        out[o + ch] = sum * scale;
      }
    });
    return out;
  }

  function avgpoolBackward(l, g) {
    const c = l.in[0][2], gx = new Float32Array(l.in[0][0] * l.in[0][1] * c);
    walkWindows(l, (o, taps) => {
      const scale = 1 / (l.count_include_pad ? l.pool[0] * l.pool[1] : Math.max(taps.length, 1));
      for (const t of taps) for (let ch = 0; ch < c; ch++) gx[t + ch] += g[o + ch] * scale;
    });
    return gx;
  }

  function globalForward(l, x, cache) {
    const [h, w, c] = l.in[0], pixels = h * w, out = new Float32Array(c);
    if (l.type === 'globalavg') {
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let p = 0; p < pixels; p++) sum += x[p * c + k];
        out[k] = sum / pixels;
      }
      return out;
    }
    const winner = new Int32Array(c);
    for (let k = 0; k < c; k++) {
      let best = x[k], at = 0;
      for (let p = 1; p < pixels; p++) if (x[p * c + k] > best) { best = x[p * c + k]; at = p; }
      out[k] = best; winner[k] = at * c + k;
    }
    cache.winner = winner;
    return out;
  }

  function globalBackward(l, g, cache) {
    const [h, w, c] = l.in[0], pixels = h * w, gx = new Float32Array(pixels * c);
    if (l.type === 'globalavg') {
      for (let p = 0; p < pixels; p++) for (let k = 0; k < c; k++) gx[p * c + k] = g[k] / pixels;
    } else {
      for (let k = 0; k < c; k++) gx[cache.winner[k]] = g[k];
    }
    return gx;
  }

  // A dense layer over the last axis: a vector, or each token of a sequence.
  function denseForward(l, x) {
    const n = l.in[0][l.in[0].length - 1], m = l.out[l.out.length - 1], W = l.w;
    const pre = new Float32Array(x.length / n * m);
    for (let r = 0; r * n < x.length; r++) {
      if (l.b) pre.set(l.b, r * m);
      for (let i = 0; i < n; i++) {
        const v = x[r * n + i];
        if (v === 0) continue;
        const row = i * m;
        for (let k = 0; k < m; k++) pre[r * m + k] += v * W[row + k];
      }
    }
    return pre;
  }

  function denseBackward(l, g) {
    const n = l.in[0][l.in[0].length - 1], m = l.out[l.out.length - 1], W = l.w;
    const gx = new Float32Array(g.length / m * n);
    for (let r = 0; r * m < g.length; r++) {
      for (let i = 0; i < n; i++) {
        const row = i * m;
        let sum = 0;
        for (let k = 0; k < m; k++) sum += g[r * m + k] * W[row + k];
        gx[r * n + i] = sum;
      }
    }
    return gx;
  }

  // For each output element of a transpose, the offset of the input element it copies.
  function transposeSources(l) {
    const shape = l.in[0], rank = shape.length, strides = new Array(rank).fill(1);
    for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1] * shape[a + 1];
    const out = l.permutation.map((a) => shape[a]), steps = l.permutation.map((a) => strides[a]);
    const total = out.reduce((a, b) => a * b, 1), from = new Int32Array(total), index = new Array(rank).fill(0);
    for (let i = 0, offset = 0; i < total; i++) {
      from[i] = offset;
      for (let a = rank - 1; a >= 0; a--) {
        index[a]++;
        offset += steps[a];
        if (index[a] < out[a]) break;
        offset -= steps[a] * out[a];
        index[a] = 0;
      }
    }
    return from;
  }

  // Batched matrix products over the last two axes: [..., m, k] · [..., k, n].
  function matmulShape(l) {
    const a = l.in[0], b = l.in[1];
    return { m: a[a.length - 2], k: a[a.length - 1], n: b[b.length - 1], count: a.slice(0, -2).reduce((x, y) => x * y, 1) };
  }

  function matmulForward(l, A, B) {
    const { m, k, n, count } = matmulShape(l), out = new Float32Array(count * m * n);
    for (let p = 0; p < count; p++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let t = 0; t < k; t++) sum += A[(p * m + i) * k + t] * B[(p * k + t) * n + j];
          out[(p * m + i) * n + j] = sum;
        }
      }
    }
    return out;
  }

  function matmulBackward(l, A, B, g) {
    const { m, k, n, count } = matmulShape(l), gA = new Float32Array(A.length), gB = new Float32Array(B.length);
    for (let p = 0; p < count; p++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const d = g[(p * m + i) * n + j];
          for (let t = 0; t < k; t++) {
            gA[(p * m + i) * k + t] += d * B[(p * k + t) * n + j];
            gB[(p * k + t) * n + j] += d * A[(p * m + i) * k + t];
          }
        }
      }
    }
    return [gA, gB];
  }

  // The softmax over the last axis, row by row.
  function softmaxRows(l, x) {
    const n = l.out[l.out.length - 1], y = new Float32Array(x.length);
    for (let p = 0; p < x.length; p += n) {
      let top = -Infinity, sum = 0;
      for (let j = 0; j < n; j++) top = Math.max(top, x[p + j]);
      for (let j = 0; j < n; j++) sum += (y[p + j] = Math.exp(x[p + j] - top));
      for (let j = 0; j < n; j++) y[p + j] /= sum;
    }
    return y;
  }

  // Entries picked along an axis: blocks of `inner` values, `outer` times.
  function gatherBlocks(l, visit) {
    const shape = l.in[0], axis = l.axis, length = shape[axis], m = l.indices.length;
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1), outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < m; k++) visit((o * length + l.indices[k]) * inner, (o * m + k) * inner, inner);
    }
  }

  // A held tensor before the input along an axis: per block, the tensor's part, then the input's.
  function prependBlocks(l, visit) {
    const shape = l.in[0], axis = l.axis, inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1), held = l.count * inner, input = shape[axis] * inner;
    for (let o = 0; o < outer; o++) visit(o * held, o * input, o * (held + input), held, input);
  }

  // Batch normalization at inference, and ChannelAffine: y = x · scale[c] + shift[c].
  function channelAffine(l) {
    if (l.scale) return l;
    const p = l.p, c = l.out[l.out.length - 1];
    if (l.type === 'affine') {
      l.scale = p.scale; l.shift = p.shift;
    } else {
      l.scale = new Float32Array(c); l.shift = new Float32Array(c);
      for (let k = 0; k < c; k++) {
        const inverse = 1 / Math.sqrt(p.moving_variance[k] + l.epsilon), gamma = p.gamma ? p.gamma[k] : 1;
        l.scale[k] = gamma * inverse;
        l.shift[k] = (p.beta ? p.beta[k] : 0) - p.moving_mean[k] * gamma * inverse;
      }
    }
    return l;
  }

  function affineForward(l, x) {
    const { scale, shift } = channelAffine(l), c = scale.length, out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = x[i] * scale[i % c] + shift[i % c];
    return out;
  }

  function affineBackward(l, g) {
    const { scale } = channelAffine(l), c = scale.length, gx = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = g[i] * scale[i % c];
    return gx;
  }

  function zeropadRows(l, visit) {
    const [h, w, c] = l.in[0], [, ow] = l.out, [pt, pl] = l.pads;
    for (let y = 0; y < h; y++) visit(y * w * c, ((y + pt) * ow + pl) * c, w * c);
  }

  // Each output row of a crop, with its offset in the input and in the output.
  function cropRows(l, visit) {
    const [, w, c] = l.in[0], [oh, ow] = l.out, [ct, cl] = l.crops;
    for (let y = 0; y < oh; y++) visit(((y + ct) * w + cl) * c, y * ow * c, ow * c);
  }

  // Local response normalization across channels: y[c] = x[c] · s[c]^−β, s[c] = bias +
  // α/size · Σ x[i]² over the window of `size` channels starting `before` channels back.
  function lrnDenominators(l, x) {
    const c = l.out[l.out.length - 1], s = new Float32Array(x.length), scale = l.alpha / l.size;
    for (let p = 0; p < x.length; p += c) {
      for (let k = 0; k < c; k++) {
        let sum = 0;
        const end = Math.min(c, k - l.before + l.size);
        for (let i = Math.max(0, k - l.before); i < end; i++) sum += x[p + i] * x[p + i];
        s[p + k] = l.bias + scale * sum;
      }
    }
    return s;
  }

  function lrnBackward(l, x, g) {
    const c = l.out[l.out.length - 1], s = lrnDenominators(l, x), gx = new Float32Array(x.length);
    const factor = 2 * l.alpha * l.beta / l.size, after = l.size - 1 - l.before;
    const t = s.map((v, i) => g[i] * x[i] * Math.pow(v, -l.beta - 1));
    for (let p = 0; p < x.length; p += c) {
      for (let k = 0; k < c; k++) {
        let sum = 0;
        const end = Math.min(c, k + l.before + 1);
        for (let j = Math.max(0, k - after); j < end; j++) sum += t[p + j];
        gx[p + k] = g[p + k] * Math.pow(s[p + k], -l.beta) - factor * x[p + k] * sum;
      }
    }
    return gx;
  }

  // Layer normalization over the last axis: each position's features to mean 0, variance 1,
  // then gamma · x̂ + beta. Returns x̂ and 1/σ per position too, for the backward pass.
  function layerNorm(l, x) {
    const n = l.out[l.out.length - 1], y = new Float32Array(x.length), xHat = new Float32Array(x.length);
    const inverse = new Float32Array(x.length / n), { gamma, beta } = l.p;
    for (let p = 0, r = 0; p < x.length; p += n, r++) {
      let sum = 0, squares = 0;
      for (let k = 0; k < n; k++) sum += x[p + k];
      const mean = sum / n;
      for (let k = 0; k < n; k++) squares += (x[p + k] - mean) * (x[p + k] - mean);
      inverse[r] = 1 / Math.sqrt(squares / n + l.epsilon);
      for (let k = 0; k < n; k++) {
        xHat[p + k] = (x[p + k] - mean) * inverse[r];
        y[p + k] = xHat[p + k] * gamma[k] + beta[k];
      }
    }
    return { y, xHat, inverse };
  }

  function layerNormBackward(l, x, g) {
    const n = l.out[l.out.length - 1], { xHat, inverse } = layerNorm(l, x), gx = new Float32Array(x.length);
    const gamma = l.p.gamma;
    for (let p = 0, r = 0; p < x.length; p += n, r++) {
      let meanG = 0, meanGX = 0;
      for (let k = 0; k < n; k++) {
        meanG += gamma[k] * g[p + k];
        meanGX += gamma[k] * g[p + k] * xHat[p + k];
      }
      meanG /= n;
      meanGX /= n;
      for (let k = 0; k < n; k++) gx[p + k] = (gamma[k] * g[p + k] - meanG - xHat[p + k] * meanGX) * inverse[r];
    }
    return gx;
  }

  // Each output cell of a resize with the four input cells it reads and their weights
  // (offsets of their channel vectors), from the rows' and columns' taps.
  function resizeTaps(l, visit) {
    const w = l.in[0][1], c = l.out[2], ow = l.out[1];
    for (let i = 0; i < l.out[0]; i++) {
      const r0 = l.rows[2 * i], r1 = l.rows[2 * i + 1], wr = l.row_weights[i];
      for (let j = 0; j < ow; j++) {
        const c0 = l.columns[2 * j], c1 = l.columns[2 * j + 1], wc = l.column_weights[j], to = (i * ow + j) * c;
        const taps = [[r0, c0, (1 - wr) * (1 - wc)], [r0, c1, (1 - wr) * wc], [r1, c0, wr * (1 - wc)], [r1, c1, wr * wc]];
        for (const [row, column, weight] of taps) if (weight !== 0) visit(to, (row * w + column) * c, weight);
      }
    }
  }

  // Concatenation along `axis` of the per-sample shape: blocks of each input, in turn.
  function concatBlocks(l, visit) {
    const shape = l.in[0], axis = l.axis, inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1), total = l.out[axis] * inner;
    let start = 0;
    l.in.forEach((s, n) => {
      const block = s[axis] * inner;
      for (let o = 0; o < outer; o++) visit(n, o * block, o * total + start, block);
      start += block;
    });
  }

  function forwardLayer(l, xs, cache) {
    const x = xs[0];
    switch (l.type) {
      case 'conv2d': cache.pre = conv2dForward(l, x); return activate(l.activation, cache.pre);
      case 'dense': cache.pre = denseForward(l, x); return activate(l.activation, cache.pre);
      case 'activation': cache.pre = x; return activate(l.activation, x);
      case 'maxpool': return maxpoolForward(l, x, cache);
      case 'avgpool': return avgpoolForward(l, x);
      case 'globalavg': case 'globalmax': return globalForward(l, x, cache);
      case 'batchnorm': case 'affine': return affineForward(l, x);
      case 'zeropad': {
        const out = new Float32Array(l.out[0] * l.out[1] * l.out[2]);
        zeropadRows(l, (from, to, n) => out.set(x.subarray(from, from + n), to));
        return out;
      }
      case 'crop': {
        const out = new Float32Array(l.out[0] * l.out[1] * l.out[2]);
        cropRows(l, (from, to, n) => out.set(x.subarray(from, from + n), to));
        return out;
      }
      case 'add': {
        const out = Float32Array.from(x);
        for (const other of xs.slice(1)) for (let i = 0; i < out.length; i++) out[i] += other[i];
        return out;
      }
      case 'multiply': {
        const b = xs[1], out = new Float32Array(x.length), c = l.out[l.out.length - 1];
        const broadcast = b.length !== x.length;
        for (let i = 0; i < x.length; i++) out[i] = x[i] * b[broadcast ? i % c : i];
        return out;
      }
      case 'lrn': return lrnDenominators(l, x).map((s, i) => x[i] * Math.pow(s, -l.beta));
      case 'layernorm': return layerNorm(l, x).y;
      case 'resize': {
        const out = new Float32Array(l.out[0] * l.out[1] * l.out[2]);
        resizeTaps(l, (to, from, weight) => { for (let k = 0; k < l.out[2]; k++) out[to + k] += weight * x[from + k]; });
        return out;
      }
      case 'gather': {
        const out = new Float32Array(l.out.reduce((a, b) => a * b, 1));
        gatherBlocks(l, (from, to, n) => out.set(x.subarray(from, from + n), to));
        return out;
      }
      case 'transpose': return Float32Array.from(transposeSources(l), (from) => x[from]);
      case 'matmul': return matmulForward(l, x, xs[1]);
      case 'softmax': return softmaxRows(l, x);
      case 'addtensor': return x.map((v, i) => v + l.p.tensor[i]);
      case 'prepend': {
        const out = new Float32Array(l.out.reduce((a, b) => a * b, 1));
        prependBlocks(l, (held, from, to, heldCount, count) => {
          out.set(l.p.tensor.subarray(held, held + heldCount), to);
          out.set(x.subarray(from, from + count), to + heldCount);
        });
        return out;
      }
      case 'concat': {
        const out = new Float32Array(l.out.reduce((a, b) => a * b, 1));
        concatBlocks(l, (n, from, to, count) => out.set(xs[n].subarray(from, from + count), to));
        return out;
      }
      default: return x; // flatten, reshape, dropout: the same values
    }
  }

  // The gradients at each of a layer's inputs, given the gradient at its output.
  function backwardLayer(l, g, cache) {
    const xs = cache.inputs;
    switch (l.type) {
      case 'conv2d': return [conv2dBackward(l, activationGradient(l.activation, cache.pre, cache.output, g))];
      case 'dense': return [denseBackward(l, activationGradient(l.activation, cache.pre, cache.output, g))];
      case 'activation': return [activationGradient(l.activation, cache.pre, cache.output, g)];
      case 'maxpool': {
        const gx = new Float32Array(xs[0].length);
        for (let o = 0; o < g.length; o++) if (cache.winner[o] >= 0) gx[cache.winner[o]] += g[o];
        return [gx];
      }
      case 'avgpool': return [avgpoolBackward(l, g)];
      case 'globalavg': case 'globalmax': return [globalBackward(l, g, cache)];
      case 'batchnorm': case 'affine': return [affineBackward(l, g)];
      case 'zeropad': {
        const gx = new Float32Array(xs[0].length);
        zeropadRows(l, (from, to, n) => gx.set(g.subarray(to, to + n), from));
        return [gx];
      }
      case 'crop': {
        const gx = new Float32Array(xs[0].length);
        cropRows(l, (from, to, n) => gx.set(g.subarray(to, to + n), from));
        return [gx];
      }
      case 'add': return xs.map(() => g);
      case 'multiply': {
        const [a, b] = xs, c = l.out[l.out.length - 1], broadcast = b.length !== a.length;
        const ga = new Float32Array(a.length), gb = new Float32Array(b.length);
        for (let i = 0; i < a.length; i++) {
          const j = broadcast ? i % c : i;
          ga[i] = g[i] * b[j];
          gb[j] += g[i] * a[i];
        }
        return [ga, gb];
      }
      case 'lrn': return [lrnBackward(l, xs[0], g)];
      case 'layernorm': return [layerNormBackward(l, xs[0], g)];
      case 'resize': {
        const gx = new Float32Array(xs[0].length);
        resizeTaps(l, (to, from, weight) => { for (let k = 0; k < l.out[2]; k++) gx[from + k] += weight * g[to + k]; });
        return [gx];
      }
      case 'gather': {
        const gx = new Float32Array(xs[0].length);
        gatherBlocks(l, (from, to, n) => { for (let i = 0; i < n; i++) gx[from + i] += g[to + i]; });
        return [gx];
      }
      case 'transpose': {
        const gx = new Float32Array(g.length);
        transposeSources(l).forEach((from, i) => { gx[from] = g[i]; });
        return [gx];
      }
      case 'matmul': return matmulBackward(l, xs[0], xs[1], g);
      case 'softmax': {
        const y = cache.output, n = l.out[l.out.length - 1], gx = new Float32Array(g.length);
        for (let p = 0; p < g.length; p += n) {
          let dot = 0;
          for (let j = 0; j < n; j++) dot += g[p + j] * y[p + j];
          for (let j = 0; j < n; j++) gx[p + j] = y[p + j] * (g[p + j] - dot);
        }
        return [gx];
      }
      case 'addtensor': return [g];
      case 'prepend': {
        const gx = new Float32Array(xs[0].length);
        prependBlocks(l, (held, from, to, heldCount, count) => gx.set(g.subarray(to + heldCount, to + heldCount + count), from));
        return [gx];
      }
      case 'concat': {
        const gs = xs.map((x) => new Float32Array(x.length));
        concatBlocks(l, (n, from, to, count) => gs[n].set(g.subarray(to, to + count), from));
        return gs;
      }
      default: return [g];
    }
  }

  // vizsite's SeededRandom (xoshiro256** seeded through SplitMix64), so that SmoothGrad's
  // noise here is the build's, number for number.
  const MASK = (1n << 64n) - 1n;
  function splitMix(state) {
    state.x = (state.x + 0x9E3779B97F4A7C15n) & MASK;
    let z = state.x;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK;
    return z ^ (z >> 31n);
  }
  const rotl = (x, k) => ((x << BigInt(k)) | (x >> BigInt(64 - k))) & MASK;

  class SeededRandom {
    constructor(seed, ...stream) {
      const state = { x: BigInt(seed) };
      for (const word of stream) {
        const z = splitMix(state);
        state.x = z ^ ((BigInt(word) * 0x9E3779B97F4A7C15n) & MASK);
      }
      this.s = [splitMix(state), splitMix(state), splitMix(state), splitMix(state)];
      this.spare = null;
    }

    next() {
      const s = this.s, result = (rotl((s[1] * 5n) & MASK, 7) * 9n) & MASK, t = (s[1] << 17n) & MASK;
      s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
      s[2] ^= t;
      s[3] = rotl(s[3], 45);
      return result;
    }

    /** A standard normal float32 (Box–Muller, the second of each pair kept for the next call). */
    normal() {
      if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
      const u1 = Math.max(Number(this.next() >> 11n) * Math.pow(2, -53), 1e-300);
      const u2 = Number(this.next() >> 11n) * Math.pow(2, -53);
      const r = Math.sqrt(-2 * Math.log(u1)), angle = 2 * Math.PI * u2;
      this.spare = Math.fround(r * Math.sin(angle));
      return Math.fround(r * Math.cos(angle));
    }
  }

  /** A network exported by the build: `spec` is the object its weights script defines. */
  class Network {
    constructor(spec) {
      this.name = spec.name;
      this.input = spec.input;
      this.classes = spec.classes;
      this.camLayer = spec.cam_layer;
      this.normalization = spec.normalization || null;
      this.noise = {};
      this.layers = spec.layers.map((l) => {
        const p = {};
        for (const key of Object.keys(l.p || {})) p[key] = decode(l.p[key], spec.dtype);
        return Object.assign({}, l, { p, w: p.kernel || null, b: p.bias || null, groups: l.groups || 1 });
      });
    }

    /** Every layer's output (and what backward passes need), for one input. */
    forward(pixels) {
      const caches = [];
      for (const l of this.layers) {
        const inputs = l.inputs.map((n) => (n < 0 ? pixels : caches[n].output));
        const cache = { inputs, input: inputs[0] };
        cache.output = forwardLayer(l, inputs, cache);
        caches.push(cache);
      }
      return caches;
    }

    /**
     * The gradient of `seed` (the gradient at the last layer's output) back to the output
     * of layer `stop` (-1: the input), through every path of the graph. Returns the
     * gradient at that output.
     */
    backward(caches, seed, stop) {
      const last = this.layers.length - 1, gradients = new Array(this.layers.length + 1).fill(null);
      const at = (n) => n + 1; // slot 0 is the input's
      gradients[at(last)] = seed;
      for (let i = last; i > stop; i--) {
        const g = gradients[at(i)];
        if (!g) continue; // no path from this layer to the output
        const l = this.layers[i], parts = backwardLayer(l, g, caches[i]);
        l.inputs.forEach((n, k) => {
          if (n < stop) return;
          const sum = gradients[at(n)];
          if (!sum) {
            gradients[at(n)] = parts[k];
          } else {
            const total = Float32Array.from(sum);
            for (let j = 0; j < total.length; j++) total[j] += parts[k][j];
            gradients[at(n)] = total;
          }
        });
      }
      return gradients[at(stop)] || new Float32Array(stop < 0 ? caches[0].inputs[0].length : caches[stop].output.length);
    }

    /**
     * A picture (values in [0, 1], channels last, RGB) as the model's input: unchanged for
     * pixel / 255 models, else `(value · 255 · scale − mean) / std` per channel, in the
     * model's channel order.
     */
    toInput(picture) {
      const n = this.normalization;
      if (!n) return Float32Array.from(picture);
      const c = this.input[2], out = new Float32Array(picture.length);
      const pick = (list, k) => (list.length ? list[list.length === 1 ? 0 : k] : null);
      for (let p = 0; p < picture.length; p += c) {
        for (let k = 0; k < c; k++) {
          const from = n.bgr && c === 3 ? 2 - k : k, m = pick(n.mean, k), s = pick(n.std, k);
          out[p + k] = (picture[p + from] * 255 * n.scale - (m === null ? 0 : m)) / (s === null ? 1 : s);
        }
      }
      return out;
    }

    layerIndex(name) {
      const i = this.layers.findIndex((l) => l.name === name);
      if (i < 0) throw new Error(`no layer '${name}' in ${this.name}`);
      return i;
    }

    /**
     * `{probabilities, logits, map, ms}` for `pixels` (the model's input, pixel / 255,
     * row-major, channels last). `options.method`: 'gradcam' (default), 'saliency' (the
     * signed gradient of the logit, as vizsite's `vanilla`) or 'smoothgrad' (`samples`,
     * default 50, and `noise`, default 0.15, as vizsite's); `layer` (Grad-CAM's, default
     * the model's CAM layer), `target` (default the predicted class) and `contrast` (a
     * class whose logit is subtracted, as `target: 4-9` in lessons; 'runner-up': the
     * class with the highest logit after the target's).
     */
    explain(pixels, options) {
      return this.explainAll(pixels, [options || {}])[0];
    }

    /**
     * `explain` for several requests of one input, sharing its forward pass (each
     * result's `ms` is the whole call's). A request without a `target` explains the
     * predicted class.
     */
    explainAll(pixels, requests) {
      this.checkRequest(pixels, requests);
      const start = now();
      const caches = this.forward(pixels);
      const logits = Array.from(caches[caches.length - 1].output);
      const probabilities = softmax(logits);
      const predicted = logits.indexOf(Math.max.apply(null, logits));
      const results = requests.map((opts) => {
        const target = opts.target === undefined || opts.target === null ? predicted : opts.target;
        const contrast = opts.contrast === 'runner-up' ? runnerUp(logits, target) : opts.contrast;
        const map = opts.method === 'smoothgrad'
          ? this.smoothGrad(pixels, target, contrast, opts.samples || 50, opts.noise === undefined ? 0.15 : opts.noise)
          : this.map(caches, opts.method || 'gradcam', target, opts.layer, contrast);
        return { probabilities, logits, target, contrast, map };
      });
      const ms = now() - start;
      for (const r of results) { r.ms = ms; r.caches = caches; }
      return results;
    }

    /**
     * Throws, in the reader's words, for what `explain` cannot do: an input of the wrong
     * length or with values that are not numbers, an unknown method or option, a class or
     * layer the model does not have — rather than returning numbers for a wrong question.
     */
    checkRequest(pixels, requests) {
      const size = this.input.reduce((a, b) => a * b, 1);
      if (!pixels || typeof pixels.length !== 'number' || pixels.length !== size) {
        throw new Error(`the input has ${pixels && pixels.length !== undefined ? pixels.length : 'no'} values; `
          + `${this.name} takes ${size} (${this.input.join(' × ')}, row-major, channels last, pixel / 255)`);
      }
      for (let i = 0; i < pixels.length; i++) {
        if (!Number.isFinite(pixels[i])) throw new Error(`input value ${i} is ${pixels[i]}, not a number`);
      }
      const known = ['method', 'layer', 'target', 'contrast', 'samples', 'noise'];
      const isClass = (c) => Number.isInteger(c) && c >= 0 && c < this.classes;
      for (const opts of requests) {
        for (const key of Object.keys(opts)) {
          if (!known.includes(key)) throw new Error(`unknown option '${key}'; expected ${known.join(', ')}`);
        }
        const method = opts.method || 'gradcam';
        if (!Network.methods.includes(method)) {
          throw new Error(`unknown method '${method}'; expected ${Network.methods.join(', ')}`);
        }
        if (opts.target !== undefined && opts.target !== null && !isClass(opts.target)) {
          throw new Error(`target ${opts.target} is not a class of ${this.name} (0 to ${this.classes - 1})`);
        }
        if (opts.contrast !== undefined && opts.contrast !== null && opts.contrast !== 'runner-up'
          && !isClass(opts.contrast)) {
          throw new Error(`contrast ${opts.contrast} is not a class of ${this.name} (0 to ${this.classes - 1}) `
            + `nor 'runner-up'`);
        }
        if (opts.layer !== undefined) this.layerIndex(opts.layer);
        if (opts.samples !== undefined && !(Number.isInteger(opts.samples) && opts.samples >= 1)) {
          throw new Error(`samples is a whole number from 1, not ${opts.samples}`);
        }
        if (opts.noise !== undefined && !(Number.isFinite(opts.noise) && opts.noise >= 0)) {
          throw new Error(`noise is a number from 0, not ${opts.noise}`);
        }
      }
    }

    /**
     * The raw map of `method` for class `target` (minus class `contrast`, when given: why
     * `target` and not `contrast`), from a forward pass's caches.
     */
    map(caches, method, target, layer, contrast) {
      const seed = new Float32Array(this.classes);
      seed[target] = 1;
      if (contrast !== undefined && contrast !== null) seed[contrast] = -1;
      if (method === 'gradcam') {
        const at = this.layerIndex(layer || this.camLayer), l = this.layers[at];
        // A transformer's layer: its grid, past the class tokens (`grid`: h, w, c, values skipped).
        const [h, w, c, skip] = l.grid || [...l.out, 0];
        const A = caches[at].output.subarray(skip), G = this.backward(caches, seed, at).subarray(skip);
        const weights = new Float64Array(c);
        for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) weights[k] += G[p * c + k];
        for (let k = 0; k < c; k++) weights[k] /= h * w;
        return rows(h, w, (p) => {
          let sum = 0;
          for (let k = 0; k < c; k++) sum += weights[k] * A[p * c + k];
          return Math.max(sum, 0);
        });
      }
      if (method === 'saliency' || method === 'vanilla') {
        const [h, w, c] = this.input, G = this.backward(caches, seed, -1);
        return rows(h, w, (p) => {
          let sum = 0;
          for (let k = 0; k < c; k++) sum += G[p * c + k]; // channels summed, as the core does
          return sum;
        });
      }
      throw new Error(`unknown method '${method}'; expected ${Network.methods.join(', ')}`);
    }
  }

  /**
   * SmoothGrad as the build computes it (`smoothgrad` with seed 0 and the mean of |∇|):
   * the gradients of `samples` copies of the input with Gaussian noise of standard
   * deviation `noise` times the input's range, their magnitudes averaged, channels summed.
   */
  /** The methods `explain` runs (`vanilla` is vizsite's name for `saliency`). */
  Network.methods = ['gradcam', 'saliency', 'vanilla', 'smoothgrad'];

  Network.prototype.smoothGrad = function (pixels, target, contrast, samples, noise) {
    const size = pixels.length, key = `${samples}/${size}`;
    if (!this.noise[key]) {
      // The standard normals depend only on the seed and the count: drawn once, scaled per input.
      const random = new SeededRandom(0, 0x5307), normals = new Float32Array(samples * size);
      for (let i = 0; i < normals.length; i++) normals[i] = random.normal();
      this.noise[key] = normals;
    }
    const normals = this.noise[key];
    let low = Infinity, high = -Infinity;
    for (const v of pixels) { if (v < low) low = v; if (v > high) high = v; }
    const range = Math.fround(high - low), sigma = Math.fround(Math.fround(noise) * (range > 0 ? range : 1));
    const seed = new Float32Array(this.classes);
    seed[target] = 1;
    if (contrast !== undefined && contrast !== null) seed[contrast] = -1;
    const sum = new Float64Array(size), noisy = new Float32Array(size);
    for (let s = 0; s < samples; s++) {
      for (let i = 0; i < size; i++) noisy[i] = pixels[i] + Math.fround(sigma * normals[s * size + i]);
      const g = this.backward(this.forward(noisy), seed, -1);
      for (let i = 0; i < size; i++) sum[i] += Math.abs(g[i]);
    }
    const [h, w, c] = this.input;
    return rows(h, w, (p) => {
      let total = 0;
      for (let k = 0; k < c; k++) total += sum[p * c + k] / samples;
      return total;
    });
  };

  function runnerUp(logits, target) {
    let best = -1;
    for (let k = 0; k < logits.length; k++) if (k !== target && (best < 0 || logits[k] > logits[best])) best = k;
    return best;
  }

  function rows(h, w, value) {
    const out = [];
    for (let y = 0; y < h; y++) {
      const row = new Array(w);
      for (let x = 0; x < w; x++) row[x] = value(y * w + x);
      out.push(row);
    }
    return out;
  }

  function softmax(logits) {
    const top = Math.max.apply(null, logits);
    const e = logits.map((v) => Math.exp(v - top));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  }

  function now() {
    return typeof performance !== 'undefined' ? performance.now() : Date.now();
  }

  global.VizsiteNetwork = Network;
})(typeof window !== 'undefined' ? window : globalThis);
