"""Makes the fixtures of vizsite's importers (Tests/CNNTests/Fixtures/import/).

Small CNNs with seeded random weights, exported from PyTorch with both ONNX exporters
(TorchScript, opset 17; torch.export, opset 18+ with external data) and saved from Keras 3
and tf-keras, each beside a JSON file with what the source framework computes for a few
seeded inputs: the logits, ONNX Runtime's logits, the input gradient of the top logit, and
Grad-CAM at one named layer (ReLU(Σ_k mean(∂y/∂A_k) · A_k), at the layer's resolution).
Images are stored NHWC, maps as rows, so the Swift tests need no layout conversion.

    Benchmarks/.venv/bin/python Benchmarks/make_import_fixtures.py

Not part of `make test`: the fixtures and the numbers are committed.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "CNNTests", "Fixtures", "import")
os.makedirs(OUT, exist_ok=True)


class Block(nn.Module):
    """A residual block with BatchNorm; a 1×1 strided shortcut when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = (
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
            if stride != 1 or cin != cout else nn.Identity())
        self.out = nn.ReLU()

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.out(y + self.shortcut(x))


class ResidualRGB(nn.Module):
    """32×32 RGB → 10: stem, max pool (ceil mode), two residual blocks, a depthwise dilated
    convolution with SiLU, GELU and Hardswish, global average pooling, dropout, linear."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, 1, 1)
        self.stem_bn = nn.BatchNorm2d(8)
        self.stem_act = nn.ReLU6()
        self.pool = nn.MaxPool2d(3, 2, 1, ceil_mode=True)
        self.block1 = Block(8, 8, 1)
        self.block2 = Block(8, 16, 2)
        self.depthwise = nn.Conv2d(16, 16, 3, 1, 2, dilation=2, groups=16)
        self.silu = nn.SiLU()
        self.pointwise = nn.Conv2d(16, 24, 1)
        self.gelu = nn.GELU()
        self.hswish = nn.Hardswish()
        self.leaky = nn.LeakyReLU(0.1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = self.pool(self.stem_act(self.stem_bn(self.stem(x))))
        x = self.block2(self.block1(x))
        x = self.leaky(self.hswish(self.gelu(self.pointwise(self.silu(self.depthwise(x))))))
        return self.fc(self.drop(torch.flatten(self.gap(x), 1)))


class FlatMNIST(nn.Module):
    """28×28 grey → 10 with a channels-first flatten before the dense layers (the case
    whose kernel rows vizsite permutes), average pooling that counts padding, a
    concatenation of two branches, and a softmax at the end."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 4, 3)
        self.b = nn.Conv2d(1, 4, 5, padding=1)
        self.relu = nn.ReLU()
        self.pool = nn.AvgPool2d(3, 2, 1, count_include_pad=True)
        self.fc1 = nn.Linear(8 * 13 * 13, 32)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.relu(torch.cat([self.a(x), self.b(x)], 1))
        x = self.pool(x)
        x = x.view(x.size(0), -1)
        return torch.softmax(self.fc2(self.act(self.fc1(x))), 1)


class ChannelsLast(nn.Module):
    """12×10 RGB given NHWC, as tf2onnx's exports and models fed from NumPy images take it:
    permuted to NCHW first, and back to NHWC before the flatten (so the dense layer reads
    (h, w, c) order); two Transpose nodes in the ONNX graph."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(12 * 10 * 4, 5)

    def forward(self, x):
        x = self.relu(self.conv(x.permute(0, 3, 1, 2)))
        return self.fc(x.permute(0, 2, 3, 1).flatten(1))


def randomize_batchnorm(model, generator):
    """Moving statistics and scales away from 0 and 1, as after training."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=generator) * 0.3)
            m.running_var.copy_(torch.rand(n, generator=generator) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=generator) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=generator) * 0.2)


def logits_of(model, x):
    """The model's pre-softmax scores (FlatMNIST ends in a softmax: its input)."""
    if isinstance(model, FlatMNIST):
        captured = {}
        handle = model.fc2.register_forward_hook(lambda m, i, o: captured.update(y=o))
        model(x)
        handle.remove()
        return captured["y"]
    return model(x)


def gradcam_and_gradient(model, module, x, channels_last=False):
    """Grad-CAM at `module`'s output and the input gradient, for the top logit."""
    store = {}

    def keep(module, inputs, output):
        output.retain_grad()
        store["a"] = output

    handle = module.register_forward_hook(keep)
    x = x.clone().requires_grad_(True)
    y = logits_of(model, x)
    handle.remove()
    top = y.argmax(1)
    y[torch.arange(len(top)), top].sum().backward()
    a, g = store["a"], store["a"].grad
    weights = g.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((weights * a).sum(1))
    gradient = x.grad if channels_last else x.grad.permute(0, 2, 3, 1)
    return cam.detach().numpy(), gradient.detach().numpy(), top.tolist()


def node_after(path, op):
    """The name of the Relu that reads the last `op` node's output (GELU's own Add
    aside): '/block2/out/Relu' from
    the TorchScript exporter, 'node_relu_3' from the torch.export-based one."""
    graph = onnx.load(path, load_external_data=False).graph
    for source in reversed([n.output[0] for n in graph.node if n.op_type == op]):
        relus = [n.name for n in graph.node if n.op_type == "Relu" and source in n.input]
        if relus:
            return relus[0]
    raise LookupError(f"no Relu after {op} in {path}")


def write(name, model, shape, cam_module, cam_after, seed, channels_last=False):
    """`shape` is (c, h, w), or (h, w, c) for a model that takes NHWC input."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand((2,) + shape, generator=generator)
    with torch.no_grad():
        logits = logits_of(model, x).numpy()
    cam, gradient, top = gradcam_and_gradient(model, cam_module, x, channels_last)
    record = {
        "producer": f"torch {torch.__version__}, onnx {onnx.__version__}, onnxruntime {ort.__version__}",
        "input_shape": list(shape) if channels_last else [shape[1], shape[2], shape[0]],
        "images": (x if channels_last else x.permute(0, 2, 3, 1)).reshape(2, -1).tolist(),
        "logits": logits.tolist(),
        "top": top,
        "input_gradient": gradient.reshape(2, -1).tolist(),
        "gradcam": {"maps": cam.tolist()},
        "files": {},
    }
    # The TorchScript exporter folds BatchNorm into the convolutions before it unless told
    # not to; "unfolded" keeps the BatchNormalization nodes.
    for exporter in ["torchscript", "unfolded", "dynamo"]:
        path = os.path.join(OUT, f"{name}-{exporter}.onnx")
        for stale in [path, path + ".data"]:
            if os.path.exists(stale):
                os.remove(stale)
        if exporter == "dynamo":
            torch.onnx.export(model, (x[:1],), path, dynamo=True, external_data=True)
        else:
            torch.onnx.export(model, x[:1], path, opset_version=17, dynamo=False,
                              do_constant_folding=exporter == "torchscript",
                              input_names=["image"], output_names=["scores"],
                              dynamic_axes={"image": {0: "batch"}, "scores": {0: "batch"}})
        layer = node_after(path, cam_after)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        outputs = [session.run(None, {session.get_inputs()[0].name: x[i:i + 1].numpy()})[0][0] for i in range(2)]
        if isinstance(model, FlatMNIST):
            outputs = [np.log(o) for o in outputs]  # the softmax's input, up to a constant per image
        record["files"][exporter] = {
            "file": os.path.basename(path),
            "opset": next(o.version for o in onnx.load(path, load_external_data=False).opset_import if o.domain in ("", "ai.onnx")),
            "onnxruntime_outputs": [o.tolist() for o in outputs],
            "gradcam_layer": layer,
        }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(record, f)
    print(name, {k: v["gradcam_layer"] for k, v in record["files"].items()}, file=sys.stderr)


def main():
    """Writes every fixture, or those named on the command line (residual-rgb, flat-mnist,
    channels-last, unsupported)."""
    wanted = set(sys.argv[1:]) or {"residual-rgb", "flat-mnist", "channels-last", "unsupported"}
    torch.manual_seed(0)
    residual = ResidualRGB().eval()
    randomize_batchnorm(residual, torch.Generator().manual_seed(1))
    if "residual-rgb" in wanted:
        write("residual-rgb", residual, (3, 32, 32), residual.block2.out, "Add", seed=2)
    torch.manual_seed(3)
    flat = FlatMNIST().eval()
    if "flat-mnist" in wanted:
        write("flat-mnist", flat, (1, 28, 28), flat.relu, "Concat", seed=4)
    torch.manual_seed(5)
    nhwc = ChannelsLast().eval()
    if "channels-last" in wanted:
        write("channels-last", nhwc, (12, 10, 3), nhwc.relu, "Conv", seed=6, channels_last=True)
    if "unsupported" in wanted:
        # An op vizsite cannot run (Resize), for the error message.
        unsupported = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Upsample(scale_factor=2), nn.AdaptiveAvgPool2d(1),
                                    nn.Flatten(), nn.Linear(2, 10)).eval()
        torch.onnx.export(unsupported, torch.zeros(1, 1, 28, 28), os.path.join(OUT, "unsupported.onnx"),
                          opset_version=17, dynamo=False)


if __name__ == "__main__":
    main()
