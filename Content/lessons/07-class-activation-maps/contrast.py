"""Lesson 7's contrast map (class 9 against class 4) with pytorch-grad-cam, against vizsite's figure."""
import torch
from vizsite_snippets import agree, maps, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 740, 741)
x = torch.from_numpy(images)[:, None]

# --8<-- [start:box]
import pytorch_grad_cam.base_cam
from pytorch_grad_cam import LayerCAM

pytorch_grad_cam.base_cam.scale_cam_image = lambda cam, target_size=None: cam   # raw maps
contrast = [lambda out: out[9] - out[4]]            # a target is any function of the logits
with LayerCAM(model=model, target_layers=[model.relu2]) as cam:
    nine_not_four = cam(input_tensor=x, targets=contrast)
# --8<-- [end:box]

agree("the 9 − 4 map of test[740]", nine_not_four, [e["map"] for e in maps("contrast")])
