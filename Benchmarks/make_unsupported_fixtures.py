"""Makes the files of vizsite's "every unsupported op in one error" tests
(Tests/CNNTests/Fixtures/unsupported/), written with onnx.helper and h5py, no framework:

- convnext-like.onnx: a ConvNeXt-shaped graph (Conv, LayerNormalization ×2, Split, Resize,
  a com.microsoft op, an If with a subgraph) with several ops vizsite does not run;
- several-layers.keras: a functional Keras 3 model with three unsupported layer classes
  (Conv2DTranspose twice, LocallyConnected2D, Lambda) besides supported ones.

    Benchmarks/.venv/bin/pip install onnx h5py numpy
    Benchmarks/.venv/bin/python Benchmarks/make_unsupported_fixtures.py
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "CNNTests", "Fixtures", "unsupported")


def onnx_file():
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    scale = numpy_helper.from_array(np.ones(4, np.float32), "scale")
    bias = numpy_helper.from_array(np.zeros(4, np.float32), "bias")
    split = numpy_helper.from_array(np.array([2, 2], np.int64), "split")
    cond = numpy_helper.from_array(np.array(True), "cond")
    branch = helper.make_graph(
        [helper.make_node("Identity", ["b"], ["o"])], "branch", [],
        [helper.make_tensor_value_info("o", TensorProto.FLOAT, None)])
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="/stem/Conv", pads=[1, 1, 1, 1]),
        helper.make_node("LayerNormalization", ["c", "scale", "bias"], ["n1"], name="/stage1/norm/LayerNorm", axis=-1),
        helper.make_node("LayerNormalization", ["n1", "scale", "bias"], ["n2"], name="/stage2/norm/LayerNorm", axis=-1),
        helper.make_node("Split", ["n2", "split"], ["s1", "s2"], name="/split/Split", axis=1),
        helper.make_node("Resize", ["s1", "", "", ""], ["r"], name="/up/Resize"),
        helper.make_node("FusedGelu", ["r"], ["g"], name="/gelu/FusedGelu", domain="com.microsoft"),
        helper.make_node("If", ["cond"], ["b"], name="/branch/If", then_branch=branch, else_branch=branch),
        helper.make_node("GlobalAveragePool", ["g"], ["p"], name="/pool"),
        helper.make_node("Flatten", ["p"], ["y"], name="/flatten"),
    ]
    graph = helper.make_graph(
        nodes, "convnext-like", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])], [w, scale, bias, split, cond])
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid("com.microsoft", 1)])
    onnx.save(model, os.path.join(OUT, "convnext-like.onnx"))


def keras_file():
    def layer(cls, name, config, inbound):
        return {"module": "keras.layers", "class_name": cls, "name": name,
                "config": {"name": name, "trainable": True, "dtype": "float32", **config},
                "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                             "config": {"keras_history": [src, 0, 0]}} for src in inbound],
                                   "kwargs": {}}] if inbound else []}
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "name": "input",
         "config": {"name": "input", "batch_shape": [None, 16, 16, 1], "dtype": "float32"}, "inbound_nodes": []},
        layer("Conv2DTranspose", "up_1", {"filters": 1, "kernel_size": [2, 2], "strides": [2, 2]}, ["input"]),
        layer("Lambda", "custom", {"function": "x"}, ["up_1"]),
        layer("Conv2DTranspose", "up_2", {"filters": 1, "kernel_size": [2, 2], "strides": [2, 2]}, ["custom"]),
        layer("LocallyConnected2D", "local", {"filters": 2, "kernel_size": [3, 3]}, ["up_2"]),
        layer("GlobalAveragePooling2D", "pool", {"data_format": "channels_last"}, ["local"]),
        layer("Dense", "preds", {"units": 2, "activation": "softmax", "use_bias": True}, ["pool"]),
    ]
    config = {"module": "keras", "class_name": "Functional", "config": {
        "name": "several", "layers": layers, "input_layers": [["input", 0, 0]], "output_layers": [["preds", 0, 0]]}}
    weights = io.BytesIO()
    with h5py.File(weights, "w") as f:
        f.create_group("layers")
    with zipfile.ZipFile(os.path.join(OUT, "several-layers.keras"), "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.0"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", weights.getvalue())


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    onnx_file()
    keras_file()
