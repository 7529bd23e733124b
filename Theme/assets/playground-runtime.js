// The playground's network runtime: a forward pass and the backward passes Grad-CAM and
// the gradient need, for the layers vizsite exports (see PlaygroundModel.swift), in plain
// JavaScript with no dependencies. Tensors are Float32Arrays, channels-last, as in the
// Swift core, so its numbers can be compared with the build's to 1e-4.
(function (global) {
  'use strict';

  function decode(base64) {
    const binary = typeof atob === 'function'
      ? atob(base64) : Buffer.from(base64, 'base64').toString('binary');
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }

  const activations = {
    linear: { f: (x) => x, d: () => 1 },
    softmax: { f: (x) => x, d: () => 1 }, // the network outputs logits; softmax is applied after
    relu: { f: (x) => (x > 0 ? x : 0), d: (x, y) => (y > 0 ? 1 : 0) },
    relu6: { f: (x) => Math.min(Math.max(x, 0), 6), d: (x) => (x > 0 && x < 6 ? 1 : 0) },
    leaky_relu: { f: (x, a) => (x > 0 ? x : a * x), d: (x, y, a) => (x > 0 ? 1 : a) },
    sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), d: (x, y) => y * (1 - y) },
    tanh: { f: (x) => Math.tanh(x), d: (x, y) => 1 - y * y },
    silu: {
      f: (x) => x / (1 + Math.exp(-x)),
      d: (x) => { const s = 1 / (1 + Math.exp(-x)); return s * (1 + x * (1 - s)); },
    },
  };

  function activate(layer, pre) {
    const act = activations[layer.activation];
    const out = new Float32Array(pre.length);
    for (let i = 0; i < pre.length; i++) out[i] = act.f(pre[i], layer.slope);
    return out;
  }

  function activationGradient(layer, pre, out, gradient) {
    if (layer.activation === 'linear' || layer.activation === 'softmax') return gradient;
    const act = activations[layer.activation];
    const g = new Float32Array(gradient.length);
    for (let i = 0; i < g.length; i++) {
      if (gradient[i] !== 0) g[i] = gradient[i] * act.d(pre[i], out[i], layer.slope);
    }
    return g;
  }

  function conv2dForward(l, x) {
    const [h, w, c] = l.in, [oh, ow, o] = l.out, [kh, kw] = l.kernel, [sh, sw] = l.strides;
    const [pt, pl] = l.pads, W = l.w, pre = new Float32Array(oh * ow * o);
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const base = (y * ow + xo) * o;
        if (l.b) for (let k = 0; k < o; k++) pre[base + k] = l.b[k];
        for (let i = 0; i < kh; i++) {
          const yi = y * sh + i - pt;
          if (yi < 0 || yi >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xi = xo * sw + j - pl;
            if (xi < 0 || xi >= w) continue;
            for (let ch = 0; ch < c; ch++) {
              const v = x[(yi * w + xi) * c + ch];
              if (v === 0) continue;
              const wb = ((i * kw + j) * c + ch) * o;
              let k = 0;
              for (; k + 3 < o; k += 4) {
                pre[base + k] += v * W[wb + k];
                pre[base + k + 1] += v * W[wb + k + 1];
                pre[base + k + 2] += v * W[wb + k + 2];
                pre[base + k + 3] += v * W[wb + k + 3];
              }
              for (; k < o; k++) pre[base + k] += v * W[wb + k];
            }
          }
        }
      }
    }
    return pre;
  }

  function conv2dBackward(l, g) {
    const [h, w, c] = l.in, [oh, ow, o] = l.out, [kh, kw] = l.kernel, [sh, sw] = l.strides;
    const [pt, pl] = l.pads, W = l.w, gx = new Float32Array(h * w * c);
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const gb = (y * ow + xo) * o;
        let any = false;
        for (let k = 0; k < o; k++) if (g[gb + k] !== 0) { any = true; break; }
        if (!any) continue;
        for (let i = 0; i < kh; i++) {
          const yi = y * sh + i - pt;
          if (yi < 0 || yi >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xi = xo * sw + j - pl;
            if (xi < 0 || xi >= w) continue;
            for (let ch = 0; ch < c; ch++) {
              const wb = ((i * kw + j) * c + ch) * o;
              let sum = 0;
              for (let k = 0; k < o; k++) sum += g[gb + k] * W[wb + k];
              gx[(yi * w + xi) * c + ch] += sum;
            }
          }
        }
      }
    }
    return gx;
  }

  function maxpoolForward(l, x, cache) {
    const [h, w, c] = l.in, [oh, ow] = l.out, [ph, pw] = l.pool, [sh, sw] = l.strides, [pt, pl] = l.pads;
    const out = new Float32Array(oh * ow * c), winner = new Int32Array(oh * ow * c);
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity, at = -1;
          for (let i = 0; i < ph; i++) {
            const yi = y * sh + i - pt;
            if (yi < 0 || yi >= h) continue;
            for (let j = 0; j < pw; j++) {
              const xi = xo * sw + j - pl;
              if (xi < 0 || xi >= w) continue;
              const index = (yi * w + xi) * c + ch;
              if (x[index] > best) { best = x[index]; at = index; }
            }
          }
          const o = (y * ow + xo) * c + ch;
          out[o] = best; winner[o] = at;
        }
      }
    }
    cache.winner = winner;
    return out;
  }

  function denseForward(l, x) {
    const n = l.in[0], m = l.out[0], W = l.w, pre = new Float32Array(m);
    if (l.b) pre.set(l.b);
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (v === 0) continue;
      const row = i * m;
      for (let k = 0; k < m; k++) pre[k] += v * W[row + k];
    }
    return pre;
  }

  function denseBackward(l, g) {
    const n = l.in[0], m = l.out[0], W = l.w, gx = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      let sum = 0;
      for (let k = 0; k < m; k++) sum += g[k] * W[row + k];
      gx[i] = sum;
    }
    return gx;
  }

  /** A network exported by the build: `spec` is the object its weights script defines. */
  class Network {
    constructor(spec) {
      this.name = spec.name;
      this.input = spec.input;
      this.classes = spec.classes;
      this.camLayer = spec.cam_layer;
      this.layers = spec.layers.map((l) => Object.assign({}, l, {
        w: l.w ? decode(l.w) : null, b: l.b ? decode(l.b) : null,
      }));
    }

    /** Every layer's output (and what backward passes need), for one input. */
    forward(pixels) {
      const caches = [];
      let x = pixels;
      for (const l of this.layers) {
        const cache = { input: x };
        if (l.type === 'conv2d') {
          cache.pre = conv2dForward(l, x);
          x = activate(l, cache.pre);
        } else if (l.type === 'dense') {
          cache.pre = denseForward(l, x);
          x = activate(l, cache.pre);
        } else if (l.type === 'maxpool') {
          x = maxpoolForward(l, x, cache);
        } // identity layers (flatten, dropout) pass x on unchanged
        cache.output = x;
        caches.push(cache);
      }
      return caches;
    }

    /**
     * The gradient of `seed` (the gradient at the last layer's output) back to the output
     * of layer `stop` (-1: the input). Returns the gradient at that output.
     */
    backward(caches, seed, stop) {
      let g = seed;
      for (let i = this.layers.length - 1; i > stop; i--) {
        const l = this.layers[i], cache = caches[i];
        if (l.type === 'conv2d') {
          g = conv2dBackward(l, activationGradient(l, cache.pre, cache.output, g));
        } else if (l.type === 'dense') {
          g = denseBackward(l, activationGradient(l, cache.pre, cache.output, g));
        } else if (l.type === 'maxpool') {
          const gx = new Float32Array(cache.input.length);
          for (let o = 0; o < g.length; o++) if (cache.winner[o] >= 0) gx[cache.winner[o]] += g[o];
          g = gx;
        }
      }
      return g;
    }

    layerIndex(name) {
      const i = this.layers.findIndex((l) => l.name === name);
      if (i < 0) throw new Error(`no layer '${name}' in ${this.name}`);
      return i;
    }

    /**
     * `{probabilities, logits, map, ms}` for `pixels` (the model's input, pixel / 255,
     * row-major, channels last). `options.method`: 'gradcam' (default) or 'saliency' (the
     * signed gradient of the logit, as vizsite's `vanilla`); `layer` (Grad-CAM's, default
     * the model's CAM layer) and `target` (default the predicted class).
     */
    explain(pixels, options) {
      const start = now();
      const opts = options || {};
      const caches = this.forward(pixels);
      const logits = Array.from(caches[caches.length - 1].output);
      const probabilities = softmax(logits);
      const target = opts.target === undefined || opts.target === null
        ? logits.indexOf(Math.max.apply(null, logits)) : opts.target;
      const seed = new Float32Array(logits.length);
      seed[target] = 1;
      const method = opts.method || 'gradcam';
      let map;
      if (method === 'gradcam') {
        const at = this.layerIndex(opts.layer || this.camLayer);
        const [h, w, c] = this.layers[at].out;
        const A = caches[at].output, G = this.backward(caches, seed, at);
        const weights = new Float64Array(c);
        for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) weights[k] += G[p * c + k];
        for (let k = 0; k < c; k++) weights[k] /= h * w;
        map = rows(h, w, (p) => {
          let sum = 0;
          for (let k = 0; k < c; k++) sum += weights[k] * A[p * c + k];
          return Math.max(sum, 0);
        });
      } else if (method === 'saliency' || method === 'vanilla') {
        const [h, w, c] = this.input, G = this.backward(caches, seed, -1);
        map = rows(h, w, (p) => {
          let sum = 0;
          for (let k = 0; k < c; k++) sum += G[p * c + k]; // channels summed, as the core does
          return sum;
        });
      } else {
        throw new Error(`unknown method '${method}'; expected gradcam or saliency`);
      }
      return { probabilities, logits, map, target, ms: now() - start, caches };
    }
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
