"""Lesson 14's MaxSensitivity with Quantus, against vizsite's figure of the same 20 digits."""
import numpy as np
import torch
from vizsite_snippets import agree_mean, figure_scores, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 0, 20)
x_batch = images[:, None]
y_batch = model(torch.from_numpy(x_batch)).argmax(dim=1).numpy()
np.random.seed(0)   # Quantus draws its noise from NumPy's global generator

# --8<-- [start:box]
import quantus

# a robustness metric explains every noisy copy again: tell explain_func which method, or
# Quantus explains each copy with the plain gradient, whatever a_batch came from
gradient = {"method": "Gradient"}                   # the signed gradient (Quantus's "Saliency" is |∇|)
a_batch = quantus.explain(model, x_batch, y_batch, **gradient)
max_sensitivity = quantus.MaxSensitivity(nr_samples=10, lower_bound=0.2, disable_warnings=True,
                                         return_nan_when_prediction_changes=True)
sensitivity = np.array(max_sensitivity(model=model, x_batch=x_batch, y_batch=y_batch, a_batch=a_batch,
                                       explain_func=quantus.explain, explain_func_kwargs=gradient,
                                       device="cpu"))
print(f"MaxSensitivity of the gradient: {np.nanmean(sensitivity):.3f}")
# --8<-- [end:box]

agree_mean("MaxSensitivity's mean for the gradient", sensitivity,
           figure_scores("l14-robust", "vanilla", "MaxSensitivity")[0])
