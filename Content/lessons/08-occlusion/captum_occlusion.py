"""Lesson 8's occlusion with Captum, compared with vizsite's figure of the same digits."""
import torch
from vizsite_snippets import agree, maps, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 0, 6)
x = torch.from_numpy(images)[:, None]

# --8<-- [start:box]
from captum.attr import Occlusion

target = model(x).argmax(dim=1)
drop = Occlusion(model).attribute(x, target=target,
                                  sliding_window_shapes=(1, 6, 6),   # (channels, height, width)
                                  strides=(1, 2, 2),
                                  baselines=0.0)                     # filled with black
# each pixel: the mean drop of the logit over the patches that cover it, as in this lesson
# --8<-- [end:box]

agree("the drops of test[0:6]", drop[:, 0].detach(), [e["map"] for e in maps("patches6")])
