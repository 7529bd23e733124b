"""Lesson 12's Grad-CAM over a colour line, drawn from the figure's raw values."""
import json
import shutil
import numpy as np
from vizsite_snippets import ROOT, figure, note

shutil.copy(sorted((ROOT / "Content/data/text-lines/test/0").glob("*.png"))[0], "line.png")
cam = np.array(figure("upright-cam")["images"][0]["map"]["values"])   # (2, 96), the raw values under the figure

# --8<-- [start:box]
import cv2
import matplotlib.pyplot as plt

rgb = cv2.cvtColor(cv2.imread("line.png"), cv2.COLOR_BGR2RGB)   # OpenCV's BGR to matplotlib's RGB
plt.imshow(rgb)
# cam: the 2×96 map, each cell over its 24×2 pixels, drawn as blocks rather than smoothed
plt.imshow(cam, cmap="viridis", alpha=0.4, extent=(0, rgb.shape[1], rgb.shape[0], 0), interpolation="nearest")
plt.axis("off")
plt.show()
# --8<-- [end:box]

note("It draws the figure's own raw values, so there is nothing to compare.")
