"""Lesson 14's faithfulness table with Quantus, against vizsite's figure of the same 100 digits."""
import numpy as np
import torch
from vizsite_snippets import agree, agree_mean, figure_scores, mnist, note, torch_model

model = torch_model()
images, _ = mnist("test", 0, 100)
x_batch = images[:, None]
y_batch = model(torch.from_numpy(x_batch)).argmax(dim=1).numpy()
np.random.seed(0)   # Quantus's ROAD draws its noise from NumPy's global generator

# --8<-- [start:box]
import quantus
from captum.attr import Saliency
from scipy import ndimage


# x_batch: (N, 1, 28, 28) digits in 0…1; y_batch: the classes the network predicts
def edge_map(x):                       # a baseline that knows nothing of the model: the image's Sobel edges
    # image by image: on the whole batch, ndimage.sobel would also smooth across neighbouring images
    return np.array([[np.hypot(ndimage.sobel(i, axis=0), ndimage.sobel(i, axis=1))] for i in x[:, 0]])


x, y = torch.from_numpy(x_batch), torch.from_numpy(y_batch)
maps = {
    "|gradient|": Saliency(model).attribute(x, target=y).numpy(),   # Captum's Saliency takes |∇| by default
    "edges": edge_map(x_batch),
    "random": np.random.default_rng(0).random(x_batch.shape),
}
pixel_flipping = quantus.PixelFlipping(features_in_step=28, perturb_baseline="black", disable_warnings=True)
road = quantus.ROAD(percentages=list(range(10, 100, 10)), noise=0.01, disable_warnings=True)
probability = torch.softmax(model(x), dim=1)[torch.arange(len(y)), y].detach().numpy()
scores = {}
for name, a in maps.items():
    curves = np.array(pixel_flipping(model=model, x_batch=x_batch, y_batch=y_batch, a_batch=a,
                                     softmax=True, device="cpu"))
    # the area under the probability, the unperturbed image included (Quantus 0.6's own AUC calls np.trapz,
    # which NumPy 2 removed)
    area = np.trapezoid(np.column_stack([probability, curves]), dx=1 / curves.shape[1], axis=1)
    levels = road(model=model, x_batch=x_batch, y_batch=y_batch, a_batch=a, device="cpu")   # level → share kept
    scores[name] = (area, np.mean(list(levels.values())))      # ROAD returns a dict, not an array
    print(f"{name:11} PixelFlipping {area.mean():.3f}   ROAD {scores[name][1]:.3f}")
# --8<-- [end:box]

agree("PixelFlipping of |gradient|, image by image", scores["|gradient|"][0],
      figure_scores("l14-faith", "vanilla+abs", "PixelFlipping")[0])
# the edge map is 0 inside thick strokes as on the background, and Quantus orders such ties
# otherwise than vizsite (lower index first): 28 of the 100 digits differ, the means agree
agree_mean("PixelFlipping's mean for the edges", scores["edges"][0],
           figure_scores("l14-faith", "edge", "PixelFlipping")[0])
for name, method in (("|gradient|", "vanilla+abs"), ("edges", "edge")):
    # ROAD imputes with noise of its own draw: only the means can agree, within their standard errors
    agree_mean(f"ROAD's mean for {name}", scores[name][1], figure_scores("l14-faith", method, "ROAD")[0])
note("The random map is drawn anew and compared with no figure.")
