"""Makes applications-layers.keras (Tests/CNNTests/Fixtures/import/): Keras 3 layers and ops
that keras.applications models build in — Rescaling (a scale and an offset), Normalization
(adapted statistics from the weights file, and given ones in the config), ops of a tensor
and a number (MobileNetV3's hard-sigmoid `relu6(x + 3) * (1 / 6)`, `2 - x`, `x / 4`), and
SeparableConv2D (Xception's, NASNet's) with a depth multiplier, UpSampling2D (bilinear, and
nearest by unequal factors), and ConvNeXt's LayerScale,
LayerNormalization and Dense at every position of a map, inside a Sequential nested in the
functional model (as ConvNeXt's stem and downsampling blocks are). Beside it,
applications-layers-keras3.json with what Keras computes for two seeded inputs (the
schema of make_keras_fixtures.py: logits, probabilities, the input gradient of the top logit,
Grad-CAM at one layer). Keras 3 on its JAX backend: no TensorFlow needed.

    Benchmarks/.venv/bin/pip install keras jax
    Benchmarks/.venv/bin/python Benchmarks/make_keras_preprocessing_fixture.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402
from keras.src.applications.convnext import LayerScale  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "CNNTests", "Fixtures", "import")
SHAPE = (12, 12, 3)
CAM = "hard_sigmoid_out"


def build(rng):
    x = inputs = keras.Input(SHAPE, name="image")
    x = layers.Rescaling([1 / 255, 1 / 200, 1 / 300], offset=[0.1, -0.2, 0.0], name="rescale")(x)
    adapted = layers.Normalization(axis=-1, name="adapted")
    adapted.adapt(rng.uniform(0, 1.5, (64,) + SHAPE).astype("float32"))
    x = adapted(x)
    x = layers.Normalization(axis=-1, mean=[0.1, 0.0, -0.1], variance=[1.5, 0.5, 2.0], name="given")(x)
    x = layers.Conv2D(6, 3, padding="same", name="conv")(x)
    x = layers.ReLU(6.0, name="relu6")(x + 3.0) * (1.0 / 6.0)  # hard-sigmoid as MobileNetV3 writes it
    x = layers.Activation("linear", name=CAM)(x)
    x = 2.0 - x
    x = x / 4.0
    x = layers.SeparableConv2D(7, 3, padding="same", depth_multiplier=2, activation="relu", name="sepconv")(x)
    x = LayerScale(0.5, 7, name="layer_scale")(x)
    x = keras.Sequential(
        [layers.LayerNormalization(epsilon=1e-6, name="block_norm"), layers.Dense(9, name="block_pointwise")],
        name="block")(x)
    x = layers.UpSampling2D(2, interpolation="bilinear", name="up_bilinear")(x)
    x = layers.UpSampling2D((1, 2), interpolation="nearest", name="up_nearest")(x)
    x = layers.Conv2D(8, 3, strides=2, activation="relu", name="head")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(5, activation="softmax", name="preds")(x)
    return keras.Model(inputs, x, name="applications_layers")


def record(model, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 255, (2,) + SHAPE).astype("float32")
    last = model.layers[-1]
    w, b = [jnp.asarray(v) for v in last.get_weights()]
    inner = keras.Model(model.inputs, [model.get_layer(CAM).output, last.input])

    def logits_of(images):
        a, features = inner(images, training=False)
        return a, features @ w + b

    a, logits = logits_of(x)
    top = np.asarray(jnp.argmax(logits, axis=1))

    def chosen(images):
        return jnp.sum(jnp.take_along_axis(logits_of(images)[1], jnp.asarray(top)[:, None], axis=1))

    gx = jax.grad(chosen)(jnp.asarray(x))

    # Grad-CAM: the gradient of the chosen logits at the CAM layer's output.
    head = keras.Model(model.get_layer(CAM).output, last.input)

    def from_cam(act):
        scores = head(act, training=False) @ w + b
        return jnp.sum(jnp.take_along_axis(scores, jnp.asarray(top)[:, None], axis=1))

    g = np.asarray(jax.grad(from_cam)(a))
    a = np.asarray(a)
    cam = np.maximum((a * g.mean(axis=(1, 2), keepdims=True)).sum(-1), 0)
    return {
        "producer": f"keras {keras.__version__}, jax {jax.__version__}",
        "input_shape": list(SHAPE),
        "images": x.reshape(2, -1).tolist(),
        "logits": np.asarray(logits).tolist(),
        "probabilities": np.asarray(model(x, training=False)).tolist(),
        "top": [int(t) for t in top],
        "input_gradient": np.asarray(gx).reshape(2, -1).tolist(),
        "gradcam": {"layer": CAM, "maps": cam.tolist()},
    }


def main():
    keras.utils.set_random_seed(11)
    rng = np.random.default_rng(12)
    model = build(rng)
    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.Dense, layers.SeparableConv2D)):
            *kernels, bias = layer.get_weights()
            layer.set_weights(kernels + [rng.normal(0, 0.1, bias.shape)])
    block = model.get_layer("block")
    for layer in block.layers:
        layer.set_weights([rng.normal(1 if i == 0 and isinstance(layer, layers.LayerNormalization) else 0, 0.3,
                                      w.shape) for i, w in enumerate(layer.get_weights())])
    scale = model.get_layer("layer_scale")
    scale.set_weights([rng.uniform(0.5, 1.5, scale.get_weights()[0].shape)])
    model.save(os.path.join(OUT, "applications-layers.keras"))
    with open(os.path.join(OUT, "applications-layers-keras3.json"), "w") as f:
        json.dump(record(model, seed=13), f)


if __name__ == "__main__":
    main()
