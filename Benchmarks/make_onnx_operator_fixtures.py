"""Makes Tests/CNNTests/Fixtures/onnx-ops/: small ONNX graphs with random weights for the
operators ONNX's zoo models exercise only with constant weights (where every channel is
alike, so a channel permutation or a window across channels goes unseen), and the output
ONNX's own reference implementation (onnx.reference.ReferenceEvaluator) computes for them,
with its LRN replaced (see `LRN` below).

- shuffle-lrn.onnx: LRN with an odd and an even window, ShuffleNet's channel shuffle
  (Reshape → Transpose → Reshape) and a three-axis one, a grouped convolution, and a
  softmax over [N, C, 1, 1] class scores as SqueezeNet ends.

    Benchmarks/.venv/bin/pip install onnx numpy
    Benchmarks/.venv/bin/python Benchmarks/make_onnx_operator_fixtures.py
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from onnx.reference.op_run import OpRun

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "CNNTests", "Fixtures", "onnx-ops")


class LRN(OpRun):
    """ONNX's LRN as its specification defines it. The reference implementation in onnx
    1.23 loops `for c in range(x.shape[0])` (the batch, not the channels), so for a batch of
    one it normalizes channel 0 only and divides the others by bias^beta (onnx/onnx#7805,
    fixed upstream by #8331 after this release); it is replaced here.
    """

    def _run(self, x, alpha=None, beta=None, bias=None, size=None):
        square_sum = np.zeros_like(x)
        before, after = (size - 1) // 2, -(-(size - 1) // 2)
        for c in range(x.shape[1]):
            begin, end = max(0, c - before), min(x.shape[1], c + after + 1)
            square_sum[:, c] = np.sum(x[:, begin:end].astype(np.float64) ** 2, axis=1)
        return ((x / (bias + alpha / size * square_sum) ** beta).astype(x.dtype),)


def shuffle_lrn():
    rng = np.random.default_rng(27)

    def weight(name, shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)

    def ints(name, values):
        return numpy_helper.from_array(np.array(values, np.int64), name)

    inits = [
        weight("w1", (8, 3, 3, 3)), weight("b1", (8,)), weight("w2", (8, 4, 3, 3)), weight("w3", (5, 8, 1, 1)),
        ints("split2", [1, 2, 4, 8, 8]), ints("split3", [1, 2, 2, 2, 8, 8]), ints("join", [1, 8, 8, 8]),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="/stem/Conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="/stem/Relu"),
        helper.make_node("LRN", ["r1"], ["n1"], name="/norm1/LRN", size=3, alpha=0.5, beta=0.75, bias=1.0),
        helper.make_node("Reshape", ["n1", "split2"], ["s1"], name="/shuffle/Reshape"),
        helper.make_node("Transpose", ["s1"], ["t1"], name="/shuffle/Transpose", perm=[0, 2, 1, 3, 4]),
        helper.make_node("Reshape", ["t1", "join"], ["j1"], name="/shuffle/Reshape_1"),
        helper.make_node("Conv", ["j1", "w2"], ["c2"], name="/grouped/Conv", pads=[1, 1, 1, 1], group=2),
        helper.make_node("Reshape", ["c2", "split3"], ["s2"], name="/shuffle3/Reshape"),
        helper.make_node("Transpose", ["s2"], ["t2"], name="/shuffle3/Transpose", perm=[0, 3, 1, 2, 4, 5]),
        helper.make_node("Reshape", ["t2", "join"], ["j2"], name="/shuffle3/Reshape_1"),
        helper.make_node("LRN", ["j2"], ["n2"], name="/norm2/LRN", size=4, alpha=0.3, beta=0.5, bias=2.0),
        helper.make_node("GlobalAveragePool", ["n2"], ["p"], name="/pool"),
        helper.make_node("Conv", ["p", "w3"], ["scores"], name="/classifier/Conv"),
        helper.make_node("Softmax", ["scores"], ["y"], name="/softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "shuffle-lrn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5, 1, 1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, "shuffle-lrn.onnx"))
    x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    reference = ReferenceEvaluator(model, new_ops=[LRN])
    results = reference.run(None, {"x": x}, intermediate=True)
    y, scores = results["y"], results["scores"]
    with open(os.path.join(OUT, "shuffle-lrn.json"), "w") as f:
        json.dump({
            "framework": f"onnx {onnx.__version__} ReferenceEvaluator",
            "input_nchw": x.ravel().tolist(), "input_shape": list(x.shape),
            "logits": scores.ravel().tolist(), "probabilities": y.ravel().tolist(),
        }, f)
    print("shuffle-lrn:", y.ravel())


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    shuffle_lrn()
