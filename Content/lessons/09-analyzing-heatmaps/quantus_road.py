"""Lesson 9's ROAD of Integrated Gradients with Quantus, against vizsite's metrics table."""
import numpy as np
import torch
from vizsite_snippets import agree_mean, figure_scores, mnist, note, torch_model

model = torch_model()
images, labels = mnist("test", 0, 100)
x = torch.from_numpy(images)[:, None]
y = model(x).argmax(dim=1)
np.random.seed(0)   # Quantus's ROAD draws its noise from NumPy's global generator

# --8<-- [start:box]
import quantus
from captum.attr import IntegratedGradients

# x: (100, 1, 28, 28) digits as a tensor, y: the classes the network predicts; Quantus takes
# NumPy arrays (channels first here; channel_first= says so where it cannot tell)
x_batch, y_batch = x.numpy(), y.numpy()
a_batch = IntegratedGradients(model).attribute(x, target=y, baselines=torch.zeros_like(x)).detach().numpy()

road = quantus.ROAD(noise=0.01, percentages=list(range(10, 100, 10)),   # this site's levels: 10 %…90 %
                    disable_warnings=True)
levels = road(model=model, x_batch=x_batch, y_batch=y_batch, a_batch=a_batch, device="cpu")
print(f"ROAD: {np.mean(list(levels.values())):.3f}")   # a dict, level → share still predicted; lower is better

# the cascading randomization test, from the output layer down
mprt = quantus.MPRT(layer_order="top_down", similarity_func=quantus.similarity_func.correlation_spearman,
                    disable_warnings=True)
# --8<-- [end:box]

agree_mean("ROAD's mean for Integrated Gradients", np.mean(list(levels.values())),
           figure_scores("metrics-table", "integrated-gradients", "ROAD")[0])
note("MPRT re-initializes layers as PyTorch does (Kaiming-uniform), where vizsite draws Keras's Glorot "
     "initialization, so its similarities are not compared.")
