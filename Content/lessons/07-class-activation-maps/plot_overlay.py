"""Lesson 7's advice for drawing CAMs over the digit, in matplotlib, on raw maps."""
import pytorch_grad_cam.base_cam
import torch
from pytorch_grad_cam import GradCAM, LayerCAM
from vizsite_snippets import agree, maps, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 740, 741)
digit = images[0]
x = torch.from_numpy(images)[:, None]
pytorch_grad_cam.base_cam.scale_cam_image = lambda cam, target_size=None: cam
heat = {}
for name, Method in (("Grad-CAM", GradCAM), ("Layer-CAM", LayerCAM)):
    with Method(model=model, target_layers=[model.relu2]) as cam:
        heat[name] = cam(input_tensor=x, targets=[lambda out: out[9]])[0]

# --8<-- [start:box]
import numpy as np
import matplotlib.pyplot as plt
# --8<-- [end:box]

# --8<-- [start:fonts]
# Chinese labels need a font that has them (otherwise matplotlib draws boxes)
plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "SimHei", "Microsoft YaHei", "PingFang SC", "DejaVu Sans"]
plt.rcParams["axes.unicode_minus"] = False   # SimHei lacks the minus sign of the colorbar's ticks
# --8<-- [end:fonts]

# --8<-- [start:plot]
# heat: raw (24, 24) maps of conv2d_2 by method; digit: the (28, 28) image
top = max(m.max() for m in heat.values())           # one scale for both maps, not each its own 0…1
fig, axes = plt.subplots(1, len(heat), figsize=(3.2 * len(heat), 3))
for ax, (name, m) in zip(axes, heat.items()):
    ax.imshow(digit, cmap="gray")
    # each map cell at the centre of its 5×5 receptive field (not stretched over the 28 pixels)
    image = ax.imshow(m, cmap="viridis", alpha=0.6, vmin=0, vmax=top,
                      extent=(1.5, 25.5, 25.5, 1.5), interpolation="nearest")
    ax.set_title(f"{name}, class 9")
    ax.axis("off")
fig.colorbar(image, ax=axes, shrink=0.8)
plt.show()
# --8<-- [end:plot]

for name, method in (("Grad-CAM", "gradcam"), ("Layer-CAM", "layercam")):
    theirs = [e["map"] for e in maps("blank", method) if e["image"] == "test[740]"][0]
    agree(f"the {name} map drawn", heat[name], theirs)
