"""Side-by-side speed of imported models: vizsite against ONNX Runtime (CPU, 2 threads) and
PyTorch with pytorch-grad-cam (2 threads), on the same machine in one run.

Models with random weights in eval mode: a ResNet-20 for CIFAR (32×32×3),
torchvision's ResNet-18 and MobileNetV2 (224×224×3), exported with the TorchScript exporter (opset 17).
For each: inference at batch 32 (images/s), one-image latency (ms) and one-image Grad-CAM
(ms; each call includes the forward pass that picks the class) — medians.

    Benchmarks/.venv/bin/python Benchmarks/compare_imported.py [--repeats 30] [--models NAME …]

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


def measure(name, model, shape, target_layer, repeats):
    torch.manual_seed(0)
    model.eval()
    path = os.path.join(OUT, f"{name}.onnx")
    x32 = torch.rand((32,) + shape)
    torch.onnx.export(model, x32[:1], path, opset_version=17, dynamo=False,
                      input_names=["image"], output_names=["logits"], dynamic_axes={"image": {0: "b"}, "logits": {0: "b"}})
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    a32, a1 = x32.numpy(), x32[:1].numpy()
    ort_b32 = 32 / median_ms(lambda: session.run(None, {"image": a32}), max(3, repeats // 4)) * 1000
    ort_b1 = median_ms(lambda: session.run(None, {"image": a1}), repeats)
    torch.set_num_threads(2)
    with torch.no_grad():
        torch_b32 = 32 / median_ms(lambda: model(x32), max(3, repeats // 4)) * 1000
        torch_b1 = median_ms(lambda: model(x32[:1]), repeats)
    cam = GradCAM(model=model, target_layers=[target_layer])
    torch_cam = median_ms(lambda: cam(input_tensor=x32[:1], targets=None), repeats)
    vizsite = os.path.join(ROOT, ".build", "release", "vizsite")
    result = subprocess.run([vizsite, "bench", path, "--calls", str(repeats * 10)], capture_output=True, text=True,
                            check=True)
    ours = json.loads(result.stdout)
    return {
        "model": name, "input": list(shape),
        "onnxruntime": {"infer_images_per_s_b32": ort_b32, "infer_latency_ms_b1": ort_b1},
        "pytorch": {"infer_images_per_s_b32": torch_b32, "infer_latency_ms_b1": torch_b1, "gradcam_ms_b1": torch_cam},
        "vizsite": ours,
        "ratios (above 1: vizsite faster)": {
            "b32 vs onnxruntime": ours["infer_images_per_s_b32"] / ort_b32,
            "b1 latency vs onnxruntime": ort_b1 / ours["infer_latency_ms_b1"],
            "b32 vs pytorch": ours["infer_images_per_s_b32"] / torch_b32,
            "gradcam vs pytorch-grad-cam": torch_cam / ours["gradcam_ms_b1"],
        },
    }


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--models", nargs="*", default=["resnet20-cifar", "resnet18-224", "mobilenet_v2-224"],
                        help="any of resnet20-cifar and " + ", ".join(f"{n}-224" for n in IMAGENET))
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    results = []
    for name in args.models:
        if name == "resnet20-cifar":
            resnet20 = ResNet20()
            results.append(measure(name, resnet20, (3, 32, 32), resnet20.layer3[-1], args.repeats))
            continue
        builder = name.removesuffix("-224")
        model = getattr(torchvision.models, builder)(weights=None)
        results.append(measure(name, model, (3, 224, 224), IMAGENET[builder](model), max(5, args.repeats // 3)))
    print(json.dumps(results, indent=2))
    with open(os.path.join(OUT, "imported.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
