"""Writes torch-tiny.safetensors and torch-tiny-logits.json: a small CNN built in PyTorch
with Keras (channels-last) semantics, its weights saved by the `safetensors` library in the
layouts of DESIGN.md, and its logits for the first 5 MNIST test images.

The Swift test `weightsWrittenByPyTorchGiveTheSameLogits` loads the file into the same
architecture (TestSupport's tinyModel) and compares. Re-create with the Benchmarks venv:

    Benchmarks/.venv/bin/python Tests/CNNTests/Fixtures/make_torch_fixture.py
"""
import gzip
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = Path(__file__).resolve().parent
MNIST = HERE.parents[2] / "Content" / "data" / "mnist"

torch.manual_seed(0)
# PyTorch layouts: conv [out, in, kh, kw], linear [out, in].
w1, b1 = torch.randn(4, 1, 3, 3) * 0.4, torch.randn(4) * 0.1
w2, b2 = torch.randn(6, 4, 3, 3) * 0.2, torch.randn(6) * 0.1
w3, b3 = torch.randn(16, 864) * 0.05, torch.randn(16) * 0.1
w4, b4 = torch.randn(10, 16) * 0.3, torch.randn(10) * 0.1


def logits(x_nhwc):
    h = x_nhwc.permute(0, 3, 1, 2)
    h = F.relu(F.conv2d(h, w1, b1))
    h = F.relu(F.conv2d(h, w2, b2))
    h = F.max_pool2d(h, 2)
    h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)  # Keras flatten order (h, w, c)
    h = F.relu(h @ w3.T + b3)
    return h @ w4.T + b4


with gzip.open(MNIST / "t10k-images-idx3-ubyte.gz") as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)[:5]
x = torch.from_numpy(images.astype(np.float32) / 255)

keras = {  # HWIO conv kernels, [in, out] dense kernels
    "conv2d_1/kernel": w1.permute(2, 3, 1, 0), "conv2d_1/bias": b1,
    "conv2d_2/kernel": w2.permute(2, 3, 1, 0), "conv2d_2/bias": b2,
    "dense_1/kernel": w3.T, "dense_1/bias": b3,
    "preds/kernel": w4.T, "preds/bias": b4,
}
save_file({k: v.contiguous() for k, v in keras.items()}, HERE / "torch-tiny.safetensors")
(HERE / "torch-tiny-logits.json").write_text(json.dumps(logits(x).tolist()))
print("wrote", HERE / "torch-tiny.safetensors")
