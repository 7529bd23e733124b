#!/usr/bin/env bash
# Issue 28's side-by-side on the models people bring: ResNet-18 and -50, MobileNetV2 and
# V3-Large, EfficientNet-B0, SqueezeNet 1.1 and RegNetY-400MF at 224×224, random weights,
# against ONNX Runtime, PyTorch, pytorch-grad-cam and Captum (2 threads each), in alternating
# rounds (ROUNDS, default 3): medians and per-round ranges, batch-32 GFLOP/s against the two
# cores' FMA peak measured by Benchmarks/tools/peak.c. Not part of `make test`.
#
#   make bench-models                 # every model, into Benchmarks/results/imported.json
#   ROUNDS=2 Benchmarks/bench_models.sh mobilenet_v2-224 resnet18-224
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=Benchmarks/.venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import torch, torchvision, onnxruntime, pytorch_grad_cam" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q torch torchvision numpy onnx onnxruntime grad-cam captum
fi
"$VENV/bin/python" -c "import captum" 2>/dev/null || "$VENV/bin/pip" install -q captum
mkdir -p Benchmarks/results
cc -O2 -march=native -pthread Benchmarks/tools/peak.c -o Benchmarks/results/peak
Benchmarks/results/peak > Benchmarks/results/peak.json
cat Benchmarks/results/peak.json
swift build -c release --product vizsite
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=(resnet18-224 resnet50-224 mobilenet_v2-224 mobilenet_v3_large-224 efficientnet_b0-224
  squeezenet1_1-224 regnet_y_400mf-224)
"$VENV/bin/python" Benchmarks/compare_imported.py --rounds "${ROUNDS:-3}" --explain \
  --peak Benchmarks/results/peak.json --models "${MODELS[@]}" 2> >(grep '^|' >&2)
