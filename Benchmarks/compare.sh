#!/usr/bin/env bash
# Side-by-side speed of vizsite and PyTorch on this machine, in one run: PyTorch first,
# then `vizsite bench`, then each ratio (vizsite ÷ PyTorch; for latency, PyTorch ÷ vizsite,
# so above 1 always means vizsite is faster). Not part of `make test`.
#
#   Benchmarks/compare.sh            # installs PyTorch into Benchmarks/.venv if missing
#   Benchmarks/compare.sh --anchor   # also runs ../shared/anchors/torch/bench.py to cross-check
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=Benchmarks/.venv
OUT=Benchmarks/results
mkdir -p "$OUT"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q torch numpy safetensors grad-cam captum
fi
[ -x .build/release/vizsite ] || swift build -c release --product vizsite

echo "PyTorch (2 threads)…" >&2
"$VENV/bin/python" Benchmarks/torch_side.py --threads 2 --explain > "$OUT/torch.json"
echo "vizsite…" >&2
.build/release/vizsite bench --explain > "$OUT/vizsite.json"
if [ "${1:-}" = "--anchor" ] && [ -f ../shared/anchors/torch/bench.py ]; then
  echo "anchor (../shared/anchors/torch/bench.py)…" >&2
  "$VENV/bin/python" ../shared/anchors/torch/bench.py --out "$OUT/anchor.json" > /dev/null
fi

"$VENV/bin/python" - "$OUT" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
t, v = json.loads((out / "torch.json").read_text()), json.loads((out / "vizsite.json").read_text())
a = json.loads((out / "anchor.json").read_text())["threads_2"] if (out / "anchor.json").exists() else {}
print(f"vizsite: BLAS {v['blas_core']} × {v['threads']} threads; PyTorch {t['torch_version']} × {t['threads']} threads")
print(f"{'figure':28} {'vizsite':>10} {'PyTorch':>10} {'anchor':>10} {'speed-up':>8}")
rows = [("train_images_per_s", True), ("infer_images_per_s_b128", True), ("infer_latency_ms_b1", False)]
rows += [(k, False) for k in ["gradcam_ms", "gradcampp_ms", "layercam_ms", "scorecam_ms", "saliency_ms",
                              "smoothgrad50_ms", "integrated_gradients50_ms", "actmax256_ms"] if k in t and k in v]
for key, higher_is_better in rows:
    ratio = v[key] / t[key] if higher_is_better else t[key] / v[key]
    anchor = f"{a[key]:10.3f}" if key in a else f"{'':10}"
    print(f"{key:28} {v[key]:10.3f} {t[key]:10.3f} {anchor} {ratio:6.2f}×")
PY
