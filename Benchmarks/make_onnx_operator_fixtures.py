"""Makes Tests/CNNTests/Fixtures/onnx-ops/: small ONNX graphs with random weights for the
operators ONNX's zoo models exercise only with constant weights (where every channel is
alike, so a channel permutation or a window across channels goes unseen), and the output
ONNX's own reference implementation (onnx.reference.ReferenceEvaluator) computes for them,
with its LRN replaced (see `LRN` below).

- shuffle-lrn.onnx: LRN with an odd and an even window, ShuffleNet's channel shuffle
  (Reshape → Transpose → Reshape) and a three-axis one, a grouped convolution, and a
  softmax over [N, C, 1, 1] class scores as SqueezeNet ends;
- convnext-block.onnx: a ConvNeXt stem and block as torchvision exports them (LayerNorm
  over channels-last maps, Linear as MatMul + Add at every position, GELU, layer scale, the
  residual) and a LayerNorm over the pooled vector;
- shufflenet-v2-unit.onnx: ShuffleNetV2's unit (Split of the channels, a branch, Concat,
  the shuffle), a Slice of every second channel, Squeeze and Unsqueeze of the pooled map;
- resizes.onnx: Resize, nearest and linear, up and down, by scales and to sizes, in three
  coordinate conventions;
- export-idioms.onnx: a Slice end computed from the shape (TorchScript's `chunk`) and
  torch.export's `as_strided` of a pooled map (Reshape to [-1], Gather by [1, C, 1, 1]).

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


def weight(rng, name, shape, scale=1.0):
    """A float32 initializer of seeded normal values times `scale`."""
    return numpy_helper.from_array((scale * rng.standard_normal(shape)).astype(np.float32), name)


def ints(name, values, dims=None):
    array = np.array(values, np.int64)
    return numpy_helper.from_array(array.reshape(dims) if dims else array, name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, np.float32), name)


def save(name, nodes, inits, rng, opset, input_shape, output_shape, new_ops=(), scores=None):
    """Writes `name`.onnx and `name`.json: a seeded input (drawn from `rng` after the weights)
    and what ONNX's reference evaluator computes for it; `scores`, an intermediate tensor
    recorded as the logits when the output is their softmax."""
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    x = rng.standard_normal(input_shape).astype(np.float32)
    results = ReferenceEvaluator(model, new_ops=list(new_ops)).run(None, {"x": x}, intermediate=True)
    record = {
        "framework": f"onnx {onnx.__version__} ReferenceEvaluator",
        "input_nchw": x.ravel().tolist(), "input_shape": list(x.shape),
    }
    if scores:
        record.update(logits=results[scores].ravel().tolist(), probabilities=results["y"].ravel().tolist())
    else:
        record.update(logits=results["y"].ravel().tolist())
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(record, f)
    print(name + ":", results["y"].ravel())


def shuffle_lrn():
    rng = np.random.default_rng(27)

    inits = [
        weight(rng, "w1", (8, 3, 3, 3)), weight(rng, "b1", (8,)), weight(rng, "w2", (8, 4, 3, 3)),
        weight(rng, "w3", (5, 8, 1, 1)),
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
    save("shuffle-lrn", nodes, inits, rng, 13, [1, 3, 8, 8], [1, 5, 1, 1], new_ops=[LRN], scores="scores")


def convnext_block():
    """A ConvNeXt stem and block as torchvision exports them: LayerNorm over channels-last
    maps between transposes, Linear layers as MatMul + Add on [N, H, W, C], GELU, a layer
    scale [C, 1, 1], the residual addition, and a LayerNorm over the pooled vector."""
    rng = np.random.default_rng(2712)

    inits = [
        weight(rng, "stem_w", (8, 3, 4, 4)), weight(rng, "stem_b", (8,)), weight(rng, "ln0_g", (8,)),
        weight(rng, "ln0_b", (8,)),
        weight(rng, "dw_w", (8, 1, 7, 7)), weight(rng, "dw_b", (8,)), weight(rng, "ln1_g", (8,)),
        weight(rng, "ln1_b", (8,)),
        weight(rng, "fc1_w", (8, 32), 0.5), weight(rng, "fc1_b", (32,)), weight(rng, "fc2_w", (32, 8), 0.3),
        weight(rng, "fc2_b", (8,)),
        weight(rng, "gamma", (8, 1, 1)), weight(rng, "ln2_g", (8,)), weight(rng, "ln2_b", (8,)),
        weight(rng, "head_w", (5, 8)),
        weight(rng, "head_b", (5,)),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "stem_w", "stem_b"], ["s"], name="/stem/Conv", strides=[4, 4]),
        helper.make_node("Transpose", ["s"], ["s_t"], name="/stem/norm/Transpose", perm=[0, 2, 3, 1]),
        helper.make_node("LayerNormalization", ["s_t", "ln0_g", "ln0_b"], ["s_n"], name="/stem/norm/LayerNorm",
                         axis=-1, epsilon=1e-6),
        helper.make_node("Transpose", ["s_n"], ["h0"], name="/stem/norm/Transpose_1", perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["h0", "dw_w", "dw_b"], ["d"], name="/block/dwconv/Conv", pads=[3, 3, 3, 3],
                         group=8),
        helper.make_node("Transpose", ["d"], ["d_t"], name="/block/Transpose", perm=[0, 2, 3, 1]),
        helper.make_node("LayerNormalization", ["d_t", "ln1_g", "ln1_b"], ["n"], name="/block/norm/LayerNorm",
                         axis=-1, epsilon=1e-6),
        helper.make_node("MatMul", ["n", "fc1_w"], ["f1"], name="/block/pwconv1/MatMul"),
        helper.make_node("Add", ["f1", "fc1_b"], ["f1b"], name="/block/pwconv1/Add"),
        helper.make_node("Gelu", ["f1b"], ["g"], name="/block/act/Gelu"),
        helper.make_node("MatMul", ["g", "fc2_w"], ["f2"], name="/block/pwconv2/MatMul"),
        helper.make_node("Add", ["f2", "fc2_b"], ["f2b"], name="/block/pwconv2/Add"),
        helper.make_node("Transpose", ["f2b"], ["back"], name="/block/Transpose_1", perm=[0, 3, 1, 2]),
        helper.make_node("Mul", ["gamma", "back"], ["scaled"], name="/block/Mul"),
        helper.make_node("Add", ["scaled", "h0"], ["h1"], name="/block/Add"),
        helper.make_node("GlobalAveragePool", ["h1"], ["p"], name="/avgpool"),
        helper.make_node("Flatten", ["p"], ["v"], name="/flatten"),
        helper.make_node("LayerNormalization", ["v", "ln2_g", "ln2_b"], ["vn"], name="/head/norm/LayerNorm",
                         axis=-1, epsilon=1e-6),
        helper.make_node("Gemm", ["vn", "head_w", "head_b"], ["y"], name="/head/Gemm", transB=1),
    ]
    save("convnext-block", nodes, inits, rng, 20, [1, 3, 16, 16], [1, 5])


def shufflenet_v2_unit():
    """A ShuffleNetV2 unit as torchvision exports it: Split of the channels in two (`chunk`),
    a branch of 1×1, depthwise and 1×1 convolutions, Concat, the channel shuffle; then a
    Slice of every second channel, Squeeze of the pooled map and Unsqueeze back to 1×1."""
    rng = np.random.default_rng(2713)

    inits = [
        weight(rng, "stem_w", (8, 3, 3, 3), 0.5), weight(rng, "pw1_w", (4, 4, 1, 1), 0.5),
        weight(rng, "dw_w", (4, 1, 3, 3), 0.5),
        weight(rng, "pw2_w", (4, 4, 1, 1), 0.5), weight(rng, "head_w", (5, 4, 1, 1), 0.5),
        weight(rng, "head_b", (5,), 0.5),
        ints("halves", [4, 4]), ints("groups", [1, 2, 4, 8, 8]), ints("joined", [1, 8, 8, 8]),
        ints("start", [1]), ints("end", [8]), ints("axis", [1]), ints("step", [2]), ints("hw", [2, 3]),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "stem_w"], ["s"], name="/conv1/Conv", strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["s"], ["r"], name="/conv1/Relu"),
        helper.make_node("Split", ["r", "halves"], ["x1", "x2"], name="/stage2/Split", axis=1),
        helper.make_node("Conv", ["x2", "pw1_w"], ["b1"], name="/branch2/0/Conv"),
        helper.make_node("Relu", ["b1"], ["b1r"], name="/branch2/2/Relu"),
        helper.make_node("Conv", ["b1r", "dw_w"], ["b2"], name="/branch2/3/Conv", pads=[1, 1, 1, 1], group=4),
        helper.make_node("Conv", ["b2", "pw2_w"], ["b3"], name="/branch2/5/Conv"),
        helper.make_node("Relu", ["b3"], ["b3r"], name="/branch2/7/Relu"),
        helper.make_node("Concat", ["x1", "b3r"], ["cat"], name="/stage2/Concat", axis=1),
        helper.make_node("Reshape", ["cat", "groups"], ["g"], name="/stage2/Reshape"),
        helper.make_node("Transpose", ["g"], ["gt"], name="/stage2/Transpose", perm=[0, 2, 1, 3, 4]),
        helper.make_node("Reshape", ["gt", "joined"], ["shuffled"], name="/stage2/Reshape_1"),
        helper.make_node("Slice", ["shuffled", "start", "end", "axis", "step"], ["odd"], name="/odd/Slice"),
        helper.make_node("GlobalAveragePool", ["odd"], ["p"], name="/pool"),
        helper.make_node("Squeeze", ["p", "hw"], ["v"], name="/Squeeze"),
        helper.make_node("Unsqueeze", ["v", "hw"], ["m"], name="/Unsqueeze"),
        helper.make_node("Conv", ["m", "head_w", "head_b"], ["scores"], name="/fc/Conv"),
        helper.make_node("Flatten", ["scores"], ["y"], name="/Flatten"),
    ]
    save("shufflenet-v2-unit", nodes, inits, rng, 17, [1, 3, 16, 16], [1, 5])


def resizes():
    """Resize in the forms exporters write: PyTorch's nearest Upsample (asymmetric, floor,
    scale 2), bilinear to given sizes (pytorch_half_pixel), a linear half-scale with aligned
    corners, and a nearest half-pixel resize by 1.5 (round_prefer_floor)."""
    rng = np.random.default_rng(2714)

    inits = [
        weight(rng, "c1_w", (4, 3, 3, 3), 0.5), weight(rng, "c2_w", (4, 4, 3, 3), 0.5),
        weight(rng, "head_w", (5, 4), 0.5), weight(rng, "head_b", (5,), 0.5),
        floats("double", [1, 1, 2, 2]), floats("half", [1, 1, 0.5, 0.5]), floats("three_halves", [1, 1, 1.5, 1.5]),
        numpy_helper.from_array(np.array([1, 4, 9, 7], np.int64), "sizes"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "c1_w"], ["c1"], name="/c1/Conv", pads=[1, 1, 1, 1]),
        helper.make_node("Resize", ["c1", "", "double"], ["up"], name="/up/Resize", mode="nearest",
                         coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        helper.make_node("Conv", ["up", "c2_w"], ["c2"], name="/c2/Conv", strides=[2, 2]),
        helper.make_node("Resize", ["c2", "", "", "sizes"], ["sized"], name="/sized/Resize", mode="linear",
                         coordinate_transformation_mode="pytorch_half_pixel"),
        helper.make_node("Resize", ["sized", "", "half"], ["down"], name="/down/Resize", mode="linear",
                         coordinate_transformation_mode="align_corners"),
        helper.make_node("Resize", ["down", "", "three_halves"], ["near"], name="/near/Resize", mode="nearest"),
        helper.make_node("GlobalAveragePool", ["near"], ["p"], name="/pool"),
        helper.make_node("Flatten", ["p"], ["v"], name="/flatten"),
        helper.make_node("Gemm", ["v", "head_w", "head_b"], ["y"], name="/head/Gemm", transB=1),
    ]
    save("resizes", nodes, inits, rng, 13, [1, 3, 6, 6], [1, 5])


def export_idioms():
    """What PyTorch's exporters write around those operators: ShuffleNetV2's `chunk` with its
    Slice end computed from the shape (Shape → Gather → Add → Div → Mul, TorchScript), and
    torch.export's `as_strided` of a pooled map (Reshape to [-1], then Gather by [1, C, 1, 1]
    indices, here a permutation)."""
    rng = np.random.default_rng(2715)

    inits = [
        numpy_helper.from_array((0.5 * rng.standard_normal((6, 3, 3, 3))).astype(np.float32), "w"),
        numpy_helper.from_array((0.5 * rng.standard_normal((5, 3))).astype(np.float32), "head_w"),
        ints("one", 1), ints("two", 2), ints("zero", [0]), ints("axis", [1]), ints("flat", [-1]),
        ints("order", [2, 0, 1], [1, 3, 1, 1]), ints("c_index", 1),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="/conv/Conv", pads=[1, 1, 1, 1]),
        helper.make_node("Shape", ["c"], ["shape"], name="/chunk/Shape"),
        helper.make_node("Gather", ["shape", "c_index"], ["channels"], name="/chunk/Gather", axis=0),
        helper.make_node("Add", ["channels", "one"], ["plus"], name="/chunk/Add"),
        helper.make_node("Div", ["plus", "two"], ["half"], name="/chunk/Div"),
        helper.make_node("Mul", ["half", "one"], ["end"], name="/chunk/Mul"),
        helper.make_node("Unsqueeze", ["end", "zero"], ["ends"], name="/chunk/Unsqueeze"),
        helper.make_node("Slice", ["c", "zero", "ends", "axis"], ["first"], name="/chunk/Slice"),
        helper.make_node("GlobalAveragePool", ["first"], ["p"], name="/pool"),
        helper.make_node("Reshape", ["p", "flat"], ["v"], name="/as_strided/Reshape"),
        helper.make_node("Gather", ["v", "order"], ["g"], name="/as_strided/Gather", axis=0),
        helper.make_node("Flatten", ["g"], ["f"], name="/flatten"),
        helper.make_node("Gemm", ["f", "head_w"], ["y"], name="/head/Gemm", transB=1),
    ]
    save("export-idioms", nodes, inits, rng, 17, [1, 3, 8, 8], [1, 5])


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    shuffle_lrn()
    convnext_block()
    shufflenet_v2_unit()
    resizes()
    export_idioms()
