"""Makes the Keras fixtures of vizsite's importers (Tests/CNNTests/Fixtures/import/).

Three small models with seeded random weights, saved by Keras 3 (`.keras`, and legacy `.h5`)
and by tf-keras 2.x (`.h5`): a Sequential MNIST CNN shaped like the seed article's, and a
functional residual RGB CNN with BatchNorm, depthwise convolution, padding, pooling, a
concatenation and several activations; and a squeeze-and-excitation block (a Multiply by a
per-channel hard_sigmoid gate). Beside each, a JSON file with what Keras computes
for two seeded inputs: the logits (the input of the final softmax), the input gradient of
the top logit, and Grad-CAM at one named layer.

    TF_CPP_MIN_LOG_LEVEL=3 Benchmarks/.venv/bin/python Benchmarks/make_keras_fixtures.py

Run it twice is not needed: one process builds with Keras 3, then tf-keras in a child.
"""
import json
import os
import subprocess
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "CNNTests", "Fixtures", "import")
FLAVOUR = sys.argv[1] if len(sys.argv) > 1 else "keras3"
if FLAVOUR == "tf-keras":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras as keras
    import tensorflow as tf
elif FLAVOUR == "unsupported":  # needs no TensorFlow
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
else:
    import keras
    import tensorflow as tf
layers = keras.layers


def sequential():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(4, 3, activation="relu", name="conv2d_1"),
        layers.Conv2D(8, 3, activation="relu", name="conv2d_2"),
        layers.MaxPooling2D(2, name="max_pooling2d_1"),
        layers.Dropout(0.25, name="dropout_1"),
        layers.Flatten(name="flatten_1"),
        layers.Dense(16, activation="relu", name="dense_1"),
        layers.Dropout(0.5, name="dropout_2"),
        layers.Dense(10, activation="softmax", name="preds"),
    ], name="sequential_mnist")


def functional():
    x = inputs = keras.Input((32, 32, 3), name="image")
    x = layers.ZeroPadding2D(1, name="pad")(x)
    x = layers.Conv2D(8, 3, use_bias=False, name="stem")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    stem = layers.ReLU(max_value=6.0, name="stem_relu6")(x)
    y = layers.Conv2D(8, 3, padding="same", name="block_conv1")(stem)
    y = layers.BatchNormalization(name="block_bn1")(y)
    y = layers.Activation("swish", name="block_swish")(y)
    y = layers.Conv2D(8, 3, padding="same", name="block_conv2")(y)
    y = layers.BatchNormalization(name="block_bn2")(y)
    x = layers.Add(name="block_add")([stem, y])
    x = layers.Activation("relu", name="block_out")(x)
    a = layers.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2, name="depthwise")(x)
    b = layers.AveragePooling2D(2, name="avg")(x)
    x = layers.Concatenate(name="cat")([a, b])
    x = layers.LeakyReLU(name="leaky")(x)
    x = layers.Conv2D(12, 1, activation="gelu", name="pointwise")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(10, activation="softmax", name="preds")(x)
    return keras.Model(inputs, x, name="residual_keras")


def squeeze_excite():
    """A MobileNetV3-style block: a gate from the channels' global averages (hard_sigmoid,
    which Keras 2 and 3 define differently) multiplies the feature map."""
    x = inputs = keras.Input((20, 20, 3), name="image")
    x = layers.Conv2D(8, 3, padding="same", name="conv")(x)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Activation("relu", name="conv_relu")(x)
    s = layers.GlobalAveragePooling2D(name="squeeze")(x)
    s = layers.Reshape((1, 1, 8), name="squeeze_map")(s)
    s = layers.Conv2D(4, 1, activation="relu", name="reduce")(s)
    s = layers.Conv2D(8, 1, activation="hard_sigmoid", name="expand")(s)
    x = layers.Multiply(name="gated")([s, x])
    x = layers.Conv2D(6, 3, strides=2, activation="relu", name="head")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(5, activation="softmax", name="preds")(x)
    return keras.Model(inputs, x, name="squeeze_excite")


def randomize(model, rng):
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            n = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, n), rng.normal(0, 0.2, n),
                               rng.normal(0, 0.3, n), rng.uniform(0.5, 1.5, n)])
        elif layer.weights and isinstance(layer, (layers.Conv2D, layers.Dense)) and getattr(layer, "use_bias", False):
            w = layer.get_weights()
            layer.set_weights([w[0], rng.normal(0, 0.1, w[1].shape)])


def logits_model(model):
    """The same model whose last layer outputs its pre-softmax scores."""
    last = model.layers[-1]
    inner = keras.Model(model.inputs, last.input)
    w, b = last.get_weights()
    return lambda x: tf.matmul(inner(x), w) + b


def record(model, cam_layer, shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (2,) + shape).astype("float32")
    f = logits_model(model)
    cam_model = keras.Model(model.inputs, model.get_layer(cam_layer).output)
    inner = keras.Model(model.inputs, [model.get_layer(cam_layer).output, model.layers[-1].input])
    w, b = model.layers[-1].get_weights()
    xt = tf.constant(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xt)
        a, features = inner(xt, training=False)
        logits = tf.matmul(features, w) + b
        top = tf.argmax(logits, 1)
        chosen = tf.reduce_sum(tf.gather(logits, top, axis=1, batch_dims=1))
    g = tape.gradient(chosen, a).numpy()
    gx = tape.gradient(chosen, xt).numpy()
    a = a.numpy()
    cam = np.maximum((a * g.mean(axis=(1, 2), keepdims=True)).sum(-1), 0)
    return {
        "producer": f"{FLAVOUR} {keras.__version__}, tensorflow {tf.__version__}",
        "input_shape": list(shape),
        "images": x.reshape(2, -1).tolist(),
        "logits": logits.numpy().tolist(),
        "probabilities": model(xt, training=False).numpy().tolist(),
        "top": [int(t) for t in top.numpy()],
        "input_gradient": gx.reshape(2, -1).tolist(),
        "gradcam": {"layer": cam_layer, "maps": cam.tolist()},
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(8)
    for name, build, cam, shape in [
        ("sequential-mnist", sequential, "conv2d_2", (28, 28, 1)),
        ("residual-keras", functional, "block_out", (32, 32, 3)),
        ("squeeze-excite", squeeze_excite, "gated", (20, 20, 3)),
    ]:
        model = build()
        randomize(model, rng)
        if FLAVOUR == "keras3":
            model.save(os.path.join(OUT, f"{name}.keras"))
            model.save(os.path.join(OUT, f"{name}-keras3.h5"))
            suffix = "keras3"
        else:
            model.save(os.path.join(OUT, f"{name}-tf-keras.h5"))
            suffix = "tf-keras"
        with open(os.path.join(OUT, f"{name}-{suffix}.json"), "w") as f:
            json.dump(record(model, cam, shape, seed=9), f)
        print(FLAVOUR, name, file=sys.stderr)
    if FLAVOUR == "keras3":
        save_unsupported()
        subprocess.run([sys.executable, __file__, "tf-keras"], check=True)


def save_unsupported():
    """A layer class vizsite cannot run (Conv2DTranspose), for the error message:
    `make_keras_fixtures.py unsupported` writes this file alone."""
    keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(2, 3, name="conv"), layers.Conv2DTranspose(2, 2, name="up"),
        layers.GlobalAveragePooling2D(name="gap"), layers.Dense(10, name="preds"),
    ]).save(os.path.join(OUT, "unsupported.keras"))


if __name__ == "__main__":
    if sys.argv[1:] == ["unsupported"]:
        save_unsupported()
    else:
        main()
