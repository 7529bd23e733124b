// Runs the playground's runtime in Node on a built site's playground figure: loads the
// weights script and the runtime as the page does, explains each example the build
// explained, and prints the largest differences from the core's numbers as JSON. With a
// sprite script, also decodes its PNG (zlib, no other library) and runs the network on
// every image in it, to check the pixels against the examples' and the predictions
// against the build's.
//   node playground-check.js RUNTIME.js WEIGHTS.js VALUES.json [SPRITE.js]
'use strict';
const fs = require('fs');
const vm = require('vm');
const zlib = require('zlib');
const [runtime, weights, values, spriteScript] = process.argv.slice(2);
const context = {
  Buffer, Float32Array, Float64Array, Int32Array, Uint8Array, Math, Object, Array, Error, BigInt, Number,
};
context.window = context;
vm.createContext(context);
vm.runInContext(fs.readFileSync(weights, 'utf8'), context);
vm.runInContext(fs.readFileSync(runtime, 'utf8'), context);
const expected = JSON.parse(fs.readFileSync(values, 'utf8'));
const net = new context.VizsiteNetwork(Object.values(context.vizsiteModels)[0]);
const result = {
  examples: 0, probabilities: 0, logits: 0, gradcam: 0, saliency: 0, contrast: 0, smoothgrad: null,
  targets: true, ms: [],
};
function relative(rows, want) {
  let top = 0, worst = 0;
  for (const row of want.values) for (const v of row) top = Math.max(top, Math.abs(v));
  if (rows.length !== want.shape[0] || rows[0].length !== want.shape[1]) return Infinity;
  for (let y = 0; y < rows.length; y++) {
    for (let x = 0; x < rows[y].length; x++) worst = Math.max(worst, Math.abs(rows[y][x] - want.values[y][x]));
  }
  return top > 0 ? worst / top : worst;
}
for (const e of expected.examples) {
  const pixels = Float32Array.from(e.pixels);
  const cam = net.explain(pixels, { method: 'gradcam', layer: expected.layer });
  const sal = net.explain(pixels, { method: 'saliency' });
  const contrast = net.explain(pixels, { method: 'gradcam', layer: expected.layer, contrast: 'runner-up' });
  result.examples += 1;
  result.targets = result.targets && cam.target === e.target && sal.target === e.target
    && contrast.contrast === e.runner_up;
  result.contrast = Math.max(result.contrast, relative(contrast.map, e.contrast));
  for (let k = 0; k < e.probabilities.length; k++) {
    result.probabilities = Math.max(result.probabilities, Math.abs(cam.probabilities[k] - e.probabilities[k]));
    result.logits = Math.max(result.logits, Math.abs(cam.logits[k] - e.logits[k]));
  }
  result.gradcam = Math.max(result.gradcam, relative(cam.map, e.gradcam));
  result.saliency = Math.max(result.saliency, relative(sal.map, e.saliency));
  if (e.smoothgrad) {
    const smooth = net.explain(pixels, { method: 'smoothgrad', samples: expected.smoothgrad_samples });
    result.smoothgrad = Math.max(result.smoothgrad || 0, relative(smooth.map, e.smoothgrad));
  }
  result.ms.push(cam.ms + sal.ms);
}

// A PNG's samples (8-bit gray or RGB, not interlaced): the IDAT chunks inflated and each
// row's filter undone.
function decodePNG(bytes) {
  let at = 8, width = 0, height = 0, channels = 0;
  const idat = [];
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at), type = bytes.toString('latin1', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('expected 8-bit, not interlaced');
      channels = { 0: 1, 2: 3 }[data[9]];
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat)), stride = width * channels;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)], row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels] : 0, b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = (row[x] + predictor) & 255;
    }
  }
  return { width, height, channels, samples: out };
}

if (spriteScript) {
  vm.runInContext(fs.readFileSync(spriteScript, 'utf8'), context);
  const sprite = Object.values(context.vizsiteSprites)[0];
  const png = decodePNG(Buffer.from(sprite.png.replace(/^data:image\/png;base64,/, ''), 'base64'));
  const { height: h, width: w, channels: c, columns } = sprite;
  const image = (i) => {
    const out = new Float32Array(h * w * c), top = Math.floor(i / columns) * h, left = (i % columns) * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w * c; x++) out[y * w * c + x] = png.samples[(top + y) * png.width * c + left * c + x] / 255;
    }
    return out;
  };
  result.sprite = { count: sprite.count, pixels: 0, predictions: 0, labels: sprite.labels.length };
  for (const e of expected.examples) {
    const match = /^(\w+)\[(\d+)\]$/.exec(e.image);
    if (!match || match[1] !== sprite.split || +match[2] >= sprite.count) continue;
    const pixels = net.toInput(image(+match[2]));
    for (let k = 0; k < pixels.length; k++) {
      result.sprite.pixels = Math.max(result.sprite.pixels, Math.abs(pixels[k] - e.pixels[k]));
    }
  }
  for (let i = 0; i < sprite.count; i++) {
    const caches = net.forward(net.toInput(image(i))), logits = Array.from(caches[caches.length - 1].output);
    if (logits.indexOf(Math.max.apply(null, logits)) === sprite.predicted[i]) result.sprite.predictions += 1;
  }
}
// What explain refuses, and in which words (the message of each throw, or "returned").
const refused = (pixels, options) => {
  try { net.explain(pixels, options); return 'returned'; } catch (e) { return e.message; }
};
const good = expected.examples[0].pixels;
result.refusals = {
  length: refused([1, 2, 3], {}),
  nan: refused(Array.from(good, (v, i) => (i === 5 ? NaN : v)), {}),
  method: refused(good, { method: 'gradcam++' }),
  option: refused(good, { metod: 'gradcam' }),
  target: refused(good, { target: 10 }),
  contrast: refused(good, { contrast: -1 }),
  layer: refused(good, { layer: 'nope' }),
  fine: refused(good, { method: 'vanilla', target: 3 }),
};
process.stdout.write(JSON.stringify(result));
