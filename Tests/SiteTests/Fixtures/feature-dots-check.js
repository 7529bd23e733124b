// Checks a feature-maps figure's dot-product data as the page reads it: loads
// Theme/assets/feature-dots.js and the figure's dots script, explains every value of every
// shown channel, and prints as JSON the largest difference between the value the view
// derives (sum plus bias through the activation, or the window's maximum) and the value
// the figure's raw values give, with the receptive field of the first value.
//   node feature-dots-check.js FEATURE-DOTS.js DOTS.js VALUES.json
'use strict';
const fs = require('fs');
const vm = require('vm');
const [view, dots, values] = process.argv.slice(2);
const context = { Math, Object, Array, Error };
context.window = context;
vm.createContext(context);
vm.runInContext(fs.readFileSync(view, 'utf8'), context);
vm.runInContext(fs.readFileSync(dots, 'utf8'), context);
const d = Object.values(context.vizsiteDots)[0];
const maps = JSON.parse(fs.readFileSync(values, 'utf8')).maps;
const activations = { relu: (x) => Math.max(x, 0), linear: (x) => x };
const result = { type: d.type, values: 0, derived: 0, shown: 0, field: context.vizsiteFeatureDots.field(d, 0, 0) };
const [oh, ow, count] = d.out;
for (let k = 0; k < count; k++) {
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const r = context.vizsiteFeatureDots.explain(d, k, y, x), want = maps[k].values[y][x];
      const derived = r.type === 'maxpool' ? r.max : activations[d.activation](r.pre);
      result.values += 1;
      result.derived = Math.max(result.derived, Math.abs(derived - want) / Math.max(1, Math.abs(want)));
      result.shown = Math.max(result.shown, Math.abs(r.value - want));
    }
  }
}
process.stdout.write(JSON.stringify(result));
