"""Lesson 11's export of its residual network: the call the lesson shows gives resnet-mnist.onnx's graph."""
import sys
import onnx
import torch
from torch import nn
from vizsite_snippets import ROOT, note

sys.path.insert(0, str(ROOT / "Benchmarks"))
from make_import_fixtures import Block  # noqa: E402  (the residual block the model was built from)


class ResNetMNIST(nn.Module):                # as Benchmarks/make_content_models.py defines it
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.block1, self.block2, self.block3 = Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2)
        self.pool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(64, 10)

    def forward(self, x):
        x = self.block3(self.block2(self.block1(self.stem(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


model, x = ResNetMNIST(), torch.zeros(1, 1, 28, 28)

# --8<-- [start:box]
model.eval()
torch.onnx.export(model, x, "resnet-mnist.onnx", dynamo=False, opset_version=17, do_constant_folding=False)
# --8<-- [end:box]

# Equal parameters are exported once and aliased by Identity nodes: more of them when untrained.
ours = [n for n in onnx.load("resnet-mnist.onnx").graph.node if n.op_type != "Identity"]
theirs = [n for n in onnx.load(str(ROOT / "Content/models/resnet-mnist.onnx")).graph.node if n.op_type != "Identity"]
assert [(n.name, n.op_type) for n in ours] == [(n.name, n.op_type) for n in theirs]
assert "/block1/out/Relu" in [n.name for n in ours] and "BatchNormalization" in [n.op_type for n in ours]
note("Its graph is resnet-mnist.onnx's, node for node: the same names, such as /block1/out/Relu, and the "
     "BatchNormalization nodes kept.")
