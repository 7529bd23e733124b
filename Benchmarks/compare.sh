#!/usr/bin/env bash
# Side-by-side speed of vizsite and PyTorch on this machine: PyTorch, then `vizsite bench`,
# alternating, REPEATS times (default 3); then each figure's median on both sides and
# the ratio of the medians (vizsite ÷ PyTorch; for times, PyTorch ÷ vizsite, so above 1
# always means vizsite is faster), with the range of the per-round ratios. This machine
# is shared: a single round can be off by 30 % either way. Not part of `make test`.
#
#   Benchmarks/compare.sh            # installs PyTorch into Benchmarks/.venv if missing
#   REPEATS=5 Benchmarks/compare.sh
#   Benchmarks/compare.sh --anchor   # also runs ../shared/anchors/torch/bench.py once to cross-check
#   Benchmarks/compare.sh --tensorflow   # TensorFlow 2 + tf-keras (Benchmarks/.venv-tf) instead of PyTorch
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=Benchmarks/results
REPEATS=${REPEATS:-3}
mkdir -p "$OUT"
if [ "${1:-}" = "--tensorflow" ]; then
  # Its own virtualenv: TensorFlow's LLVM beside PyTorch's aborts the process.
  VENV=Benchmarks/.venv-tf SIDE=tensorflow NAME=TensorFlow
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import tensorflow, tf_keras" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q tensorflow-cpu tf-keras numpy
  fi
  SIDE_COMMAND=("$VENV/bin/python" Benchmarks/tf_side.py --threads 2)
else
  VENV=Benchmarks/.venv SIDE=torch NAME=PyTorch
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q torch numpy safetensors grad-cam captum
  fi
  SIDE_COMMAND=("$VENV/bin/python" Benchmarks/torch_side.py --threads 2 --explain)
fi
[ -x .build/release/vizsite ] || swift build -c release --product vizsite

rm -f "$OUT"/$SIDE.*.json "$OUT"/vizsite.*.json
for round in $(seq 1 "$REPEATS"); do
  echo "round $round/$REPEATS: $NAME (2 threads)…" >&2
  "${SIDE_COMMAND[@]}" > "$OUT/$SIDE.$round.json" 2>/dev/null
  echo "round $round/$REPEATS: vizsite…" >&2
  .build/release/vizsite bench --explain > "$OUT/vizsite.$round.json"
done
if [ "${1:-}" = "--anchor" ] && [ -f ../shared/anchors/torch/bench.py ]; then
  echo "anchor (../shared/anchors/torch/bench.py)…" >&2
  "$VENV/bin/python" ../shared/anchors/torch/bench.py --out "$OUT/anchor.json" > /dev/null
fi

"$VENV/bin/python" - "$OUT" "$REPEATS" "$SIDE" "$NAME" <<'PY'
import json, statistics, sys
from pathlib import Path
out, n, side, name = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ts = [json.loads((out / f"{side}.{i}.json").read_text()) for i in range(1, n + 1)]
vs = [json.loads((out / f"vizsite.{i}.json").read_text()) for i in range(1, n + 1)]
a = json.loads((out / "anchor.json").read_text())["threads_2"] if side == "torch" and (out / "anchor.json").exists() else {}
version = ts[0].get("torch_version") or f"{ts[0].get('tensorflow_version')} ({ts[0].get('keras')})"
print(f"vizsite: BLAS {vs[0]['blas_core']} × {vs[0]['threads']} threads; {name} {version} × {ts[0]['threads']} threads; {n} rounds")
print(f"{'figure (medians)':28} {'vizsite':>10} {name:>10} {'anchor':>10} {'speed-up':>8}  per round")
rows = [("train_images_per_s", True), ("infer_images_per_s_b128", True), ("infer_latency_ms_b1", False)]
rows += [(k, False) for k in ["gradcam_ms", "gradcampp_ms", "layercam_ms", "scorecam_ms", "saliency_ms",
                              "smoothgrad50_ms", "integrated_gradients50_ms", "actmax256_ms"] if k in ts[0] and k in vs[0]]
summary = {}
for key, higher_is_better in rows:
    v, t = statistics.median(x[key] for x in vs), statistics.median(x[key] for x in ts)
    speed = (lambda vv, tt: vv / tt) if higher_is_better else (lambda vv, tt: tt / vv)
    per_round = sorted(speed(x[key], y[key]) for x, y in zip(vs, ts))
    anchor = f"{a[key]:10.3f}" if key in a else f"{'':10}"
    print(f"{key:28} {v:10.3f} {t:10.3f} {anchor} {speed(v, t):7.2f}×  {per_round[0]:.2f}–{per_round[-1]:.2f}")
    summary[key] = {"vizsite": v, side: t, "speedup": speed(v, t), "per_round": per_round}
(out / f"summary.{side}.json").write_text(json.dumps(summary, indent=2) + "\n")
PY
