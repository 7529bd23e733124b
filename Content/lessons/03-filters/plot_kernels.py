"""Lesson 3's kernels of conv2d_1, taken from a Keras model and drawn on one symmetric scale."""
import numpy as np
from vizsite_snippets import agree, figure, keras_model

model = keras_model()

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
w, b = model.get_layer("conv2d_1").get_weights()   # w: (3, 3, 1, 32), b: (32,)
vmax = np.abs(w).max()                              # one scale for all 32 kernels
fig, axes = plt.subplots(4, 8, figsize=(8, 4))
for i, ax in enumerate(axes.flat):
    image = ax.imshow(w[:, :, 0, i], cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
    ax.set_title(str(i), fontsize=7)
    ax.axis("off")
fig.colorbar(image, ax=axes, shrink=0.6)
plt.show()

dead = [i for i in range(32) if (w[..., i] <= 0).all() and b[i] <= 0]
print("kernels that never fire:", dead)              # on inputs in 0…1 they never activate
# --8<-- [end:plot]

values = figure("kernels1")
agree("the kernels drawn", np.moveaxis(w[:, :, 0, :], -1, 0), [k["values"] for k in values["kernels"]])
agree("the kernels that never fire", dead, values["never_fire"], tolerance=0)
