"""Lesson 5's activation maximization with tf-keras-vis on Keras 3."""
import keras
import numpy as np
from vizsite_snippets import keras_model, note

model = keras_model()
keras.utils.set_random_seed(0)   # tf-keras-vis jitters and rotates with the global generators

# --8<-- [start:box]
import keras
import tensorflow as tf
from tf_keras_vis.activation_maximization import ActivationMaximization
from tf_keras_vis.utils.model_modifiers import ExtractIntermediateLayer
from tf_keras_vis.utils.scores import CategoricalScore


def to_linear(m):                      # maximize the logit, not the probability (ReplaceToLinear fails on Keras 3)
    m.layers[-1].activation = keras.activations.linear


am = ActivationMaximization(model, model_modifier=to_linear, clone=True)
classes = am(CategoricalScore(list(range(10))), steps=256, input_range=(0.0, 1.0),
             seed_input=tf.random.uniform((10, 28, 28, 1), 0, 1, seed=0),   # one start image per class
             input_modifiers=[])   # its default jitter and rotation leave most of these 28×28 optima unreadable
# classes: (10, 28, 28, 1), regularized by TotalVariation2D and Norm (the defaults)

# one unit of a layer: cut the model at that layer, the score is that channel
am = ActivationMaximization(model, model_modifier=ExtractIntermediateLayer("conv2d_2"), clone=True)
texture = am(lambda out: out[..., 2], steps=96, input_range=(0.0, 1.0),
             seed_input=tf.random.uniform((1, 28, 28, 1), 0, 1, seed=0))
# --8<-- [end:box]

predicted = model.predict(np.asarray(classes), verbose=0).argmax(axis=1)
assert list(predicted) == list(range(10)), predicted
assert np.asarray(texture).shape == (1, 28, 28, 1)
note("Each optimization starts from its own random image and regularizes its own way, so its images "
     "are compared with no figure; the network gives each of the ten images its class.")
