"""TensorFlow side of `Benchmarks/compare_tensorflow.sh`: the reference model of DESIGN.md in
TensorFlow 2 with tf-keras (Keras 2, as the spec's model was written), measured the way
`vizsite bench` and Benchmarks/torch_side.py measure it: training at batch 128 (Adam 1e-3,
dropout on, batches gathered before timing, medians of 3 repeats), inference at batch 128 and
one image, and one image's saliency (the input gradient of the predicted class's logit).

Prints one JSON object with the keys vizsite uses. Runs in its own virtualenv
(Benchmarks/.venv-tf): TensorFlow's LLVM beside PyTorch's aborts the process. Not part of the
product or the tests.
"""
import gzip
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf-keras: Keras 2 on TensorFlow
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.dont_write_bytecode = True

import numpy as np
import tensorflow as tf
import tf_keras as keras

from side_timing import arguments, inference_rate, median_ms, training_rate

ROOT = Path(__file__).resolve().parent.parent
MNIST = ROOT / "Content" / "data" / "mnist"


def load(images, labels):
    with gzip.open(MNIST / images) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1).astype(np.float32) / 255
    with gzip.open(MNIST / labels) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return x, y


def reference_model():
    """Keras's mnist_cnn, as Content/models/mnist-cnn.yml describes it; returns logits."""
    return keras.Sequential([
        keras.layers.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Dropout(0.25),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10),
    ])


def main():
    ap = arguments()
    args = ap.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.random.set_seed(0)
    x_train, y_train = load("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
    x_test, _ = load("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    model = reference_model()
    optimizer = keras.optimizers.Adam(1e-3)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    out = {"tensorflow_version": tf.__version__, "keras": "tf-keras " + keras.__version__, "threads": args.threads}

    # Training: one compiled step per batch, as Keras's fit runs it.
    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            value = loss(yb, model(xb, training=True))
        optimizer.apply_gradients(zip(tape.gradient(value, model.trainable_variables), model.trainable_variables))

    rng = np.random.default_rng(0)
    batches = [rng.integers(0, len(x_train), 128) for _ in range(3 + 3 * args.train_steps)]
    batches = [(tf.constant(x_train[i]), tf.constant(y_train[i])) for i in batches]
    out["train_images_per_s"] = training_rate(step, batches, args.train_steps)

    # Inference: a compiled call, batch 128 and one image.
    infer = tf.function(lambda x: model(x, training=False))
    chunks = [tf.constant(x_test[(i * 128) % 9872:(i * 128) % 9872 + 128]) for i in range(args.infer_batches)]
    out["infer_images_per_s_b128"] = inference_rate(lambda c: infer(c).numpy(), chunks)
    singles = [tf.constant(x_test[i:i + 1]) for i in range(args.calls)]
    out["infer_latency_ms_b1"] = median_ms(lambda s: infer(s).numpy(), singles)

    # Saliency: the predicted class's logit's gradient with respect to the image.
    @tf.function
    def saliency(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = model(x, training=False)
            top = tf.reduce_max(logits, axis=1)
        return tape.gradient(top, x)

    out["saliency_ms"] = median_ms(lambda s: saliency(s).numpy(), singles[:200])
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
