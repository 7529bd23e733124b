"""The methods issue 14 added, against the libraries that define them, on the trained model.

    Benchmarks/.venv/bin/python Benchmarks/crosscheck_methods.py [--weights FILE] [--images 0 1 2 ...]

For each test digit, runs `vizsite explain --json` and the reference in PyTorch (float64, the
same weights, the model written as nn.Sequential with ReLU and pooling modules so that the
libraries' hooks find them):

- deeplift                      Captum 0.9 DeepLift (Rescale, black reference)
- lrp-epsilon                   Zennit 0.5: Epsilon(1e-6) on every layer
- lrp-composite (each)          Zennit 0.5 composites EpsilonGammaBox (low 0, high 1),
                                EpsilonPlus, EpsilonPlusFlat, EpsilonAlpha2Beta1(+Flat)
- hirescam, xgradcam            pytorch-grad-cam 1.5, raw maps at conv2d_2 (its resizing and
                                min-max scaling switched off)
- guided, deconvnet             Captum 0.9 GuidedBackprop, Deconvolution
- guided-gradcam (stretch)      Captum 0.9 GuidedGradCam at conv2d_2's ReLU, bilinear
                                interpolation (the paper's; vizsite's `upsample: stretch`)
- gradientshap                  Captum GradientShap over the same 100 training digits; both
                                are Monte Carlo estimates, so each is compared with the exact
                                expectation (Integrated Gradients from each reference, 64-point
                                Gauss-Legendre, averaged) rather than with the other

LRP starts from the target's logit (Zennit's attr_output = one-hot x logit). Prints, per method,
the largest |vizsite - reference| / max |reference| over the images. Not part of `make test`.
"""
import argparse
import glob
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Benchmarks"))
from crosscheck import torch_model  # noqa: E402  (the reference model, Keras layouts)

SPEC = ROOT / "Content/models/mnist-cnn.yml"
MNIST = ROOT / "Content/data/mnist"


class NHWCToNCHW(nn.Module):
    def forward(self, x):
        return x.permute(0, 3, 1, 2)


class KerasFlatten(nn.Module):
    """Flattens NCHW in Keras's (channels-last) order."""

    def forward(self, x):
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


def sequential(weights):
    m = torch_model(weights)
    return nn.Sequential(
        NHWCToNCHW(), m.conv2d_1, nn.ReLU(), m.conv2d_2, nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        KerasFlatten(), m.dense_1, nn.ReLU(), nn.Dropout(0.5), m.preds).eval().double()


def idx_images(name):
    with gzip.open(MNIST / name) as f:
        data = np.frombuffer(f.read(), np.uint8, offset=16)
    return torch.from_numpy(data.reshape(-1, 28, 28, 1).astype(np.float64) / 255)


def vizsite_map(method, i, weights, tmp, extra=()):
    out = Path(tmp) / "map.json"
    subprocess.run([str(ROOT / ".build/release/vizsite"), "explain", str(SPEC), "--weights", weights,
                    "--method", method, "--image", f"test:{i}", "--json", str(out), *extra],
                   check=True, capture_output=True)
    d = json.loads(out.read_text())
    return np.array(d["map"]["values"]).reshape(d["map"]["shape"]), d["target"]


def zennit_map(seq, x, k, composite):
    from zennit.attribution import Gradient
    with Gradient(model=seq, composite=composite) as attributor:
        out, relevance = attributor(x.clone().requires_grad_(True),
                                    lambda y: torch.eye(10, dtype=y.dtype)[[k]] * y)
    return relevance[0, :, :, 0].detach().numpy()


def composites():
    import zennit.composites as zc
    from zennit.rules import Epsilon, Pass, Norm
    from zennit.layer import Sum
    from zennit.types import Activation, AvgPool, Convolution, BatchNorm
    low, high = torch.zeros(1, 1, 28, 28, dtype=torch.float64), torch.ones(1, 1, 28, 28, dtype=torch.float64)
    everywhere = zc.LayerMapComposite(layer_map=[
        (Activation, Pass()), (Sum, Norm()), (AvgPool, Norm()), (BatchNorm, Pass()),
        (Convolution, Epsilon(1e-6)), (nn.Linear, Epsilon(1e-6))])
    return {
        ("lrp-epsilon", None): lambda: everywhere,
        ("lrp-composite", "epsilon-gamma-box"): lambda: zc.EpsilonGammaBox(low=low, high=high),
        ("lrp-composite", "epsilon-plus"): lambda: zc.EpsilonPlus(),
        ("lrp-composite", "epsilon-plus-flat"): lambda: zc.EpsilonPlusFlat(),
        ("lrp-composite", "epsilon-alpha2-beta1"): lambda: zc.EpsilonAlpha2Beta1(),
        ("lrp-composite", "epsilon-alpha2-beta1-flat"): lambda: zc.EpsilonAlpha2Beta1Flat(),
    }


def grad_cam_maps(seq, x, k):
    import pytorch_grad_cam.base_cam as base
    from pytorch_grad_cam import HiResCAM, XGradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    base.scale_cam_image = lambda cam, target_size=None: cam  # raw maps, as vizsite's JSON
    maps = {}
    for name, kind in (("hirescam", HiResCAM), ("xgradcam", XGradCAM)):
        with kind(model=seq, target_layers=[seq[4]]) as cam:  # the ReLU after conv2d_2
            maps[name] = cam(input_tensor=x.clone(), targets=[ClassifierOutputTarget(k)])[0]
    return maps


def modified_relu_maps(seq, x, k):
    """Captum's modified-ReLU methods, on the model without its layout module so that
    GuidedGradCam interpolates over the image's height and width (it takes the input's
    shape[2:])."""
    from captum.attr import Deconvolution, GuidedBackprop, GuidedGradCam
    nchw, xc = nn.Sequential(*list(seq)[1:]).eval(), x.permute(0, 3, 1, 2).clone()
    return {
        "guided": GuidedBackprop(nchw).attribute(xc, target=k),
        "deconvnet": Deconvolution(nchw).attribute(xc, target=k),
        "guided-gradcam": GuidedGradCam(nchw, nchw[3]).attribute(xc, target=k, interpolate_mode="bilinear"),
    }


def deeplift_by_hand(seq, x, k):
    """DeepLIFT's Rescale rule with Captum's documented max-pooling rule, written out in float64
    for this Sequential (Captum 0.9 itself skips the max-pooling rule where a ReLU precedes the
    pooling, captum#1104, fixed after 0.9 by PR #1843)."""
    F = torch.nn.functional
    conv1, conv2, dense1, preds = seq[1], seq[3], seq[8], seq[11]

    def vjp(f, at, g):
        at = at.detach().clone().requires_grad_(True)
        f(at).backward(g)
        return at.grad

    def rescale(z, m):
        delta = z[:1] - z[1:]
        secant = (F.relu(z[:1]) - F.relu(z[1:])) / torch.where(delta.abs() < 1e-10, torch.ones_like(delta), delta)
        return m * torch.where(delta.abs() < 1e-10, (z[:1] > 0).double(), secant)

    with torch.no_grad():
        both = torch.cat([x, torch.zeros_like(x)]).permute(0, 3, 1, 2)
        z1 = conv1(both); a1 = F.relu(z1); z2 = conv2(a1); a2 = F.relu(z2)
        pooled = F.max_pool2d(a2, 2); z3 = dense1(KerasFlatten()(pooled))
        m = torch.eye(10, dtype=torch.float64)[[k]] @ preds.weight
        m = rescale(z3, m) @ dense1.weight
        m = m.reshape(1, 12, 12, 64).permute(0, 3, 1, 2)
    y, y_ref = pooled[:1], pooled[1:]
    top = torch.max(y, y_ref)
    pool = lambda t: F.max_pool2d(t, 2)
    shared = vjp(pool, a2[:1], m * (top - y_ref)) + vjp(pool, a2[1:], m * (y - top))
    delta = a2[:1] - a2[1:]
    m = torch.where(delta.abs() < 1e-10, vjp(pool, a2[:1], m),
                    shared / torch.where(delta.abs() < 1e-10, torch.ones_like(delta), delta))
    m = vjp(conv2, a1[:1], rescale(z2, m))
    m = vjp(conv1, both[:1], rescale(z1, m))
    return (m * both[:1])[0, 0].numpy()


def expected_gradients(seq, x, k, background, steps=64):
    nodes, weights = np.polynomial.legendre.leggauss(steps)
    nodes, weights = (nodes + 1) / 2, weights / 2
    total = torch.zeros_like(x[0])
    for b in background:
        points = torch.stack([b + a * (x[0] - b) for a in nodes]).requires_grad_(True)
        seq(points)[:, k].sum().backward()
        total += (torch.from_numpy(weights)[:, None, None, None] * points.grad).sum(0) * (x[0] - b)
    return (total / len(background))[:, :, 0].numpy()


def gaussian_blur(x, sigma):
    """vizsite's blur baseline: a separable Gaussian, radius ⌈3σ⌉, edges clamped ([28, 28])."""
    radius = int(np.ceil(3 * sigma))
    kernel = np.exp(-0.5 * np.arange(-radius, radius + 1) ** 2 / sigma ** 2)
    kernel /= kernel.sum()
    padded = np.pad(x, ((0, 0), (radius, radius)), mode="edge")
    rows = np.stack([padded[:, j:j + 2 * radius + 1] @ kernel for j in range(x.shape[1])], axis=1)
    padded = np.pad(rows, ((radius, radius), (0, 0)), mode="edge")
    return np.stack([kernel @ padded[i:i + 2 * radius + 1, :] for i in range(x.shape[0])], axis=0)


def ig_baselines(x):
    """The deterministic baselines of Integrated Gradients, as vizsite draws them."""
    pixels = x[0, :, :, 0].numpy()
    low, high = pixels.min(), pixels.max()
    made = {"black": np.zeros_like(pixels),
            "max-distance": np.where(pixels > (low + high) / 2, low, high),
            "blur": gaussian_blur(pixels, 5.0)}
    return {name: torch.from_numpy(b).reshape(1, 28, 28, 1) for name, b in made.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", help="default: the trained weights cached in .vizsite/models/")
    ap.add_argument("--images", type=int, nargs="+", default=list(range(8)))
    args = ap.parse_args()
    weights = args.weights or max(glob.glob(str(ROOT / ".vizsite/models/mnist-cnn-*.safetensors")), key=os.path.getmtime)
    seq = sequential(weights)
    seq32 = sequential(weights).float()
    test = idx_images("t10k-images-idx3-ubyte.gz")
    train = idx_images("train-images-idx3-ubyte.gz")
    background = train[[j * len(train) // 100 for j in range(100)]]
    from captum.attr import DeepLift, GradientShap, IntegratedGradients
    worst = {}

    def record(name, ours, ref):
        relative = float(abs(ours - ref).max() / max(abs(ref).max(), 1e-30))
        worst[name] = max(worst.get(name, 0.0), relative)

    with tempfile.TemporaryDirectory() as tmp:
        for i in args.images:
            x = test[i:i + 1]
            k = int(seq(x).argmax())
            ours, target = vizsite_map("deeplift", i, weights, tmp)
            assert target == k, (target, k)
            record("deeplift (the rules by hand, float64)", ours, deeplift_by_hand(seq, x, k))
            ref = DeepLift(seq).attribute(x.clone(), baselines=torch.zeros_like(x), target=k)
            record("deeplift (Captum 0.9 DeepLift, see captum#1104)", ours, ref[0, :, :, 0].detach().numpy())
            for (method, composite), make in composites().items():
                extra = ("--set", f"composite={composite}") if composite else ()
                ours, _ = vizsite_map(method, i, weights, tmp, extra)
                record(f"{composite or method} (Zennit)", ours, zennit_map(seq, x, k, make()))
            for name, ref in grad_cam_maps(seq, x, k).items():
                ours, _ = vizsite_map(name, i, weights, tmp)
                record(f"{name} (pytorch-grad-cam)", ours, ref)
            for name, ref in modified_relu_maps(seq, x, k).items():
                extra = ("--set", "upsample=stretch") if name == "guided-gradcam" else ()
                ours, _ = vizsite_map(name, i, weights, tmp, extra)
                record(f"{name} (Captum)", ours, ref[0, 0].detach().numpy())
            for name, baseline in ig_baselines(x).items():
                ours, _ = vizsite_map("integrated-gradients", i, weights, tmp, ("--set", f"baseline={name}"))
                ref = IntegratedGradients(seq).attribute(
                    x.clone(), baselines=baseline, target=k, n_steps=50, method="gausslegendre")
                ref = ref[0, :, :, 0].detach().numpy()
                record(f"integrated-gradients, {name} (Captum)", ours, ref)
                # The float32 floor: paths cross ReLU and max-pooling kinks, where float32
                # rounding can take the other side at a quadrature node.
                single = IntegratedGradients(seq32).attribute(
                    x.clone().float(), baselines=baseline.float(), target=k, n_steps=50, method="gausslegendre")
                record(f"  Captum float32 vs float64, {name}", single[0, :, :, 0].detach().double().numpy(), ref)
            exact = expected_gradients(seq, x, k, background)
            ours, _ = vizsite_map("gradientshap", i, weights, tmp, ("--set", "samples=500"))
            record("gradientshap: vizsite, 500 samples vs exact", ours, exact)
            torch.manual_seed(i)
            captum = GradientShap(seq).attribute(x.clone(), baselines=background, n_samples=500, target=k)
            record("gradientshap: Captum, 500 samples vs exact", captum[0, :, :, 0].detach().numpy(), exact)
            print(f"test:{i} done", flush=True)
    print(f"\nlargest |difference| / max |reference| over test{args.images}:")
    for name, value in worst.items():
        print(f"  {name:48} {value:.1e}")


if __name__ == "__main__":
    main()
