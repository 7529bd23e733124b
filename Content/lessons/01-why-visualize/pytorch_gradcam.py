"""Lesson 1's Grad-CAM with pytorch-grad-cam: what it returns, against vizsite's raw maps scaled its way."""
import cv2
import numpy as np
import torch
from vizsite_snippets import agree, maps, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 0, 4)
x = torch.from_numpy(images)[:, None]

# --8<-- [start:box]
# PyTorch: pip install grad-cam
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

pred = model(x).argmax(dim=1)
targets = [ClassifierOutputTarget(int(c)) for c in pred]          # one target per image
with GradCAM(model=model, target_layers=[model.relu2]) as cam:     # the last convolution, after its ReLU
    heat = cam(input_tensor=x, targets=targets)   # (N, 28, 28): each stretched to 28×28 and scaled to 0…1
# --8<-- [end:box]


def scaled(m):
    m = m - m.min()
    return m / (1e-7 + m.max())


def as_pytorch_grad_cam_returns(m):   # scaled, stretched by cv2.resize, scaled again
    return scaled(cv2.resize(scaled(m).astype(np.float32), (28, 28)))


agree("these maps (vizsite's, stretched and scaled the same way)",
      heat, [as_pytorch_grad_cam_returns(e["map"]) for e in maps("cam6")[:4]])
