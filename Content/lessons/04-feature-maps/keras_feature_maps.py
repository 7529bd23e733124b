"""Lesson 4's feature maps of conv2d_1 from a Keras model, drawn on one shared scale."""
import numpy as np
from vizsite_snippets import agree, keras_model, maps, mnist

model = keras_model()
x_test, _ = mnist("test", 0, 1)
x_test = (x_test * 255).round()[..., None]

# --8<-- [start:box]
import numpy as np
import matplotlib.pyplot as plt
import keras

layer = model.get_layer("conv2d_1")
extractor = keras.Model(model.inputs, layer.output)
fm = extractor.predict(x_test[:1] / 255.0, verbose=0)[0]   # (26, 26, 32), channels last

vmax = fm.max()                                # one scale for all 32 maps, so strengths compare
fig, axes = plt.subplots(4, 8, figsize=(10, 5))
for i, ax in enumerate(axes.flat):
    ax.imshow(fm[..., i], cmap="viridis", vmin=0, vmax=vmax, interpolation="nearest")
    ax.set_title(str(i), fontsize=7)
    ax.axis("off")
plt.show()
# --8<-- [end:box]

agree("the 32 maps drawn", np.moveaxis(fm, -1, 0), [m["map"] for m in maps("maps1")])
