"""Lesson 6's absolute gradient with tf-keras-vis on Keras 3, compared with vizsite's figure."""
import numpy as np
from vizsite_snippets import agree, keras_model, maps, mnist, note

model = keras_model()
images, _ = mnist("test", 0, 4)
x = images[..., None]

# --8<-- [start:box]
import keras
from tf_keras_vis.saliency import Saliency
from tf_keras_vis.utils.scores import CategoricalScore


def to_linear(m):                      # explain the logit, not the softmax (ReplaceToLinear fails on Keras 3)
    m.layers[-1].activation = keras.activations.linear


saliency = Saliency(model, model_modifier=to_linear, clone=True)
score = CategoricalScore(list(model.predict(x, verbose=0).argmax(axis=1)))   # one class per image
vanilla = saliency(score, x, normalize_map=False)   # |gradient|, largest over channels; not scaled to 0…1
smooth = saliency(score, x, smooth_samples=50, smooth_noise=0.15, normalize_map=False)   # mean of |gradient|
# --8<-- [end:box]

agree("the gradients' magnitudes of test[0:4]", np.asarray(vanilla), [m["map"] for m in maps("absolute")])
note("SmoothGrad draws its own noise and is compared with no figure.")
