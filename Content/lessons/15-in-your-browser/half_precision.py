"""Lesson 15's float16 weights in PyTorch: what rounding them does to the gradient."""
import torch
from vizsite_snippets import mnist, note, torch_model

model = torch_model()
images, _ = mnist("test", 0, 1)
x = torch.from_numpy(images)[:, None]

# --8<-- [start:box]
import copy
import torch

half = copy.deepcopy(model)
with torch.no_grad():
    for p in half.parameters():
        p.copy_(p.half().float())                    # rounded to 16 bits, then computed as before

x.requires_grad_(True)
g32, = torch.autograd.grad(model(x)[0, 7], x)
g16, = torch.autograd.grad(half(x)[0, 7], x)
change = float((g16 - g32).abs().max() / g32.abs().max())   # the gradient's relative change
print(f"{change:.4f}")
# --8<-- [end:box]

assert 1e-4 < change < 0.1, change
note("vizsite computes this map in the reader's browser, and its figure keeps no gradient to compare; "
     "the change is of the order of a hundredth.")
