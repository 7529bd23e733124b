"""Lesson 4's feature maps of conv2d_1 from a PyTorch model, through a forward hook."""
import numpy as np
import torch
from vizsite_snippets import agree, maps, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 0, 1)
x = torch.from_numpy(images)[:, None]

# --8<-- [start:box]
captured = {}
handle = model.relu1.register_forward_hook(lambda m, inp, out: captured.update(conv1=out.detach()))
model.eval()
with torch.no_grad():
    model(x)                                       # x: (1, 1, 28, 28)
handle.remove()
fm = captured["conv1"][0]                          # (32, 26, 26), channels first; after the ReLU, as Keras's layer
# --8<-- [end:box]

agree("the 32 maps", fm, [m["map"] for m in maps("maps1")])
