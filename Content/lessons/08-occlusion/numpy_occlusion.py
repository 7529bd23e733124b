"""Lesson 8's occlusion in a few lines of NumPy on a Keras model, against vizsite's figure."""
import keras
import numpy as np
from vizsite_snippets import agree, keras_model, maps, mnist

model = keras_model()
model.layers[-1].activation = keras.activations.linear   # logits, as the lesson's drops are
images, _ = mnist("test", 0, 2)

# --8<-- [start:box]
import numpy as np


def occlusion(model, img, cls, patch=6, stride=2):
    """img: (28, 28, 1) in 0…1; model returns logits. The mean drop at each pixel."""
    base = model.predict(img[None], verbose=0)[0, cls]
    drops, counts = np.zeros(img.shape[:2]), np.zeros(img.shape[:2])
    batch, boxes = [], []
    for y in range(0, 28 - patch + 1, stride):
        for x in range(0, 28 - patch + 1, stride):
            covered = img.copy()
            covered[y:y + patch, x:x + patch] = 0.0
            batch.append(covered)
            boxes.append((y, x))
    scores = model.predict(np.stack(batch), verbose=0)[:, cls]
    for (y, x), s in zip(boxes, scores):
        drops[y:y + patch, x:x + patch] += base - s
        counts[y:y + patch, x:x + patch] += 1
    return drops / np.maximum(counts, 1)
# --8<-- [end:box]


ours = [occlusion(model, image[..., None], int(model.predict(image[None, ..., None], verbose=0).argmax()))
        for image in images]
agree("the drops of test[0:2]", ours, [e["map"] for e in maps("patches6")[:2]])
