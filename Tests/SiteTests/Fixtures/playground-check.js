// Runs the playground's runtime in Node on a built site's playground figure: loads the
// weights script and the runtime as the page does, explains each example the build
// explained, and prints the largest differences from the core's numbers as JSON.
//   node playground-check.js RUNTIME.js WEIGHTS.js VALUES.json
'use strict';
const fs = require('fs');
const vm = require('vm');
const [runtime, weights, values] = process.argv.slice(2);
const context = { Buffer, Float32Array, Float64Array, Int32Array, Uint8Array, Math, Object, Array, Error };
context.window = context;
vm.createContext(context);
vm.runInContext(fs.readFileSync(weights, 'utf8'), context);
vm.runInContext(fs.readFileSync(runtime, 'utf8'), context);
const expected = JSON.parse(fs.readFileSync(values, 'utf8'));
const net = new context.VizsiteNetwork(Object.values(context.vizsiteModels)[0]);
const result = {
  examples: 0, probabilities: 0, logits: 0, gradcam: 0, saliency: 0, contrast: 0, targets: true, ms: [],
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
  result.ms.push(cam.ms + sal.ms);
}
process.stdout.write(JSON.stringify(result));
