"""Lesson 6's gradient maps with Captum, compared with vizsite's figures of the same digits."""
import torch
from vizsite_snippets import agree, maps, mnist, note, torch_model

model = torch_model()
images, _ = mnist("test", 0, 4)
x = torch.from_numpy(images)[:, None]

# --8<-- [start:box]
from captum.attr import DeepLift, IntegratedGradients, NoiseTunnel, Saliency

# model: the lesson's network in PyTorch; x: digits as a (N, 1, 28, 28) tensor in 0…1
target = model(x).argmax(dim=1)                                   # explain each digit's predicted class
grad = Saliency(model).attribute(x, target=target, abs=False)     # the signed gradient
ig = IntegratedGradients(model).attribute(x, baselines=torch.zeros_like(x), target=target, n_steps=32)
dl = DeepLift(model).attribute(x, baselines=torch.zeros_like(x), target=target)
sg = NoiseTunnel(Saliency(model)).attribute(                     # mean of |gradient| (Captum's SmoothGrad)
    x, nt_type="smoothgrad", nt_samples=50, stdevs=0.15, target=target)
# --8<-- [end:box]

agree("the signed gradients of test[0:4]", grad[:, 0].detach(), [m["map"] for m in maps("gradients")])
agree("Integrated Gradients", ig[:, 0].detach(), [m["map"] for m in maps("ig-signed")])
agree("DeepLIFT", dl[:, 0].detach(), [m["map"] for m in maps("budget", "deeplift")], tolerance=5e-2)
note("Captum 0.9's DeepLIFT skips its max-pooling rule after a ReLU (captum#1104), hence its larger difference; "
     "SmoothGrad draws its own noise and is compared with no figure.")
