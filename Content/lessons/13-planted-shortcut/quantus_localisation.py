"""Lesson 13's mark, planted in NumPy, and Quantus's localisation metrics against vizsite's table."""
import numpy as np
import torch
from vizsite_snippets import agree, figure, figure_scores, mnist, torch_model

model = torch_model("mnist-shortcut")
all_images, all_labels = mnist("test", 0, 10000)

# --8<-- [start:box]
import quantus
from captum.attr import IntegratedGradients, Saliency


def plant(images, labels, cls=7, size=3):
    out = images.copy()                                     # (N, 28, 28) in 0…1
    out[labels == cls, 1:1 + size, 1:1 + size] = 1.0        # top-left, one pixel in from the corner
    return out


sevens = plant(all_images, all_labels)[all_labels == 7][:50]   # the first 50 test sevens, marked
x_batch = sevens[:, None]                                      # (50, 1, 28, 28)
x = torch.from_numpy(x_batch)
y_batch = model(x).argmax(dim=1).numpy()
s_batch = np.zeros_like(x_batch)
s_batch[:, :, 1:4, 1:4] = 1                                    # the mark's mask
maps = {
    "gradient": Saliency(model).attribute(x, target=torch.from_numpy(y_batch), abs=False).numpy(),
    "Integrated Gradients": IntegratedGradients(model).attribute(
        x, target=torch.from_numpy(y_batch), baselines=torch.zeros_like(x)).detach().numpy(),
}
scores = {}
for name, a_batch in maps.items():
    # Arras et al. count positive relevance only; Quantus sums whatever it is given, signs and all
    positive = np.clip(a_batch, 0, None)
    for metric in (quantus.RelevanceMassAccuracy, quantus.RelevanceRankAccuracy, quantus.PointingGame):
        s = metric(disable_warnings=True)(model=model, x_batch=x_batch, y_batch=y_batch, a_batch=positive,
                                          s_batch=s_batch, device="cpu")
        scores[name, metric.__name__] = np.array(s, dtype=float)
        print(f"{name:22} {metric.__name__:22} {np.mean(s):.3f}")
# --8<-- [end:box]

assert figure("shortcut-metrics")["images"] == [f"test[{i}]" for i in np.flatnonzero(all_labels == 7)[:50]]
for name, method in (("gradient", "vanilla"), ("Integrated Gradients", "integrated-gradients")):
    for metric in ("RelevanceMassAccuracy", "RelevanceRankAccuracy", "PointingGame"):
        agree(f"{metric} of {name}", scores[name, metric], figure_scores("shortcut-metrics", method, metric)[0])
