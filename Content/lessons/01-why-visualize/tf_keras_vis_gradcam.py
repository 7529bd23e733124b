"""Lesson 1's Grad-CAM with tf-keras-vis on Keras 3, compared with vizsite's figure of test[0]."""
import numpy as np
from vizsite_snippets import agree, keras_model, maps, mnist

model = keras_model()
x_test, _ = mnist("test", 0, 1)
x_test = (x_test * 255).round().astype("uint8")[..., None]

# --8<-- [start:box]
# Keras 3 / TensorFlow 2.16 and later: pip install tf-keras-vis
import keras
from tf_keras_vis.gradcam import Gradcam
from tf_keras_vis.utils.scores import CategoricalScore


def to_linear(m):                      # explain the logit, not the softmax (ReplaceToLinear fails on Keras 3)
    m.layers[-1].activation = keras.activations.linear


x = x_test[:1].astype("float32") / 255.0           # shape (1, 28, 28, 1)
pred = model.predict(x, verbose=0).argmax(axis=1)   # the class the network predicts
gradcam = Gradcam(model, model_modifier=to_linear, clone=True)
cam = gradcam(CategoricalScore(list(pred)), x, penultimate_layer="conv2d_2",
              seek_penultimate_conv_layer=False,
              normalize_cam=False, expand_cam=False)   # raw: (1, 24, 24), not stretched nor scaled to 0…1
# --8<-- [end:box]

agree("Grad-CAM of test[0]", np.asarray(cam), [e["map"] for e in maps("cam6") if e["image"] == "test[0]"])
