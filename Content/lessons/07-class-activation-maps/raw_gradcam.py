"""Grad-CAM from its formula in a few lines of autograd, against vizsite's figure of test[740]."""
import torch
from vizsite_snippets import agree, maps, mnist, torch_model

model = torch_model()
images, _ = mnist("test", 740, 741)
x = torch.from_numpy(images)[:, None]

# --8<-- [start:box]
acts = {}
hook = model.relu2.register_forward_hook(lambda m, i, o: acts.update(a=o))   # conv2d_2 after its ReLU
logits = model(x)                                   # the scores before the softmax
a = acts["a"]                                       # (1, 64, 24, 24)
g, = torch.autograd.grad(logits[0, 9], a)           # class 9
w = g.mean(dim=(2, 3), keepdim=True)                # each channel's mean gradient
raw = torch.relu((w * a).sum(dim=1))[0]             # Grad-CAM before any scaling: almost all 0 on test[740]
hook.remove()
# --8<-- [end:box]

agree("the raw Grad-CAM of test[740] for class 9", raw.detach(),
      [e["map"] for e in maps("blank", "gradcam") if e["image"] == "test[740]"][0])
