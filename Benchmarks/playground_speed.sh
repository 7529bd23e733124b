#!/usr/bin/env bash
# The playground's runtime timed in headless Chromium on this machine: median milliseconds
# over 50 calls (after 20 to warm up) of Grad-CAM (forward pass included), the gradient, and
# both from one forward pass (what the figure computes per frame), and SmoothGrad with 8
# samples (the figure's default, computed once the input is still). Run after `make site`:
#   Benchmarks/playground_speed.sh [Output]
set -euo pipefail
out="${1:-Output}"
weights=$(ls "$out"/figures/playground-*-weights-*.js | head -1)
runtime=$(ls "$out"/assets/playground-runtime.*.js | head -1)
page="$out/playground-speed.tmp.html"
trap 'rm -f "$page"' EXIT
cat > "$page" <<HTML
<!doctype html><html><body><pre id="out">running</pre>
<script src="${weights#"$out"/}"></script><script src="${runtime#"$out"/}"></script>
<script>
const net = new VizsiteNetwork(Object.values(vizsiteModels)[0]);
const [h, w, c] = net.input, x = new Float32Array(h * w * c);
for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 97) / 97 > 0.8 ? 1 : 0; // about a digit's ink
const both = [{method: 'gradcam'}, {method: 'saliency'}];
for (let i = 0; i < 20; i++) net.explainAll(x, both);
const t = {gradcam: [], saliency: [], both: [], smoothgrad: []};
for (let i = 0; i < 50; i++) {
  t.gradcam.push(net.explain(x, {method: 'gradcam'}).ms);
  t.saliency.push(net.explain(x, {method: 'saliency'}).ms);
  t.both.push(net.explainAll(x, both)[0].ms);
  if (i < 15) t.smoothgrad.push(net.explain(x, {method: 'smoothgrad', samples: 8}).ms);
}
const median = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];
document.getElementById('out').textContent = JSON.stringify(
  {model: net.name, gradcam_ms: median(t.gradcam), saliency_ms: median(t.saliency), both_ms: median(t.both),
   smoothgrad8_ms: median(t.smoothgrad)});
</script></body></html>
HTML
chromium --headless=new --no-sandbox --disable-gpu --virtual-time-budget=120000 --dump-dom "file://$PWD/$page" \
  2>/dev/null | sed -n 's/.*<pre id="out">\([^<]*\)<.*/\1/p'
