"""Makes the text-direction lesson's model, data and test fixture.

The model is PaddleOCR's text-line direction classifier (MobileNetV3-small style,
`ch_ppocr_mobile_v2.0_cls_infer.onnx`, Apache-2.0), as the `rapidocr-onnxruntime` wheel
on PyPI ships it inside its files: a pretrained colour CNN that says whether a line of
text is upright (class "0") or upside down ("180"). The script
  - takes the model out of the wheel (pip download, pinned) into Content/models/, with the
    sidecar that says how PaddleOCR feeds it (BGR, (x / 255 - 0.5) / 0.5, 48×192);
  - renders lines of text in colour, 192×48 pixels, upright and turned half a turn, into
    the image folder Content/data/text-lines/test/{0,180}/;
  - records ONNX Runtime's probabilities for every picture, fed as rapidocr feeds them,
    in Tests/CNNTests/Fixtures/import/text-direction-expected.json.

Run from the repository root with the Benchmarks virtualenv:
    Benchmarks/.venv/bin/python Benchmarks/make_text_direction.py
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
import onnxruntime
from PIL import Image, ImageDraw, ImageFont

WHEEL = "rapidocr-onnxruntime==1.4.4"
MEMBER = "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx"
MODEL = "Content/models/text-direction.onnx"
DATA = "Content/data/text-lines/test"
EXPECTED = "Tests/CNNTests/Fixtures/import/text-direction-expected.json"

SIDECAR = """# PaddleOCR's text-line direction classifier (Apache-2.0), from the rapidocr-onnxruntime
# wheel (Benchmarks/make_text_direction.py). PaddleOCR reads pictures with OpenCV (BGR)
# and feeds (x / 255 - 0.5) / 0.5 at 48×192; the file leaves height and width open.
input_size: [48, 192]
preprocess: resize
scale: 0.00392156862745098
mean: 0.5
std: 0.5
channel_order: bgr
classes: ["0", "180"]
# The last block's output (its hard-swish, 2×96), where Grad-CAM looks by default.
cam_layer: hardswish_17.tmp_0
"""

LINES = [
    "How a convolutional network sees",
    "Feature maps of the first layer",
    "Where does the network look?",
    "Saliency maps and their noise",
    "Gradient-weighted class activation",
    "Filters learned from handwritten digits",
    "The receptive field grows with depth",
    "Max pooling keeps the strongest",
    "Integrated gradients along a path",
    "Deletion and insertion curves",
    "A heatmap is a hypothesis",
    "Sanity checks for saliency maps",
    "Occlusion: hide a patch, watch the score",
    "Mean heatmaps of every class",
    "Confusion between four and nine",
    "Activation maximization by ascent",
    "Bring your own model from PyTorch",
    "Residual blocks with batch norm",
    "Squeeze and excitation gates",
    "Which way up is this line?",
    "Read the figure, then the caption",
    "Static sites need no server",
    "Every figure is computed at build",
    "Numbers checked against PyTorch",
    "Twenty-eight by twenty-eight pixels",
    "Sixty thousand training digits",
    "Ten thousand test digits",
    "Softmax turns scores into odds",
    "The last convolution sees most",
    "Blur the map, lose the detail",
    "Colour pictures have three channels",
    "Normalize as the model was trained",
    "Upside down text fools nobody",
    "A small network, a large lesson",
    "Layer by layer, map by map",
    "Weights are numbers, not magic",
    "Guided backpropagation looks sharp",
    "Score-CAM needs no gradients",
    "Explanations are measured too",
    "Thanks for reading this far",
]

# (background, ink) colour pairs: paper, signs, screens, chalkboards.
SCHEMES = [
    ((250, 248, 240), (20, 20, 20)),
    ((255, 244, 214), (60, 40, 20)),
    ((220, 235, 250), (10, 40, 110)),
    ((30, 40, 60), (240, 240, 240)),
    ((180, 30, 40), (255, 255, 255)),
    ((30, 80, 50), (235, 240, 220)),
    ((255, 255, 255), (200, 30, 30)),
    ((245, 245, 245), (30, 90, 160)),
]


def extract_model():
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-d", folder, WHEEL], check=True,
            stdout=subprocess.DEVNULL)
        wheel = next(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".whl"))
        with zipfile.ZipFile(wheel) as z, open(MODEL, "wb") as out:
            out.write(z.read(MEMBER))
    with open(MODEL + ".yml", "w") as f:
        f.write(SIDECAR)


def render(text, index, rng):
    """A cropped text line as a detector hands it on: the text fills the height; the line,
    wider than 4:1, squeezed to 192×48 as rapidocr resizes it (cv2.resize, bilinear)."""
    background, ink = SCHEMES[index % len(SCHEMES)]
    font = ImageFont.load_default(size=rng.randint(30, 34))
    probe = ImageDraw.Draw(Image.new("RGB", (8, 8)))
    left, top, right, bottom = probe.textbbox((0, 0), text, font=font)
    width = right - left + rng.randint(8, 24)
    image = Image.new("RGB", (width, 48), background)
    draw = ImageDraw.Draw(image)
    draw.text(((width - (right - left)) // 2 - left, (48 - (bottom - top)) // 2 - top + rng.randint(-2, 2)), text,
              font=font, fill=ink)
    if width > 192:
        image = image.resize((192, 48), Image.BILINEAR)
    else:
        padded = Image.new("RGB", (192, 48), background)
        padded.paste(image, (0, 0))
        image = padded
    pixels = np.asarray(image).astype(np.int16)
    pixels += np.asarray([[[rng.randint(-6, 6)] * 3 for _ in range(192)] for _ in range(48)], dtype=np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def rapidocr_input(image):
    """As rapidocr's TextClassifier.resize_norm_img, for a 192×48 picture (no resizing)."""
    bgr = np.asarray(image)[:, :, ::-1].astype(np.float32)
    x = bgr.transpose(2, 0, 1) / 255
    return ((x - 0.5) / 0.5)[np.newaxis]


def main():
    extract_model()
    rng = random.Random(2026)
    session = onnxruntime.InferenceSession(MODEL, providers=["CPUExecutionProvider"])
    expected = {}
    for label in ["0", "180"]:
        os.makedirs(os.path.join(DATA, label), exist_ok=True)
    for i, text in enumerate(LINES):
        image = render(text, i, rng)
        for label, picture in [("0", image), ("180", image.rotate(180))]:
            path = os.path.join(DATA, label, f"{i:02d}.png")
            picture.save(path, optimize=True)
            probabilities = session.run(None, {"x": rapidocr_input(picture)})[0][0]
            expected[f"{label}/{i:02d}.png"] = [float(p) for p in probabilities]
    with open(EXPECTED, "w") as f:
        json.dump({"onnxruntime": onnxruntime.__version__, "probabilities": expected}, f, indent=1, sort_keys=True)
    right = sum(1 for k, p in expected.items() if (p[1] > p[0]) == k.startswith("180"))
    print(f"{len(expected)} pictures; ONNX Runtime classifies {right} correctly")


if __name__ == "__main__":
    main()
