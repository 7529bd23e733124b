"""What the lessons' Python boxes need around the lines they show, and how they are checked.

A snippet file (Content/lessons/<lesson>/<name>.py) imports this module in lines its box does
not show: the lesson's network with vizsite's trained weights (in PyTorch or in Keras), MNIST
digits, and vizsite's raw values of a labelled figure. It then calls `agree` with what it
computed and vizsite's values; Tools/check_snippets.py collects those comparisons, and the box
states them ("match vizsite's to within 3 × 10⁻⁷").

Environment (set by check_snippets.py): VIZSITE_ROOT (the project), VIZSITE_OUTPUT (the built
site), VIZSITE_RESULTS (where the comparisons go, as JSON lines).
"""
import atexit
import functools
import glob
import gzip
import json
import os
import re
from pathlib import Path

import numpy as np

ROOT = Path(os.environ.get("VIZSITE_ROOT", Path(__file__).resolve().parents[2]))
OUTPUT = Path(os.environ.get("VIZSITE_OUTPUT", ROOT / "Output"))
RESULTS = os.environ.get("VIZSITE_RESULTS")


def weights(name="mnist-cnn"):
    """The trained weights vizsite's last build used (the newest cached file of that model)."""
    files = glob.glob(str(ROOT / ".vizsite" / "models" / f"{name}-*.safetensors"))
    if not files:
        raise FileNotFoundError(f"no trained weights of {name}: run make site first")
    from safetensors.numpy import load_file

    return load_file(max(files, key=os.path.getmtime))


def mnist(split="test", start=0, stop=None):
    """Digits `start..<stop` of a split as float32 (N, 28, 28) in 0…1, and their labels."""
    prefix = "t10k" if split == "test" else "train"
    folder = ROOT / "Content" / "data" / "mnist"

    def read(kind, offset):
        path = folder / f"{prefix}-{kind}-idx{1 if kind == 'labels' else 3}-ubyte"
        data = path.read_bytes() if path.exists() else gzip.open(str(path) + ".gz").read()
        return np.frombuffer(data, np.uint8, offset=offset)

    stop = start + 1 if stop is None else stop
    images = read("images", 16).reshape(-1, 28, 28)[start:stop].astype(np.float32) / 255
    labels = read("labels", 8)[start:stop].astype(np.int64)
    return images, labels


def torch_model(name="mnist-cnn"):
    """The lesson's network in PyTorch (NCHW input, logits out), with vizsite's weights.

    Modules: conv1, relu1, conv2, relu2, pool, fc1, relu3, fc2. The flatten keeps Keras's
    (channels-last) order, in which the weights were trained."""
    import torch
    from torch import nn

    class KerasFlatten(nn.Module):
        def forward(self, x):
            return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.relu1 = nn.Conv2d(1, 32, 3), nn.ReLU()
            self.conv2, self.relu2 = nn.Conv2d(32, 64, 3), nn.ReLU()
            self.pool, self.flatten = nn.MaxPool2d(2), KerasFlatten()
            self.fc1, self.relu3, self.fc2 = nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 10)

        def forward(self, x):
            x = self.pool(self.relu2(self.conv2(self.relu1(self.conv1(x)))))
            return self.fc2(self.relu3(self.fc1(self.flatten(x))))

    w = weights(name)
    model = Net().eval()
    with torch.no_grad():
        for ours, theirs in (("conv1", "conv2d_1"), ("conv2", "conv2d_2")):
            getattr(model, ours).weight.copy_(torch.from_numpy(w[f"{theirs}/kernel"]).permute(3, 2, 0, 1))
            getattr(model, ours).bias.copy_(torch.from_numpy(w[f"{theirs}/bias"]))
        for ours, theirs in (("fc1", "dense_1"), ("fc2", "preds")):
            getattr(model, ours).weight.copy_(torch.from_numpy(w[f"{theirs}/kernel"]).T)
            getattr(model, ours).bias.copy_(torch.from_numpy(w[f"{theirs}/bias"]))
    return model


def keras_model(name="mnist-cnn"):
    """The lesson's network in Keras 3, as keras/examples/mnist_cnn.py writes it (softmax
    output, layers conv2d_1, conv2d_2, max_pooling2d, dropout, flatten, dense_1, dropout_1,
    preds), with vizsite's weights."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu", name="conv2d_1"),
            layers.Conv2D(64, 3, activation="relu", name="conv2d_2"),
            layers.MaxPooling2D(2, name="max_pooling2d"),
            layers.Dropout(0.25, name="dropout"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense_1"),
            layers.Dropout(0.5, name="dropout_1"),
            layers.Dense(10, activation="softmax", name="preds"),
        ]
    )
    w = weights(name)
    for layer in ("conv2d_1", "conv2d_2", "dense_1", "preds"):
        model.get_layer(layer).set_weights([w[f"{layer}/kernel"], w[f"{layer}/bias"]])
    return model


@functools.lru_cache(maxsize=None)
def figure(label):
    """The raw values (the JSON linked under it) of the figure labelled `label` in the built site
    (read once per run: callers only read them)."""
    pattern = re.compile(r'id="fig-' + re.escape(label) + r'"')
    for page in sorted(OUTPUT.glob("**/index.html")):
        html = page.read_text(encoding="utf-8")
        found = pattern.search(html)
        if not found:
            continue
        end = html.find("</figure>", found.end())
        links = re.findall(r'href="((?:\.\./)+figures/[^"]+\.json)"', html[found.end() : end])
        if links:
            return json.loads((page.parent / links[-1]).resolve().read_text(encoding="utf-8"))
    raise KeyError(f"no figure labelled '{label}' in {OUTPUT}: label it in its lesson, and build the site")


def maps(label, method=None):
    """The maps of a labelled figure (of one method, for figures with several), as arrays,
    in the figure's order; each with its image (`test[0]`) and target."""
    values = figure(label)
    entries = values.get("images") or values.get("maps") or []
    return [
        {"image": e.get("image"), "target": e.get("target"),
         "map": np.array(e.get("map", e)["values"], dtype=np.float64)}   # (feature maps are the maps themselves)
        for e in entries
        if method is None or e.get("method") == method
    ]


def agree(what, ours, theirs, tolerance=1e-4):
    """Records that `ours` (what the snippet computed) and `theirs` (vizsite's values) agree:
    their largest absolute difference, which must stay within `tolerance` times the largest
    magnitude of vizsite's values. `what` is what the box says was compared."""
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    if ours.shape != theirs.shape:
        raise AssertionError(f"{what}: shapes differ, {ours.shape} against vizsite's {theirs.shape}")
    difference = float(np.max(np.abs(ours - theirs))) if ours.size else 0.0
    scale = float(np.max(np.abs(theirs))) if theirs.size else 0.0
    passed = difference <= tolerance * max(scale, 1e-12)
    _record({"what": what, "max_difference": difference, "scale": scale, "tolerance": tolerance, "passed": passed})
    if not passed:
        raise AssertionError(
            f"{what}: largest difference {difference:.3g} against vizsite's values (largest magnitude {scale:.3g}), "
            f"more than {tolerance:g} of it"
        )


def figure_scores(label, method, metric):
    """A metrics figure's per-image scores of one method and metric, and their mean."""
    for entry in figure(label)["methods"]:
        if entry["method"] == method:
            for result in entry["results"]:
                if result["metric"] == metric:
                    return np.array(result["scores"], dtype=np.float64), result["mean"]
    raise KeyError(f"figure '{label}' has no {metric} of {method}")


def agree_mean(what, ours, theirs, standard_errors=3.0):
    """Records that the mean of `ours` (per-image scores the snippet computed, from noise or
    draws of its own) is within `standard_errors` standard errors of the mean of `theirs`
    (vizsite's per-image scores): the two estimate one expectation from different draws. A
    single value for `ours` (a library that reports only the mean) is taken to vary as
    vizsite's scores do."""
    ours = np.atleast_1d(np.asarray(ours, dtype=np.float64))
    theirs = np.asarray(theirs, dtype=np.float64)
    ours, theirs = ours[np.isfinite(ours)], theirs[np.isfinite(theirs)]
    difference = abs(float(ours.mean() - theirs.mean()))
    spread = theirs.var(ddof=1) / len(theirs)
    error = float(np.sqrt((ours.var(ddof=1) / len(ours) if len(ours) > 1 else spread) + spread))
    passed = difference <= standard_errors * error
    _record({"what": what, "max_difference": difference, "scale": error, "tolerance": standard_errors,
             "passed": passed, "kind": "mean"})
    if not passed:
        raise AssertionError(
            f"{what}: means {ours.mean():.4g} and vizsite's {theirs.mean():.4g} are {difference:.3g} apart, more than "
            f"{standard_errors:g} standard errors ({error:.3g})"
        )


def note(text):
    """Why a snippet compares nothing (it draws a plot, it writes a file): what its box says."""
    _record({"note": text})


def _draw_open_figures():
    """Draws every figure a snippet left open, as plt.show() would on a screen (the Agg backend
    draws nothing on show): a glyph missing from the fonts, Chinese labels as boxes, fails."""
    import sys

    if "matplotlib.pyplot" not in sys.modules:
        return
    import io
    import warnings

    plt = sys.modules["matplotlib.pyplot"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for number in plt.get_fignums():
            plt.figure(number).savefig(io.BytesIO(), format="png")
    missing = sorted({str(w.message) for w in caught if "missing from" in str(w.message)})
    if missing:
        _record({"problem": "matplotlib cannot draw every label: " + "; ".join(missing[:3])})


atexit.register(_draw_open_figures)


def _record(entry):
    if RESULTS:
        with open(RESULTS, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    else:
        print(json.dumps(entry, ensure_ascii=False))
