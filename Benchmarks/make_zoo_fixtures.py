"""Makes Tests/CNNTests/Fixtures/zoo/: one model of every classification CNN architecture in
torchvision 0.29 and Keras 3.15's keras.applications, and what the framework computes for
one seeded image, so that `make test` checks vizsite against them with no Python.

The weights are not committed. Every weight tensor is a counter-based formula,

    u(seed, k) = (mix32(seed · 0x9E3779B9 + k · 0x85EBCA6B + 0x632BE5AB) >> 8) / 2²³ − 1
    w[k]       = float32(base + spread · u(seed, k))        (the sum in float64)

with mix32 the 32-bit murmur3 finalizer, so the Swift test rebuilds the same bytes from a few
numbers per tensor (`recipes`: seed, base, spread, count). Convolution and dense kernels get
spread √(3 / fan-in); norm scales 1 ± 0.3, biases and means ± 0.1–0.2, running variances
1 ± 0.5, so batch statistics are not the identity and every layer matters.

- torchvision (`NAME-torch.onnx` + `NAME-torch.json`): exported by PyTorch's default
  (torch.export) exporter, opset 18, BatchNormalization kept (folded weights are no
  formula); every parameter and buffer lives in external data
  (`recipes` in the file's order; `transposed` when the exporter stored a Linear's weight
  transposed), the exporter's own constants stay inline. The JSON holds
  the image's recipe (HWC in [0, 1), by the same formula), PyTorch's logits and
  probabilities, and Grad-CAM of the top
  class (ReLU(Σ_k mean(∂y/∂A_k)·A_k), at the layer's resolution, unscaled) at the output of
  the last module with a spatial grid, named by its ONNX tensor.
- keras.applications (`NAME-keras.json`): the model's config.json, its layers' weights as
  recipes in Keras's own order, and what Keras 3 (JAX backend) computes: logits (the
  classifier's activation removed), probabilities, and Grad-CAM at the input of the
  global pooling (the Flatten for VGG).

Inputs are small (96 pixels for most, so that the last grid is 3 × 3) so that `make test` stays fast; the architectures are whole.

    Benchmarks/.venv/bin/pip install torch torchvision onnxscript keras jax
    Benchmarks/.venv/bin/python Benchmarks/make_zoo_fixtures.py [name ...]

`--all DIR` makes every variant of every family (ResNet-18 to -152, EfficientNet-B0 to -B7,
VGG-11 to -19, …) at the same sizes into DIR, skipping those already there, for the Swift
test to check by hand (too heavy for make test: billions of weights):

    Benchmarks/.venv/bin/python Benchmarks/make_zoo_fixtures.py --all /tmp/zoo-all
    VIZSITE_ZOO_DIR=/tmp/zoo-all swift test -c release --filter ZooCoverageTests/everyVariant
"""
import ast
import json
import math
import os
import sys

import numpy as np

os.environ["KERAS_BACKEND"] = "jax"  # before Keras is imported: no TensorFlow here
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "CNNTests", "Fixtures", "zoo")
CLASSES = 10


def mix32(h):
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(16)
    return h


def formula(seed, base, spread, count):
    k = np.arange(count, dtype=np.uint64)
    h = (np.uint64(seed) * np.uint64(0x9E3779B9) + k * np.uint64(0x85EBCA6B) + np.uint64(0x632BE5AB))
    h = mix32(h & np.uint64(0xFFFFFFFF))
    u = (h >> np.uint64(8)).astype(np.float64) / float(1 << 23) - 1.0
    return (base + spread * u).astype(np.float32)


IMAGE = {"seed": 7, "base": 0.5, "spread": 0.5}


def image(size):
    """The input, HWC in [0, 1), by the weights' formula."""
    return formula(IMAGE["seed"], IMAGE["base"], IMAGE["spread"], size * size * 3).reshape(size, size, 3)


# ---------------------------------------------------------------- torchvision

TORCH = {
    # name: (builder, keyword arguments, input size, module whose output Grad-CAM reads)
    # At 224 pixels their adaptive pooling is the identity; at smaller sizes the exporter
    # writes it as GatherND, which no real input meets.
    "alexnet": ("alexnet", {}, 224, "features.11"),
    "convnext_tiny": ("convnext_tiny", {}, 96, "features"),
    "densenet121": ("densenet121", {}, 96, "features"),
    "efficientnet_b0": ("efficientnet_b0", {}, 96, "features"),
    "efficientnet_v2_s": ("efficientnet_v2_s", {}, 96, "features"),
    "googlenet": ("googlenet", {"aux_logits": False, "init_weights": False}, 96, "inception5b"),
    "inception_v3": ("inception_v3", {"aux_logits": False, "init_weights": False}, 139, "Mixed_7c"),
    "mnasnet0_5": ("mnasnet0_5", {}, 96, "layers"),
    "mobilenet_v2": ("mobilenet_v2", {}, 96, "features"),
    "mobilenet_v3_small": ("mobilenet_v3_small", {}, 96, "features"),
    "mobilenet_v3_large": ("mobilenet_v3_large", {}, 96, "features"),
    "regnet_x_400mf": ("regnet_x_400mf", {}, 96, "trunk_output"),
    "regnet_y_400mf": ("regnet_y_400mf", {}, 96, "trunk_output"),
    "resnet18": ("resnet18", {}, 96, "layer4"),
    "resnet50": ("resnet50", {}, 96, "layer4"),
    "resnext50_32x4d": ("resnext50_32x4d", {}, 96, "layer4"),
    "shufflenet_v2_x0_5": ("shufflenet_v2_x0_5", {}, 96, "conv5"),
    "squeezenet1_0": ("squeezenet1_0", {}, 96, "features"),
    "squeezenet1_1": ("squeezenet1_1", {}, 96, "features"),
    "vgg11_bn": ("vgg11_bn", {}, 224, "features.27"),
}


def torch_recipe(key, shape, seed):
    """The base and spread of a state-dict entry."""
    leaf = key.rsplit(".", 1)[-1]
    if leaf == "running_var":
        return seed, 1.0, 0.5
    if leaf == "running_mean":
        return seed, 0.0, 0.2
    if len(shape) >= 2 and leaf != "layer_scale":
        fan_in = math.prod(shape[1:])
        return seed, 0.0, math.sqrt(3.0 / fan_in)
    if leaf == "bias":
        return seed, 0.0, 0.1
    if leaf == "layer_scale":
        return seed, 0.3, 0.2
    return seed, 1.0, 0.3  # a norm's scale


def make_torch(name):
    import onnx
    import torch
    import torchvision

    builder, kwargs, size, cam = TORCH[name]
    model = getattr(torchvision.models, builder)(weights=None, num_classes=CLASSES, **kwargs).eval()
    if cam == "features.last-relu":  # VGG and AlexNet: the last ReLU before the final pooling
        cam = "features." + str(max(i for i, m in enumerate(model.features) if isinstance(m, torch.nn.ReLU)))
    state = model.state_dict()
    recipes = {}
    for seed, (key, value) in enumerate(state.items(), start=1):
        if not value.is_floating_point():
            continue
        seed, base, spread = torch_recipe(key, tuple(value.shape), seed)
        recipes[key] = (seed, base, spread)
        value.copy_(torch.from_numpy(formula(seed, base, spread, value.numel())).reshape(value.shape))

    x = torch.from_numpy(image(size).transpose(2, 0, 1)[None].copy())
    path = os.path.join(OUT, f"{name}-torch.onnx")
    exported = export_keeping_batch_norms(model, x)
    proto = exported.model_proto
    offset, ordered, unused = 0, [], dict(recipes)
    for tensor in proto.graph.initializer:
        if tensor.data_type != onnx.TensorProto.FLOAT:
            continue
        values = onnx.numpy_helper.to_array(tensor).astype(np.float32)
        recipe = from_recipe(tensor.name, values, recipes, state)
        if recipe is None:
            continue
        unused.pop(recipe.pop("key"), None)
        count = values.size
        tensor.ClearField("raw_data")
        tensor.ClearField("float_data")
        tensor.data_location = onnx.TensorProto.EXTERNAL
        for key, value in [("location", f"{name}-torch.onnx.data"), ("offset", str(offset)),
                           ("length", str(4 * count))]:
            entry = tensor.external_data.add()
            entry.key, entry.value = key, value
        ordered.append(recipe)
        offset += 4 * count
    unused = list(unused)
    inline = [(t.name, math.prod(t.dims)) for t in proto.graph.initializer if not t.external_data]
    large = [(n, c) for n, c in inline if c > 4096]
    assert not large, f"{name}: large initializers not from a recipe: {large[:5]}"
    cam_tensor = scope_output(proto, cam)
    for node in proto.graph.node:  # the exporter's stack traces, 3/4 of the file
        node.ClearField("metadata_props")
    with open(path, "wb") as f:
        f.write(proto.SerializeToString())

    # Grad-CAM at the module's output, and the ONNX tensor that holds it: the output of the
    # last node the exporter placed in that module's scope.
    module = model.get_submodule(cam)
    saved = {}

    def keep(module, inputs, output):  # a copy flows on: DenseNet's ReLU after it is in place
        saved["a"] = output
        return output.clone()

    hook = module.register_forward_hook(keep)
    logits = model(x)
    hook.remove()
    top = int(logits.argmax())
    (grad,) = torch.autograd.grad(logits[0, top], saved["a"])
    a, g = saved["a"][0].detach().numpy(), grad[0].numpy()
    gradcam = np.maximum((a * g.mean(axis=(1, 2))[:, None, None]).sum(0), 0)
    tensor = cam_tensor
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in proto.graph.value_info}
    assert shapes.get(tensor, [1] + list(a.shape)) == [1] + list(a.shape), (name, tensor, shapes.get(tensor))
    probabilities = torch.softmax(logits, 1)[0].detach().numpy()
    report(name, "torch", len(ordered), offset // 4, size, logits.detach().numpy(), probabilities, gradcam, unused)
    return {
        "producer": f"torch {torch.__version__}, torchvision {torchvision.__version__}",
        "model": f"torchvision.models.{builder}(num_classes={CLASSES}" +
                 "".join(f", {k}={v}" for k, v in kwargs.items()) + ")",
        "input_shape": [size, size, 3],
        "image": IMAGE,
        "recipes": ordered,
        "logits": logits[0].detach().numpy().tolist(),
        "probabilities": probabilities.tolist(),
        "top": top,
        "gradcam": {"module": cam, "layer": tensor, "map": gradcam.tolist()},
        "parameters": torch_parameters(model),
    }


def torch_parameters(model):
    """What PyTorch counts: every parameter, each trainable (buffers, such as BatchNorm's
    running statistics, are not parameters)."""
    count = sum(p.numel() for p in model.parameters())
    return {"total": count, "trainable": count}


def keras_parameters(model):
    """What Keras's summary counts: every weight, trainable or not."""
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    return {"total": int(model.count_params()), "trainable": int(trainable)}


def counts_only(names):
    """Adds the framework's parameter counts to fixtures made before they were recorded,
    without exporting again."""
    import torchvision
    import keras
    for name in names or list(TORCH) + list(KERAS):
        if name in TORCH:
            builder, kwargs, _, _ = TORCH[name]
            counts = torch_parameters(getattr(torchvision.models, builder)(weights=None, num_classes=CLASSES, **kwargs))
            path = os.path.join(OUT, f"{name}-torch.json")
        else:
            application, kwargs, size = KERAS[name]
            model = getattr(keras.applications, application)(
                weights=None, input_shape=(size, size, 3), classes=CLASSES, classifier_activation=None, **kwargs)
            counts = keras_parameters(model)
            path = os.path.join(OUT, f"{name}-keras.json")
        with open(path) as f:
            fixture = json.load(f)
        fixture["parameters"] = counts
        with open(path, "w") as f:
            json.dump(fixture, f)
        print(name, counts)


def from_recipe(name, values, recipes, state):
    """The recipe that makes an initializer: its parameter's, or, for a matrix the exporter
    transposed (a Linear's weight before MatMul), its parameter's with `transposed` set."""
    if name in recipes:
        seed, base, spread = recipes[name]
        assert np.array_equal(values.reshape(-1), formula(seed, base, spread, values.size)), name
        return {"key": name, "seed": seed, "base": base, "spread": spread, "count": values.size}
    if values.ndim != 2 or values.size <= 4096:
        return None
    for key, (seed, base, spread) in recipes.items():
        if tuple(state[key].shape) == values.shape[::-1]:
            source = formula(seed, base, spread, values.size).reshape(values.shape[::-1])
            if np.array_equal(source.T, values):
                return {"key": key, "seed": seed, "base": base, "spread": spread, "count": values.size,
                        "transposed": list(source.shape)}
    return None


def export_keeping_batch_norms(model, x):
    """torch.onnx.export's default export, but without folding BatchNormalization into the
    convolution before it: folded weights are no formula. The graph is otherwise what users
    get (the folded form is what make test's other ONNX fixtures and the review check)."""
    import torch
    from onnxscript import rewriter
    from onnxscript.rewriter.rules.common import _fuse_batchnorm

    default = rewriter._DEFAULT_REWRITE_RULES
    rewriter._DEFAULT_REWRITE_RULES = tuple(r for r in default if r not in _fuse_batchnorm.rules)
    try:
        return torch.onnx.export(model, (x,), dynamo=True, opset_version=18)
    finally:
        rewriter._DEFAULT_REWRITE_RULES = default


def scope_output(proto, module):
    """The output of the last node whose name scope is `module` or inside it."""
    found = None
    for node in proto.graph.node:
        scopes = next((ast.literal_eval(p.value) for p in node.metadata_props
                       if p.key == "pkg.torch.onnx.name_scopes"), [])
        if module in scopes:
            found = node.output[0]
    assert found, f"no node in scope {module}"
    return found


# ------------------------------------------------------------------- Keras

KERAS = {
    # name: (application, keyword arguments, input size)
    "ConvNeXtTiny": ("ConvNeXtTiny", {}, 96),
    "DenseNet121": ("DenseNet121", {}, 96),
    "EfficientNetB0": ("EfficientNetB0", {}, 96),
    "EfficientNetV2B0": ("EfficientNetV2B0", {}, 96),
    "InceptionResNetV2": ("InceptionResNetV2", {}, 139),
    "InceptionV3": ("InceptionV3", {}, 139),
    "MobileNet": ("MobileNet", {}, 96),
    "MobileNetV2": ("MobileNetV2", {}, 96),
    "MobileNetV3Small": ("MobileNetV3Small", {}, 96),
    "MobileNetV3Large": ("MobileNetV3Large", {}, 96),
    "NASNetMobile": ("NASNetMobile", {}, 96),
    "ResNet50": ("ResNet50", {}, 96),
    "ResNet50V2": ("ResNet50V2", {}, 96),
    "VGG16": ("VGG16", {}, 96),
    "Xception": ("Xception", {}, 96),
}


def keras_recipe(path, shape, seed):
    leaf = path.rsplit("/", 1)[-1]
    if leaf in ("moving_variance", "variance"):
        return seed, 1.0, 0.5
    if leaf in ("moving_mean", "mean"):
        return seed, 0.0, 0.2
    if leaf in ("kernel", "depthwise_kernel", "pointwise_kernel") and len(shape) >= 2:
        if leaf == "depthwise_kernel":
            fan_in = math.prod(shape[:-2])
        else:
            fan_in = math.prod(shape[:-1])
        return seed, 0.0, math.sqrt(3.0 / fan_in)
    if leaf in ("bias", "beta"):
        return seed, 0.0, 0.1
    if leaf == "gamma" and "layer_scale" in path:
        return seed, 0.3, 0.2
    return seed, 1.0, 0.3


def make_keras(name):
    import jax
    import jax.numpy as jnp
    import keras

    application, kwargs, size = KERAS[name]
    build = getattr(keras.applications, application)
    model = build(weights=None, input_shape=(size, size, 3), classes=CLASSES, classifier_activation=None, **kwargs)
    seed, layers = 0, []
    for layer in all_layers(model):
        values, entries = [], []
        for variable in layer.weights:
            value = np.asarray(variable.numpy())
            if not np.issubdtype(value.dtype, np.floating) or value.size <= 1:
                values.append(value)
                entries.append({"shape": list(value.shape), "values": value.reshape(-1).astype(float).tolist()})
                continue
            seed += 1
            s, base, spread = keras_recipe(variable.path, value.shape, seed)
            values.append(formula(s, base, spread, value.size).reshape(value.shape))
            entries.append({"shape": list(value.shape), "seed": s, "base": base, "spread": spread})
        if entries:
            layer.set_weights(values)
            layers.append({"layer": layer.name, "weights": entries})

    x = image(size)[None]
    # The input of the last global pooling (MobileNetV3's comes before its 1×1 head
    # convolutions and a Flatten), or VGG's Flatten.
    pooling = next((layer for layer in reversed(model.layers) if type(layer).__name__ == "GlobalAveragePooling2D"),
                   None) or next(layer for layer in model.layers if type(layer).__name__ == "Flatten")
    feature_layer = pooling.input._keras_history.operation
    inner = keras.Model(model.inputs, [pooling.input, model.output])
    a, logits = (np.asarray(t) for t in inner(x, training=False))
    top = int(np.argmax(logits[0]))
    head = keras.Model(pooling.input, model.output)

    def score(act):
        return head(act, training=False)[0, top]

    g = np.asarray(jax.grad(score)(jnp.asarray(a)))
    gradcam = np.maximum((a[0] * g[0].mean(axis=(0, 1))).sum(-1), 0)
    probabilities = np.asarray(jax.nn.softmax(jnp.asarray(logits[0])))
    count = sum(math.prod(e["shape"]) for layer in layers for e in layer["weights"])
    report(name, "keras", len(layers), count, size, logits[0], probabilities, gradcam, [])
    config = json.loads(model.to_json())
    return {
        "producer": f"keras {keras.__version__}, jax {jax.__version__}",
        "model": f"keras.applications.{application}(weights=None, input_shape=({size}, {size}, 3), "
                 f"classes={CLASSES}, classifier_activation=None)",
        "input_shape": [size, size, 3],
        "image": IMAGE,
        "config": config,
        "keras_version": keras.__version__,
        "layers": layers,
        "logits": logits[0].tolist(),
        "probabilities": probabilities.tolist(),
        "top": top,
        "gradcam": {"layer": feature_layer.name, "map": gradcam.tolist()},
        "parameters": keras_parameters(model),
    }


def all_layers(model):
    """Every layer with weights, nested models' layers included, in Keras's order."""
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:
            yield from all_layers(layer)
        else:
            yield layer


def report(name, framework, tensors, weights, size, logits, probabilities, gradcam, unused):
    logits = np.asarray(logits).reshape(-1)
    print(f"{name:20s} {framework:5s} {weights / 1e6:6.1f} M weights in {tensors:3d} tensors, {size}², "
          f"logits {logits.min():+.2f}…{logits.max():+.2f}, top p {probabilities.max():.3f}, "
          f"CAM {gradcam.shape} max {gradcam.max():.3g}" + (f", unused {unused}" if unused else ""))


def every_variant():
    """Every classification CNN torchvision and keras.applications offer, each with the
    input size and CAM module of the architecture make test checks (transformers apart)."""
    import keras
    import torchvision

    families = [("alexnet", "alexnet"), ("convnext", "convnext_tiny"), ("densenet", "densenet121"),
                ("efficientnet_b", "efficientnet_b0"), ("efficientnet_v2", "efficientnet_v2_s"),
                ("googlenet", "googlenet"), ("inception", "inception_v3"), ("mnasnet", "mnasnet0_5"),
                ("mobilenet_v2", "mobilenet_v2"), ("mobilenet_v3_small", "mobilenet_v3_small"),
                ("mobilenet_v3_large", "mobilenet_v3_large"), ("regnet_x", "regnet_x_400mf"),
                ("regnet_y", "regnet_y_400mf"), ("resnext", "resnext50_32x4d"), ("resnet", "resnet50"),
                ("wide_resnet", "resnet50"), ("shufflenet", "shufflenet_v2_x0_5"), ("squeezenet", "squeezenet1_0"),
                ("vgg", "vgg11_bn")]
    torch_models = {}
    for name in torchvision.models.list_models(module=torchvision.models):
        family = next((f for prefix, f in families if name.startswith(prefix)), None)
        if family is None:
            continue  # ViT, Swin, MaxViT: make_vit_fixtures.py
        _, kwargs, size, cam = TORCH[family]
        cam = "features.last-relu" if family in ("vgg11_bn", "alexnet") else cam
        torch_models[name] = (name, kwargs, size, cam)
    keras_models = {name: (name, {}, 139 if name.startswith("Inception") else 96)
                    for name in dir(keras.applications) if name[0].isupper()}
    return torch_models, keras_models


def main():
    global OUT
    wanted = sys.argv[1:]
    if wanted[:1] == ["--counts"]:
        counts_only(wanted[1:])
        return
    if wanted[:1] == ["--all"]:
        # Every variant, into a folder of its own, for ZooCoverageTests to check by hand:
        #   VIZSITE_ZOO_DIR=DIR swift test -c release --filter ZooCoverageTests/everyVariant
        OUT, wanted = wanted[1], wanted[2:]
        torch_models, keras_models = every_variant()
        TORCH.update(torch_models)
        KERAS.update(keras_models)
        done = {f.rsplit("-", 1)[0] for f in os.listdir(OUT)} if os.path.isdir(OUT) else set()
        wanted = wanted or [n for n in list(torch_models) + list(keras_models) if n not in done]
    os.makedirs(OUT, exist_ok=True)
    for name in TORCH:
        if not wanted or name in wanted:
            fixture = make_torch(name)
            with open(os.path.join(OUT, f"{name}-torch.json"), "w") as f:
                json.dump(fixture, f)
    for name in KERAS:
        if not wanted or name in wanted:
            fixture = make_keras(name)
            with open(os.path.join(OUT, f"{name}-keras.json"), "w") as f:
                json.dump(fixture, f)


if __name__ == "__main__":
    main()
