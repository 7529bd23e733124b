"""Trains the two models lesson 11 brings from elsewhere, and records what their own
frameworks compute, so the lesson and its test can show vizsite's numbers agree.

- Content/models/keras-mnist.keras: the seed article's Keras MNIST CNN (conv 32, conv 64,
  max pool, dropout, dense 128, dropout, softmax), trained by Keras 3 for one epoch.
- Content/models/resnet-mnist.onnx: a small residual CNN with BatchNorm, trained by PyTorch
  for one epoch and exported by the TorchScript exporter without constant folding, so its
  BatchNormalization nodes stay; with a sidecar naming the CAM layer.
- Tests/CNNTests/Fixtures/import/content-models.json: each framework's probabilities and
  Grad-CAM (at conv2d_2 and at the last residual block's ReLU) for test digits 0–3.

    TF_CPP_MIN_LOG_LEVEL=3 Benchmarks/.venv/bin/python Benchmarks/make_content_models.py
"""
import gzip
import json
import os
import struct
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MNIST = os.path.join(ROOT, "Content", "data", "mnist")


def idx(name):
    path = os.path.join(MNIST, name)
    opener = gzip.open if path.endswith(".gz") else open
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path, opener = path + ".gz", gzip.open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist():
    names = sorted(os.listdir(MNIST))
    pick = lambda key: next(n.replace(".gz", "") for n in names if key in n)
    x_train = idx(pick("train-images")).astype("float32")[..., None] / 255
    y_train = idx(pick("train-labels")).astype("int64")
    x_test = idx(pick("t10k-images")).astype("float32")[..., None] / 255
    y_test = idx(pick("t10k-labels")).astype("int64")
    return x_train, y_train, x_test, y_test


def keras_model(x_train, y_train, x_test, y_test):
    import keras
    import tensorflow as tf
    from keras import layers
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu", name="conv2d_1"),
        layers.Conv2D(64, 3, activation="relu", name="conv2d_2"),
        layers.MaxPooling2D(2, name="max_pooling2d_1"),
        layers.Dropout(0.25, name="dropout_1"),
        layers.Flatten(name="flatten_1"),
        layers.Dense(128, activation="relu", name="dense_1"),
        layers.Dropout(0.5, name="dropout_2"),
        layers.Dense(10, activation="softmax", name="preds"),
    ], name="keras-mnist")
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=128, epochs=1, verbose=2)
    accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
    # Saved without the optimizer's state (which would triple the file): the same layers
    # and weights in an uncompiled copy.
    bare = keras.Sequential.from_config(model.get_config())
    bare.set_weights(model.get_weights())
    bare.save(os.path.join(ROOT, "Content", "models", "keras-mnist.keras"))
    x = x_test[:4]
    inner = keras.Model(model.inputs, [model.get_layer("conv2d_2").output, model.layers[-1].input])
    w, b = model.layers[-1].get_weights()
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        a, features = inner(xt, training=False)
        logits = tf.matmul(features, w) + b
        top = tf.argmax(logits, 1)
        chosen = tf.reduce_sum(tf.gather(logits, top, axis=1, batch_dims=1))
    g = tape.gradient(chosen, a).numpy()
    cam = np.maximum((a.numpy() * g.mean(axis=(1, 2), keepdims=True)).sum(-1), 0)
    return {
        "file": "Content/models/keras-mnist.keras", "framework": f"keras {keras.__version__}",
        "test_accuracy": float(accuracy),
        "probabilities": model(xt, training=False).numpy().tolist(),
        "gradcam_layer": "conv2d_2", "gradcam": cam.tolist(),
    }


def torch_model(x_train, y_train, x_test, y_test):
    import onnx
    import torch
    import torch.nn as nn
    torch.manual_seed(1)

    # The residual block of the import fixtures (Benchmarks/make_import_fixtures.py).
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from make_import_fixtures import Block

    class ResNetMNIST(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
            self.block1 = Block(16, 16, 1)
            self.block2 = Block(16, 32, 2)
            self.block3 = Block(32, 64, 2)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            x = self.block3(self.block2(self.block1(self.stem(x))))
            return self.fc(torch.flatten(self.pool(x), 1))

    model = ResNetMNIST()
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    xs = torch.from_numpy(x_train).permute(0, 3, 1, 2)
    ys = torch.from_numpy(y_train)
    order = torch.randperm(len(xs))
    model.train()
    for i in range(0, len(xs), 128):
        batch = order[i:i + 128]
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(xs[batch]), ys[batch])
        loss.backward()
        optimizer.step()
    model.eval()
    xt = torch.from_numpy(x_test).permute(0, 3, 1, 2)
    with torch.no_grad():
        accuracy = float((model(xt).argmax(1) == torch.from_numpy(y_test)).float().mean())
    path = os.path.join(ROOT, "Content", "models", "resnet-mnist.onnx")
    torch.onnx.export(model, xt[:1], path, opset_version=17, dynamo=False, do_constant_folding=False,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    graph = onnx.load(path).graph
    layer = next(n.name for n in graph.node if n.op_type == "Relu" and n.name.startswith("/block3/out"))
    with open(path + ".yml", "w") as f:
        f.write(f"# Written by Benchmarks/make_content_models.py: where CAM methods look by default.\n"
                f"cam_layer: {layer}\n")
    store = {}
    hook = model.block3.out.register_forward_hook(lambda m, i, o: (o.retain_grad(), store.update(a=o)) and None)
    x = xt[:4].clone()
    logits = model(x)
    hook.remove()
    top = logits.argmax(1)
    logits[torch.arange(4), top].sum().backward()
    a, g = store["a"], store["a"].grad
    cam = torch.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(1)).detach().numpy()
    return {
        "file": "Content/models/resnet-mnist.onnx", "framework": f"torch {torch.__version__}",
        "test_accuracy": accuracy,
        "probabilities": torch.softmax(logits, 1).detach().numpy().tolist(),
        "gradcam_layer": layer, "gradcam": cam.tolist(),
    }


def main():
    # TensorFlow and PyTorch each bring an LLVM that cannot share one process: each part
    # runs in its own, writing its record, and the parent joins them.
    import subprocess
    import sys
    out = os.path.join(ROOT, "Tests", "CNNTests", "Fixtures", "import", "content-models.json")
    if len(sys.argv) > 1:
        part = sys.argv[1]
        record = (keras_model if part == "keras" else torch_model)(*mnist())
        with open(out + f".{part}", "w") as f:
            json.dump(record, f)
        return
    record = {}
    for part, key in [("keras", "keras"), ("torch", "onnx")]:
        subprocess.run([sys.executable, __file__, part], check=True)
        with open(out + f".{part}") as f:
            record[key] = json.load(f)
        os.remove(out + f".{part}")
    with open(out, "w") as f:
        json.dump(record, f)
    for k, v in record.items():
        print(k, v["file"], "accuracy", v["test_accuracy"], "layer", v["gradcam_layer"])


if __name__ == "__main__":
    main()
