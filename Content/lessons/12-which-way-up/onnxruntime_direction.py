"""Lesson 12's direction classifier run by ONNX Runtime as PaddleOCR feeds it, against vizsite."""
import shutil
import numpy as np
from vizsite_snippets import ROOT, agree, figure

shutil.copy(ROOT / "Content/models/text-direction.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx")
lines = sorted((ROOT / "Content/data/text-lines/test/0").glob("*.png"))[:3]

# --8<-- [start:box]
import cv2
import numpy as np
import onnxruntime as ort

session = ort.InferenceSession("ch_ppocr_mobile_v2.0_cls_infer.onnx")


def direction(path):
    img = cv2.imread(str(path))                         # OpenCV reads BGR, as PaddleOCR does
    # these lines are 48×192 already; PaddleOCR keeps a longer line's aspect ratio and pads
    img = cv2.resize(img, (192, 48)).astype("float32") / 255.0
    x = ((img - 0.5) / 0.5).transpose(2, 0, 1)[None]   # (1, 3, 48, 192), channels first
    return session.run(None, {session.get_inputs()[0].name: x})[0][0]   # [p(0°), p(180°)]
# --8<-- [end:box]


agree("the probabilities of three upright lines", [direction(p) for p in lines],
      [image["probabilities"] for image in figure("upright-cam")["images"]])
