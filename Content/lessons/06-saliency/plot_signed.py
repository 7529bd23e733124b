"""Lesson 6's advice for drawing signed maps, in matplotlib, on Captum's Integrated Gradients."""
import torch
from captum.attr import IntegratedGradients
from vizsite_snippets import agree, maps, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 0, 4)
x = torch.from_numpy(images)[:, None]
target = model(x).argmax(dim=1)
ig = IntegratedGradients(model).attribute(x, baselines=torch.zeros_like(x), target=target, n_steps=32)

# --8<-- [start:box]
import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import TwoSlopeNorm
# --8<-- [end:box]

# --8<-- [start:fonts]
# Chinese labels need a font that has them (otherwise matplotlib draws boxes)
plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "SimHei", "Microsoft YaHei", "PingFang SC", "DejaVu Sans"]
plt.rcParams["axes.unicode_minus"] = False   # SimHei lacks the minus sign of the colorbar's ticks
# --8<-- [end:fonts]

# --8<-- [start:plot]

signed = ig.detach().numpy()[:, 0]                 # (N, 28, 28)
m = np.abs(signed).max()                           # one symmetric range for the whole set
norm = TwoSlopeNorm(vmin=-m, vcenter=0.0, vmax=m)  # 0 at the colormap's middle
fig, axes = plt.subplots(1, len(signed), figsize=(3 * len(signed), 3))
for ax, s in zip(axes, signed):
    image = ax.imshow(s, cmap="RdBu_r", norm=norm, interpolation="nearest")
    ax.axis("off")
fig.colorbar(image, ax=axes, shrink=0.8, label="Integrated Gradients")
plt.show()
# --8<-- [end:plot]

agree("the maps drawn", signed, [e["map"] for e in maps("ig-signed")])
