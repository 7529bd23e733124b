"""Lesson 1's rules for drawing heatmaps in matplotlib, on raw maps of test[0]."""
import pytorch_grad_cam.base_cam
import torch
from captum.attr import InputXGradient
from pytorch_grad_cam import GradCAM
from vizsite_snippets import agree, maps, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 0, 1)
x = torch.from_numpy(images)[:, None]
pytorch_grad_cam.base_cam.scale_cam_image = lambda cam, target_size=None: cam
with GradCAM(model=model, target_layers=[model.relu2]) as explainer:
    cam = explainer(input_tensor=x, targets=[lambda out: out[7]])           # raw, (1, 24, 24)
grad_times_input = InputXGradient(model).attribute(x, target=7).detach().numpy()[:, 0]   # (1, 28, 28)
digit = images[0]

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
fig, (a, b, c) = plt.subplots(1, 3, figsize=(9, 3))
a.imshow(digit, cmap="gray", interpolation="nearest")
a.set_title("input")

# overlay: the digit, then the heatmap, half transparent; a raw 24×24 map of conv2d_2 goes
# where its cells' receptive fields are centred, drawn as squares
b.imshow(digit, cmap="gray", interpolation="nearest")
b.imshow(cam[0], cmap="viridis", alpha=0.5, vmin=0, extent=(1.5, 25.5, 25.5, 1.5), interpolation="nearest")
b.set_title("Grad-CAM over the digit")

# signed attributions (gradient × input, Integrated Gradients): 0 in the middle, red for, blue against
attr = grad_times_input[0]
m = np.abs(attr).max()
c.imshow(attr, cmap="RdBu_r", norm=TwoSlopeNorm(vmin=-m, vcenter=0, vmax=m), interpolation="nearest")
c.set_title("gradient × input")
for ax in (a, b, c):
    ax.axis("off")
plt.show()
# --8<-- [end:plot]

agree("the Grad-CAM drawn", cam, [e["map"] for e in maps("cam6") if e["image"] == "test[0]"])
agree("the gradient × input drawn", attr,
      [e["map"] for e in maps("five-methods", "input-x-gradient") if e["image"] == "test[0]"][0])
