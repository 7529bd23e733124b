"""Side-by-side speed of imported models: vizsite against ONNX Runtime (CPU, 2 threads) and
PyTorch with pytorch-grad-cam (2 threads), on the same machine in one run.

Models with random weights in eval mode: a ResNet-20 for CIFAR (32×32×3),
torchvision's ResNet-18 and MobileNetV2 (224×224×3), exported with the TorchScript exporter (opset 17).
For each: inference at batch 32 (images/s), one-image latency (ms) and one-image Grad-CAM
(ms; each call includes the forward pass that picks the class) — medians.

    Benchmarks/.venv/bin/python Benchmarks/compare_imported.py [--repeats 30] [--rounds 3] [--explain]
        [--peak peak.json] [--models NAME …]

With --rounds N each model is measured N times, the frameworks one after another in each
round, and every figure is reported as the median with the per-round range. --explain adds
the gradient family against Captum (Saliency, NoiseTunnel(Saliency) 50 samples,
IntegratedGradients 50 steps), as the PyTorch anchor measures them.

vizsite's numbers come from `vizsite bench MODEL.onnx` (release build). Grad-CAM targets:
pytorch-grad-cam at the last residual block (model.layer3[-1] / model.layer4[-1]);
vizsite at the last convolution, the default, one BatchNorm and addition earlier.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import onnxruntime as ort
import torch
import torch.nn as nn
import torchvision
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Benchmarks", "results")


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                         if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for cout, stride in [(16, 1), (32, 2), (64, 2)]:
            blocks = []
            for i in range(3):
                blocks.append(BasicBlock(cin, cout, stride if i == 0 else 1))
                cin = cout
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = layers
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def median_ms(fn, repeats, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


# The two cores' measured single-precision FMA peak (GFLOP/s) and one core's copy bandwidth
# (GB/s), filled in by main() from Benchmarks/peak.py's measurement on this machine.
PEAK = {}


def export(name, model, shape):
    path = os.path.join(OUT, f"{name}.onnx")
    x1 = torch.rand((1,) + shape)
    torch.onnx.export(model, x1, path, opset_version=17, dynamo=False,
                      input_names=["image"], output_names=["logits"], dynamic_axes={"image": {0: "b"}, "logits": {0: "b"}})
    return path


def measure_round(path, model, shape, target_layer, repeats, explain):
    """One round: ONNX Runtime, PyTorch (+ pytorch-grad-cam, Captum) and vizsite, one after another."""
    torch.manual_seed(0)
    x32 = torch.rand((32,) + shape)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    a32, a1 = x32.numpy(), x32[:1].numpy()
    row = {"onnxruntime": {}, "pytorch": {}}
    row["onnxruntime"]["infer_images_per_s_b32"] = 32 / median_ms(lambda: session.run(None, {"image": a32}),
                                                                  max(3, repeats // 4)) * 1000
    row["onnxruntime"]["infer_latency_ms_b1"] = median_ms(lambda: session.run(None, {"image": a1}), repeats)
    torch.set_num_threads(2)
    with torch.no_grad():
        row["pytorch"]["infer_images_per_s_b32"] = 32 / median_ms(lambda: model(x32), max(3, repeats // 4)) * 1000
        row["pytorch"]["infer_latency_ms_b1"] = median_ms(lambda: model(x32[:1]), repeats)
    cam = GradCAM(model=model, target_layers=[target_layer])
    row["pytorch"]["gradcam_ms_b1"] = median_ms(lambda: cam(input_tensor=x32[:1], targets=None), repeats)
    cam.activations_and_grads.release()
    if explain:
        row["captum"] = captum_family(model, x32[:1], max(3, repeats // 10))
    vizsite = os.path.join(ROOT, ".build", "release", "vizsite")
    command = [vizsite, "bench", path, "--calls", str(repeats * 10)] + (["--explain"] if explain else [])
    row["vizsite"] = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    return row


def captum_family(model, x1, calls):
    """As the PyTorch anchor (Benchmarks' anchors/torch/bench.py): each call picks the class."""
    from captum.attr import IntegratedGradients, NoiseTunnel, Saliency

    def predicted():
        with torch.no_grad():
            return int(model(x1).argmax(-1).item())

    saliency = Saliency(model)
    noise = NoiseTunnel(Saliency(model))
    ig = IntegratedGradients(model)
    return {
        "saliency_ms": median_ms(lambda: saliency.attribute(x1.clone(), target=predicted()), 10 * calls, warmup=2),
        "smoothgrad50_ms": median_ms(lambda: noise.attribute(x1, nt_type="smoothgrad", nt_samples=50, stdevs=0.15,
                                                             target=predicted()), calls, warmup=1),
        "integrated_gradients50_ms": median_ms(lambda: ig.attribute(x1, baselines=torch.zeros_like(x1),
                                                                   target=predicted(), n_steps=50), calls, warmup=1),
    }


def summarize(name, shape, rounds):
    """Medians and per-round ranges of every figure, and the ratios of the medians."""
    def collect(*keys):
        values = []
        for r in rounds:
            v = r
            for k in keys:
                v = v.get(k) if isinstance(v, dict) else None
            if v is not None:
                values.append(v)
        return values

    def stat(*keys):
        values = collect(*keys)
        if not values:
            return None
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    result = {"model": name, "input": list(shape), "rounds": len(rounds)}
    for who, keys in [("onnxruntime", ["infer_images_per_s_b32", "infer_latency_ms_b1"]),
                      ("pytorch", ["infer_images_per_s_b32", "infer_latency_ms_b1", "gradcam_ms_b1"]),
                      ("vizsite", ["infer_images_per_s_b32", "infer_latency_ms_b1", "gradcam_ms_b1"])]:
        result[who] = {k: stat(who, k) for k in keys}
    family = ["saliency_ms", "smoothgrad50_ms", "integrated_gradients50_ms"]
    if collect("captum"):
        result["captum"] = {k: stat("captum", k) for k in family}
        result["vizsite"].update({k: stat("vizsite", "explanations", k) for k in family})
    m = lambda who, k: result[who][k]["median"]
    macs = rounds[0]["vizsite"]["multiply_accumulates"]
    ratios = {
        "b32 vs onnxruntime": m("vizsite", "infer_images_per_s_b32") / m("onnxruntime", "infer_images_per_s_b32"),
        "b1 vs onnxruntime": m("onnxruntime", "infer_latency_ms_b1") / m("vizsite", "infer_latency_ms_b1"),
        "b32 vs pytorch": m("vizsite", "infer_images_per_s_b32") / m("pytorch", "infer_images_per_s_b32"),
        "gradcam vs pytorch-grad-cam": m("pytorch", "gradcam_ms_b1") / m("vizsite", "gradcam_ms_b1"),
    }
    if "captum" in result:
        for k in family:
            ratios[f"{k.removesuffix('_ms')} vs captum"] = m("captum", k) / m("vizsite", k)
    result["ratios (above 1: vizsite faster)"] = ratios
    gflops = {who: 2 * macs * m(who, "infer_images_per_s_b32") / 1e9 for who in ("onnxruntime", "pytorch", "vizsite")}
    result["b32 GFLOP/s"] = gflops
    if PEAK:
        result["b32 share of FMA peak"] = {who: v / PEAK["fma_gflops_2_threads"] for who, v in gflops.items()}
    result["multiply_accumulates"] = macs
    return result


def measure(name, model, shape, target_layer, repeats, rounds=1, explain=False):
    model.eval()
    path = export(name, model, shape)
    samples = [measure_round(path, model, shape, target_layer, repeats, explain) for _ in range(rounds)]
    return summarize(name, shape, samples)


# issue 28's seven models, each with pytorch-grad-cam's target: the last block before global
# pooling (as vizsite's default CAM layer).
IMAGENET = {
    "resnet18": lambda m: m.layer4[-1],
    "resnet50": lambda m: m.layer4[-1],
    "mobilenet_v2": lambda m: m.features[-1],
    "mobilenet_v3_large": lambda m: m.features[-1],
    "efficientnet_b0": lambda m: m.features[-1],
    "squeezenet1_1": lambda m: m.features[-1],
    "regnet_y_400mf": lambda m: m.trunk_output[-1],
}


def print_table(results):
    """The medians, with each round's range, as README's Speed section shows them."""
    def cell(stat, digits=1):
        if stat is None:
            return "—"
        fmt = f"{{:.{digits}f}}"
        if stat["min"] == stat["max"]:
            return fmt.format(stat["median"])
        return f"{fmt.format(stat['median'])} ({fmt.format(stat['min'])}–{fmt.format(stat['max'])})"

    print("| model | measure | ONNX Runtime | PyTorch / Captum | vizsite | vizsite vs ORT | vizsite vs PyTorch |",
          file=sys.stderr)
    print("| --- | --- | --- | --- | --- | --- | --- |", file=sys.stderr)
    for r in results:
        q = r["ratios (above 1: vizsite faster)"]
        print(f"| {r['model']} | batch 32, images/s | {cell(r['onnxruntime']['infer_images_per_s_b32'])} | "
              f"{cell(r['pytorch']['infer_images_per_s_b32'])} | {cell(r['vizsite']['infer_images_per_s_b32'])} | "
              f"{q['b32 vs onnxruntime']:.2f}× | {q['b32 vs pytorch']:.2f}× |", file=sys.stderr)
        print(f"| | one image, ms | {cell(r['onnxruntime']['infer_latency_ms_b1'], 2)} | "
              f"{cell(r['pytorch']['infer_latency_ms_b1'], 2)} | {cell(r['vizsite']['infer_latency_ms_b1'], 2)} | "
              f"{q['b1 vs onnxruntime']:.2f}× | |", file=sys.stderr)
        print(f"| | Grad-CAM, ms | — | {cell(r['pytorch']['gradcam_ms_b1'])} | {cell(r['vizsite']['gradcam_ms_b1'])} |"
              f" | {q['gradcam vs pytorch-grad-cam']:.2f}× |", file=sys.stderr)
        if "captum" in r:
            for k, label in [("saliency_ms", "gradient"), ("smoothgrad50_ms", "SmoothGrad 50"),
                             ("integrated_gradients50_ms", "IG 50")]:
                print(f"| | {label}, ms | — | {cell(r['captum'][k], 0)} | {cell(r['vizsite'][k], 0)} | | "
                      f"{q[k.removesuffix('_ms') + ' vs captum']:.2f}× |", file=sys.stderr)
        g = r["b32 GFLOP/s"]
        share = r.get("b32 share of FMA peak", {})
        print(f"| | batch 32, GFLOP/s (of peak) | {g['onnxruntime']:.0f} ({100 * share.get('onnxruntime', 0):.0f} %) | "
              f"{g['pytorch']:.0f} ({100 * share.get('pytorch', 0):.0f} %) | "
              f"{g['vizsite']:.0f} ({100 * share.get('vizsite', 0):.0f} %) | | |", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds per model (medians and ranges)")
    parser.add_argument("--explain", action="store_true",
                        help="also the gradient family against Captum (saliency, SmoothGrad 50, IG 50)")
    parser.add_argument("--peak", help="Benchmarks/peak.py's JSON, for the share of the FMA peak")
    parser.add_argument("--models", nargs="*", default=["resnet20-cifar", "resnet18-224", "mobilenet_v2-224"],
                        help="any of resnet20-cifar and " + ", ".join(f"{n}-224" for n in IMAGENET))
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    if args.peak:
        with open(args.peak) as f:
            PEAK.update(json.load(f))
    results = []
    for name in args.models:
        if name == "resnet20-cifar":
            resnet20 = ResNet20()
            results.append(measure(name, resnet20, (3, 32, 32), resnet20.layer3[-1], args.repeats, args.rounds,
                                   args.explain))
            continue
        builder = name.removesuffix("-224")
        torch.manual_seed(0)
        model = getattr(torchvision.models, builder)(weights=None)
        results.append(measure(name, model, (3, 224, 224), IMAGENET[builder](model), max(5, args.repeats // 3),
                               args.rounds, args.explain))
    print(json.dumps({"peak": PEAK, "models": results}, indent=2))
    with open(os.path.join(OUT, "imported.json"), "w") as f:
        json.dump({"peak": PEAK, "models": results}, f, indent=2)
    print_table(results)


if __name__ == "__main__":
    main()
