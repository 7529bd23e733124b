"""Lesson 11's export to ONNX with PyTorch 2.15, read back with ONNX Runtime, against vizsite."""
import numpy as np
import onnx
import torch
from vizsite_snippets import agree, figure, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 0, 6)

# --8<-- [start:export]
model.eval()
torch.onnx.export(
    model, torch.zeros(1, 1, 28, 28), "net.onnx",
    dynamo=False,                 # the TorchScript exporter: node names such as /conv1/Conv, opset 17
    opset_version=17,
    do_constant_folding=False,    # keeps BatchNormalization nodes apart from their convolutions
    input_names=["input"], output_names=["logits"],
    dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})   # any batch size
# --8<-- [end:export]

# --8<-- [start:run]
import onnxruntime as ort

session = ort.InferenceSession("net.onnx")
digits = images[:, None]                              # (N, 1, 28, 28), float32 in 0…1
logits = session.run(None, {"input": digits})[0]
# --8<-- [end:run]

graph = onnx.load("net.onnx")
assert graph.opset_import[0].version == 17, graph.opset_import
assert "/conv1/Conv" in [node.name for node in graph.graph.node], [node.name for node in graph.graph.node][:5]
probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
probabilities /= probabilities.sum(axis=1, keepdims=True)
agree("ONNX Runtime's probabilities of test[0:6]", probabilities,
      [image["probabilities"] for image in figure("cam6")["images"]])
