"""vizsite's explanation maps against PyTorch in float64, on the same weights and images.

    Benchmarks/.venv/bin/python Benchmarks/crosscheck.py [--weights FILE.safetensors] [--images 0 1 2]

Runs `vizsite explain --json` for Grad-CAM (conv2d_2) and vanilla saliency (signed) and
recomputes both in PyTorch with float64 from the definitions, then prints the largest
difference relative to the map's largest magnitude. Catches numerical changes that tests
on small models miss (it found max pooling routing gradients by Winograd's last bits).
Not part of `make test`; `make bench`'s virtualenv has what it needs.
"""
import argparse
import glob
import os
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import load_file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Benchmarks"))
import torch_side  # noqa: E402  (the reference model in PyTorch, Keras layouts)


def torch_model(weights: str) -> torch.nn.Module:
    w = load_file(weights)
    m = torch_side.MnistCNN().eval().double()
    with torch.no_grad():
        for n in ("conv2d_1", "conv2d_2"):
            getattr(m, n).weight.copy_(torch.from_numpy(w[f"{n}/kernel"]).permute(3, 2, 0, 1))
            getattr(m, n).bias.copy_(torch.from_numpy(w[f"{n}/bias"]))
        for n in ("dense_1", "preds"):
            getattr(m, n).weight.copy_(torch.from_numpy(w[f"{n}/kernel"]).T)
            getattr(m, n).bias.copy_(torch.from_numpy(w[f"{n}/bias"]))
    return m


def reference_maps(m, x):
    """Grad-CAM at conv2d_2 and the input gradient, for the predicted class."""
    x = x.double().requires_grad_(True)
    a = torch.relu(m.conv2d_2(torch.relu(m.conv2d_1(x.permute(0, 3, 1, 2)))))
    a.retain_grad()
    h = torch.nn.functional.max_pool2d(a, 2).permute(0, 2, 3, 1).reshape(1, -1)
    logits = m.preds(torch.relu(m.dense_1(h)))
    c = int(logits.argmax())
    logits[0, c].backward()
    weights = a.grad.mean(dim=(2, 3))[0]
    cam = torch.relu((weights[:, None, None] * a[0]).sum(0)).detach().numpy()
    return cam, x.grad[0, :, :, 0].numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", help="default: the trained weights cached in .vizsite/models/")
    ap.add_argument("--images", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    weights = args.weights or max(glob.glob(str(ROOT / ".vizsite/models/mnist-cnn-*.safetensors")), key=os.path.getmtime)
    vizsite = ROOT / ".build/release/vizsite"
    m = torch_model(weights)
    x_test, _ = torch_side.load("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i in args.images:
            cam, saliency = reference_maps(m, x_test[i:i + 1])
            for method, ref in (("gradcam", cam), ("saliency", saliency)):
                out = Path(tmp) / f"{method}.json"
                subprocess.run([str(vizsite), "explain", str(ROOT / "Content/models/mnist-cnn.yml"), "--weights", weights,
                                "--method", method, "--image", f"test:{i}", "--json", str(out)],
                               check=True, capture_output=True)
                ours = np.array(json.loads(out.read_text())["map"])
                relative = abs(ours - ref).max() / max(abs(ref).max(), 1e-30)
                worst = max(worst, relative)
                print(f"test:{i} {method:9} max |vizsite - PyTorch| / max |map| = {relative:.1e}")
    print(f"worst: {worst:.1e}")
    sys.exit(0 if worst < 1e-4 else 1)


if __name__ == "__main__":
    main()
