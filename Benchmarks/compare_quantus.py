"""The same explanation metrics in Quantus and in vizsite, side by side on this machine.

The reference model (vizsite's trained weights, loaded into the PyTorch twin of
torch_side.py), the first N test digits, and |gradient| saliency maps (Captum's Saliency,
abs=True; vizsite's `absolute`). Quantus 0.6 runs each metric on CPU with 2 threads and
its batched paths; vizsite runs `vizsite metrics` (release build, 2 cores). For each
metric: the mean score on both sides and the seconds each took.

    Benchmarks/.venv/bin/python Benchmarks/compare_quantus.py [--images 100]

What can agree exactly and what cannot: Sparseness, Complexity and the localisation
metrics read the maps alone and agree to float rounding. PixelFlipping with a black
baseline is deterministic, but Quantus reports the curve; its area is taken here with the
same trapezoid rule over the same steps. FaithfulnessCorrelation, the sensitivity and
Lipschitz estimates, ROAD and RegionPerturbation draw noise or subsets from different
generators, so only their means over many images can be compared, within their standard
errors. RandomLogit (Quantus flattens the maps before SSIM), Infidelity (Quantus blackens
patches cumulatively) and MPRT (PyTorch's re-initialization, not Keras's) differ by
definition. The localisation metrics run on lesson 13's shortcut model (trained by
`make site`) and the first test 7s with their mark.
"""
import argparse
import glob
import importlib.util
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Benchmarks"))
sys.dont_write_bytecode = True
import crosscheck  # noqa: E402
import torch_side  # noqa: E402

# Quantus imports TensorFlow when it can find it, and TensorFlow's LLVM next to PyTorch's
# aborts the process ("Option 'bitcode-mdindex-threshold' registered more than once");
# this comparison is PyTorch-only, so Quantus is told TensorFlow is absent.
_find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, *rest: (
    None if name.split(".")[0] in ("tensorflow", "keras", "tf_keras") else _find_spec(name, *rest))
import quantus  # noqa: E402

if not hasattr(np, "trapz"):  # Quantus 0.6's IROF calls np.trapz, gone in NumPy 2.x
    np.trapz = np.trapezoid


LOCALISATION = ("RelevanceMassAccuracy", "RelevanceRankAccuracy", "PointingGame")


class ChannelsFirst(torch.nn.Module):
    """The twin takes NHWC; Quantus hands NCHW."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x.permute(0, 2, 3, 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=100)
    args = ap.parse_args()
    torch.set_num_threads(2)
    weights = max(glob.glob(str(ROOT / ".vizsite/models/mnist-cnn-*.safetensors")), key=os.path.getmtime)
    model = ChannelsFirst(crosscheck.torch_model(weights).float()).eval()
    x_all, y_all = torch_side.load("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    x_all, y_all = x_all.permute(0, 3, 1, 2).numpy(), np.asarray(y_all)
    x = x_all[: args.images]
    with torch.no_grad():
        y = model(torch.from_numpy(x)).argmax(1).numpy()  # vizsite explains the predicted class
    explain = {"explain_func": quantus.explain, "explain_func_kwargs": {"method": "Saliency", "abs": True}}
    a = quantus.explain(model, x, y, method="Saliency", abs=True)
    steps = 28

    def pixel_flipping_auc():
        metric = quantus.PixelFlipping(
            features_in_step=28 * 28 // steps, perturb_baseline="black", normalise=False, abs=False,
            return_auc_per_sample=False, disable_warnings=True)
        curves = np.array(metric(model=model, x_batch=x, y_batch=y, a_batch=a, softmax=True, device="cpu"))
        full = np.concatenate([torch.softmax(model(torch.from_numpy(x)), 1).detach().numpy()[
            np.arange(len(y)), y][:, None], curves], axis=1)
        return np.trapezoid(full, dx=1 / (full.shape[1] - 1), axis=1)

    def irof_per_segment():
        # Quantus 0.6 reports the area over the curve undivided; vizsite divides it by the
        # number of segments, so the Quantus side is divided by each image's SLIC count.
        from skimage.segmentation import slic
        scores = np.asarray(quantus.IROF(
            segmentation_method="slic", perturb_baseline="mean", return_aggregate=False, disable_warnings=True)(
            model=model, x_batch=x, y_batch=y, a_batch=a, softmax=True, device="cpu"), dtype=float)
        counts = np.array([len(np.unique(slic(np.moveaxis(i, 0, -1).astype("double"), start_label=0))) for i in x])
        return scores / counts

    def road_share():
        # Quantus reports, per removal level, the share of images still predicted as the
        # target; vizsite scores each image by the share of levels it survives. Both
        # means are the same average over levels and images.
        levels = quantus.ROAD(percentages=list(range(10, 100, 10)), noise=0.01, normalise=False,
                              disable_warnings=True)(model=model, x_batch=x, y_batch=y, a_batch=a, device="cpu")
        return np.array(list(levels.values()))

    def region_perturbation_aopc():
        # Quantus returns each image's curve of logit drops after 1, 2, … regions; AOPC
        # averages the drops including the unperturbed image's 0, as vizsite does.
        curves = quantus.RegionPerturbation(
            patch_size=4, regions_evaluation=49, perturb_baseline="uniform", normalise=False, disable_warnings=True)(
            model=model, x_batch=x, y_batch=y, a_batch=a, softmax=False, device="cpu")
        return np.array([np.sum(c) / (len(c) + 1) for c in curves])

    quantus_side = {
        "Sparseness": lambda: quantus.Sparseness(disable_warnings=True)(
            model=model, x_batch=x, y_batch=y, a_batch=a),
        "Complexity": lambda: quantus.Complexity(disable_warnings=True)(
            model=model, x_batch=x, y_batch=y, a_batch=a),
        "PixelFlipping": pixel_flipping_auc,
        "FaithfulnessCorrelation": lambda: quantus.FaithfulnessCorrelation(
            nr_runs=100, subset_size=224, perturb_baseline="black", disable_warnings=True, return_aggregate=False)(
            model=model, x_batch=x, y_batch=y, a_batch=a, softmax=False, device="cpu"),
        "MaxSensitivity": lambda: quantus.MaxSensitivity(
            nr_samples=10, lower_bound=0.2, disable_warnings=True, return_nan_when_prediction_changes=True)(
            model=model, x_batch=x, y_batch=y, a_batch=a, device="cpu", **explain),
        "RandomLogit": lambda: quantus.RandomLogit(num_classes=10, disable_warnings=True)(
            model=model, x_batch=x, y_batch=y, a_batch=a, device="cpu", **explain),
        "IROF": irof_per_segment,
        "ROAD": road_share,
        "RegionPerturbation": region_perturbation_aopc,
        "Infidelity": lambda: quantus.Infidelity(
            perturb_patch_sizes=[4], n_perturb_samples=1, perturb_baseline="black", disable_warnings=True)(
            model=model, x_batch=x, y_batch=y, a_batch=a, softmax=False, device="cpu"),
        "AvgSensitivity": lambda: quantus.AvgSensitivity(
            nr_samples=10, lower_bound=0.2, disable_warnings=True, return_nan_when_prediction_changes=True)(
            model=model, x_batch=x, y_batch=y, a_batch=a, device="cpu", **explain),
        "LocalLipschitzEstimate": lambda: quantus.LocalLipschitzEstimate(
            nr_samples=10, perturb_std=0.1, normalise=False, disable_warnings=True)(
            model=model, x_batch=x, y_batch=y, a_batch=a, device="cpu", **explain),
        "MPRT": lambda: quantus.MPRT(
            layer_order="top_down", return_average_correlation=True, abs=True, normalise=True, disable_warnings=True)(
            model=model, x_batch=x, y_batch=y, a_batch=a, device="cpu", **explain),
    }
    # The localisation metrics need a ground truth: lesson 13's model, trained with a 3×3
    # mark in the top-left corner of every 7, on the first test 7s with the mark planted.
    shortcut_weights = glob.glob(str(ROOT / ".vizsite/models/mnist-shortcut-*.safetensors"))
    if shortcut_weights:
        shortcut = ChannelsFirst(crosscheck.torch_model(max(shortcut_weights, key=os.path.getmtime)).float()).eval()
        sevens = x_all[y_all == 7][: args.images].copy()
        sevens[:, :, 1:4, 1:4] = 1
        mask = np.zeros_like(sevens)
        mask[:, :, 1:4, 1:4] = 1
        with torch.no_grad():
            y7 = shortcut(torch.from_numpy(sevens)).argmax(1).numpy()
        a7 = quantus.explain(shortcut, sevens, y7, method="Saliency", abs=True)
        for name, metric in [
            ("RelevanceMassAccuracy", quantus.RelevanceMassAccuracy(disable_warnings=True)),
            ("RelevanceRankAccuracy", quantus.RelevanceRankAccuracy(disable_warnings=True)),
            ("PointingGame", quantus.PointingGame(disable_warnings=True)),
        ]:
            quantus_side[name] = lambda metric=metric: metric(
                model=shortcut, x_batch=sevens, y_batch=y7, a_batch=a7, s_batch=mask, device="cpu")
    rows = {}
    for name, run in quantus_side.items():
        start = time.perf_counter()
        scores = np.asarray(run(), dtype=float)
        rows[name] = {"quantus_mean": float(np.nanmean(scores)), "quantus_std": float(np.nanstd(scores)),
                      "quantus_seconds": time.perf_counter() - start}
        print(name, rows[name], file=sys.stderr)
    binary = ROOT / ".build/release/vizsite"
    for name in rows:
        out = ROOT / ".build" / "metrics-side.json"
        start = time.perf_counter()
        subprocess.run(
            [str(binary), "metrics", *(
                ["Content/models/mnist-shortcut.yml", "--images", f"test.class(7)[0:{args.images}]"]
                if name in LOCALISATION else ["Content/models/mnist-cnn.yml", "--images", f"test[0:{args.images}]"]),
             "--methods", "absolute", "--metrics", name, "--json", str(out)],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        process = time.perf_counter() - start
        result = json.load(open(out))["methods"]["absolute"][name]
        # The metric's own time, as Quantus's is measured (the maps are given to both).
        seconds = result["seconds"]
        rows[name].update({"vizsite_mean": result["mean"], "vizsite_std": result["std"], "vizsite_seconds": seconds,
                           "vizsite_process_seconds": process, "speedup": rows[name]["quantus_seconds"] / seconds})
    print(json.dumps({"images": args.images, "quantus": quantus.__version__, "metrics": rows}, indent=2))


if __name__ == "__main__":
    main()
