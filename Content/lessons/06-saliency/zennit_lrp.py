"""Lesson 6's LRP composite with Zennit, compared with vizsite's figure of the same digits."""
import torch
from vizsite_snippets import agree, maps, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 0, 4)
x = torch.from_numpy(images)[:, None]

# --8<-- [start:box]
from zennit.attribution import Gradient
from zennit.composites import EpsilonGammaBox

target = model(x).argmax(dim=1)
composite = EpsilonGammaBox(low=torch.zeros_like(x), high=torch.ones_like(x))   # the input's range: 0…1
with Gradient(model=model, composite=composite) as attributor:
    # start from the target's logit: one-hot × output
    _, relevance = attributor(x, lambda y: torch.eye(10)[target] * y)
# --8<-- [end:box]

agree("LRP (ε-γ-box)", relevance[:, 0].detach(), [e["map"] for e in maps("budget", "lrp-composite")], tolerance=1e-3)
