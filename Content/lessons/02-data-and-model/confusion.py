"""Lesson 2's confusion matrix with scikit-learn and matplotlib, against vizsite's figure."""
import numpy as np
import torch
from vizsite_snippets import agree, figure, mnist, torch_model

model = torch_model()
images, y_test = mnist("test", 0, 10000)
with torch.no_grad():
    logits = model(torch.from_numpy(images)[:, None]).numpy()

# --8<-- [start:box]
import numpy as np
import matplotlib.pyplot as plt
from sklearn.metrics import confusion_matrix
# --8<-- [end:box]

# --8<-- [start:fonts]
# Chinese labels need a font that has them (otherwise matplotlib draws boxes)
plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "SimHei", "Microsoft YaHei", "PingFang SC", "DejaVu Sans"]
plt.rcParams["axes.unicode_minus"] = False   # SimHei lacks the minus sign of the colorbar's ticks
# --8<-- [end:fonts]

# --8<-- [start:plot]
pred = logits.argmax(axis=1)                       # logits = model(x_test): the network's answers
cm = confusion_matrix(y_test, pred)                # rows: the true label, columns: the prediction
fig, ax = plt.subplots(figsize=(5, 5))
image = ax.imshow(cm + 1, cmap="Blues", norm="log")   # a log scale: thousands and single digits both show
for i in range(10):
    for j in range(10):
        ax.text(j, i, cm[i, j], ha="center", va="center", fontsize=7)
ax.set_xlabel("predicted")
ax.set_ylabel("true label")
fig.colorbar(image)
plt.show()
# --8<-- [end:plot]

agree("the counts", cm, figure("confusion")["counts"], tolerance=0)
