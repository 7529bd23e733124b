"""Lesson 5's unit visualization with Lucent (Lucid for PyTorch) on a 28×28 grey digit."""
import torch
from vizsite_snippets import note, torch_model

model = torch_model()
torch.manual_seed(0)

# --8<-- [start:box]
from lucent.optvis import objectives, param, render, transform

obj = objectives.channel("conv2", 2)   # conv2d_2's unit 2 before its ReLU, which gives a grey start no gradient
images = render.render_vis(
    model, obj, param_f=lambda: param.image(28, channels=1, fft=True),
    transforms=transform.standard_transforms, thresholds=(160,),
    preprocess=False,          # its default adds ImageNet's 3-channel normalization
    fixed_image_size=28,       # otherwise it enlarges the image to 224×224 before the model sees it
    show_image=False, progress=False)
# images[0]: (1, 28, 28, 1)
# --8<-- [end:box]

activations = {}
model.conv2.register_forward_hook(lambda m, i, o: activations.update(a=o))
model(torch.from_numpy(images[0]).permute(0, 3, 1, 2))
optimized = float(activations["a"][0, 2].mean())
model(torch.rand(1, 1, 28, 28))
assert images[0].shape == (1, 28, 28, 1) and optimized > float(activations["a"][0, 2].mean())
note("It starts from its own random image, so it is compared with no figure; the unit responds more "
     "to the image it found than to a random one.")
