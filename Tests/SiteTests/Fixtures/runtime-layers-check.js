// Runs the playground's runtime in Node on one small model per operation of the core and
// prints, for each, its last layer's output and the gradient of a given seed at the input.
//   node runtime-layers-check.js RUNTIME.js CASES.json
// CASES.json: [{"name", "script" (a model script as the build writes it), "key", "input",
// "seed"}].
'use strict';
const fs = require('fs');
const vm = require('vm');
const [runtime, casesPath] = process.argv.slice(2);
const context = { Buffer, Float32Array, Float64Array, Int32Array, Uint8Array, Math, Object, Array, Error, BigInt };
context.window = context;
vm.createContext(context);
vm.runInContext(fs.readFileSync(runtime, 'utf8'), context);
const result = {};
for (const c of JSON.parse(fs.readFileSync(casesPath, 'utf8'))) {
  vm.runInContext(c.script, context);
  const net = new context.VizsiteNetwork(context.vizsiteModels[c.key]);
  const caches = net.forward(Float32Array.from(c.input));
  const gradient = net.backward(caches, Float32Array.from(c.seed), -1);
  result[c.name] = { output: Array.from(caches[caches.length - 1].output), gradient: Array.from(gradient) };
}
process.stdout.write(JSON.stringify(result));
