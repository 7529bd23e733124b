"""Lesson 7's CAMs with tf-keras-vis on Keras 3, raw, compared with vizsite's figure."""
import numpy as np
from vizsite_snippets import agree, keras_model, maps, mnist, note

model = keras_model()
images, _ = mnist("test", 0, 4)
x = images[..., None]

# --8<-- [start:box]
import keras
from tf_keras_vis.gradcam import Gradcam
from tf_keras_vis.gradcam_plus_plus import GradcamPlusPlus
from tf_keras_vis.layercam import Layercam
from tf_keras_vis.utils.scores import CategoricalScore


def to_linear(m):                      # explain the logit, not the softmax (ReplaceToLinear fails on Keras 3)
    m.layers[-1].activation = keras.activations.linear


score = CategoricalScore(list(model.predict(x, verbose=0).argmax(axis=1)))   # one class per image
heat = {}
for Method in (Gradcam, GradcamPlusPlus, Layercam):
    cam = Method(model, model_modifier=to_linear, clone=True)
    heat[Method.__name__] = cam(
        score, x, penultimate_layer="conv2d_2", seek_penultimate_conv_layer=False,
        normalize_cam=False, expand_cam=False)   # the raw (N, 24, 24) maps: neither stretched nor scaled to 0…1
# --8<-- [end:box]

for name, method in (("Gradcam", "gradcam"), ("Layercam", "layercam")):
    agree(f"{name}'s raw maps", np.asarray(heat[name]), [e["map"] for e in maps("cam-family", method)])

note("tf-keras-vis defines Grad-CAM++ otherwise (gradients times exp(score), α normalized over each map), "
     "so its maps are not vizsite's or pytorch-grad-cam's and are compared with no figure.")
