"""Lesson 7's CAMs with pytorch-grad-cam, compared with vizsite's figures of the same digits."""
import torch
from vizsite_snippets import agree, maps, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 0, 4)
x = torch.from_numpy(images)[:, None]

# --8<-- [start:box]
import pytorch_grad_cam.base_cam
from pytorch_grad_cam import GradCAM, GradCAMPlusPlus, LayerCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

# one target per image: a single target explains only the first image, the others come out blank
targets = [ClassifierOutputTarget(int(c)) for c in model(x).argmax(dim=1)]
layer = [model.relu2]                    # conv2d_2 after its ReLU, as Keras's layer outputs it
with GradCAM(model=model, target_layers=layer) as cam:
    heat = cam(input_tensor=x, targets=targets)   # (N, 28, 28): stretched by cv2.resize, each scaled to 0…1

# no switch turns the scaling off; to see the raw (N, 24, 24) maps, replace it
pytorch_grad_cam.base_cam.scale_cam_image = lambda cam, target_size=None: cam
raw = {}
for Method in (GradCAM, GradCAMPlusPlus, LayerCAM):
    with Method(model=model, target_layers=layer) as cam:
        raw[Method.__name__] = cam(input_tensor=x, targets=targets)
# --8<-- [end:box]

for name, method in (("GradCAM", "gradcam"), ("GradCAMPlusPlus", "gradcam++"), ("LayerCAM", "layercam")):
    # Grad-CAM++'s weights cube small gradients, whose float32 rounding differs between the two
    agree(f"{name}'s raw maps", raw[name], [e["map"] for e in maps("cam-family", method)],
          tolerance=5e-3 if method == "gradcam++" else 1e-4)
