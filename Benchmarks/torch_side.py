"""PyTorch side of `make bench`: the reference model of DESIGN.md, measured the way
`vizsite bench` measures it (same batch, same number of threads, medians of 3 repeats).

Prints one JSON object with the keys vizsite uses. Not part of the product or the tests.
"""
import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from side_timing import arguments, inference_rate, median_ms, training_rate

ROOT = Path(__file__).resolve().parent.parent
MNIST = ROOT / "Content" / "data" / "mnist"


class MnistCNN(nn.Module):
    """Keras's mnist_cnn with channels-last input and Keras's flatten order; returns logits."""

    def __init__(self):
        super().__init__()
        self.conv2d_1 = nn.Conv2d(1, 32, 3)
        self.conv2d_2 = nn.Conv2d(32, 64, 3)
        self.dense_1 = nn.Linear(9216, 128)
        self.preds = nn.Linear(128, 10)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        h = F.relu(self.conv2d_1(x.permute(0, 3, 1, 2)))
        h = F.relu(self.conv2d_2(h))
        h = F.dropout(F.max_pool2d(h, 2), 0.25, self.training)
        h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)
        h = F.dropout(F.relu(self.dense_1(h)), 0.5, self.training)
        return self.preds(h)


def load(images, labels):
    with gzip.open(MNIST / images) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1).astype(np.float32) / 255
    with gzip.open(MNIST / labels) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def main():
    ap = arguments()
    ap.add_argument("--explain", action="store_true", help="also time the explanation libraries")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x_train, y_train = load("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
    x_test, _ = load("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    model = MnistCNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    out = {"torch_version": torch.__version__, "threads": torch.get_num_threads()}

    # Training: batch 128, Adam, dropout on; batches gathered before timing.
    model.train()
    batches = [torch.randint(0, len(x_train), (128,)) for _ in range(3 + 3 * args.train_steps)]
    batches = [(x_train[i].contiguous(), y_train[i]) for i in batches]

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(xb), yb).backward()
        opt.step()

    out["train_images_per_s"] = training_rate(step, batches, args.train_steps)

    # Inference: eval mode, inference_mode, batch 128 and one image.
    model.eval()
    with torch.inference_mode():
        chunks = [x_test[(i * 128) % 9872:(i * 128) % 9872 + 128].contiguous() for i in range(args.infer_batches)]
        out["infer_images_per_s_b128"] = inference_rate(model, chunks)
        singles = [x_test[i:i + 1].contiguous() for i in range(args.calls)]
        out["infer_latency_ms_b1"] = median_ms(model, singles)
    if args.explain:
        out.update(bench_explain(model, x_test[:1].contiguous()))
    print(json.dumps(out, indent=2))



def bench_explain(model, x1, calls=100, heavy=20):
    """The explanation figures of `vizsite bench --explain`, with the libraries a PyTorch
    user would reach for: pytorch-grad-cam for the CAM family, Captum for the saliency family."""
    from captum.attr import IntegratedGradients, NoiseTunnel, Saliency
    from pytorch_grad_cam import GradCAM, GradCAMPlusPlus, LayerCAM, ScoreCAM

    class NCHW(nn.Module):  # pytorch-grad-cam takes the image size from the last two dims
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            return self.m(x.permute(0, 2, 3, 1))

    class Conv2ReLU(nn.Module):  # a hookable post-ReLU conv2d_2 output, as Keras's layer
        def forward(self, x):
            return F.relu(x)

    model.eval()
    relu2 = Conv2ReLU()
    orig = model.forward

    def forward(x):
        h = F.relu(model.conv2d_1(x.permute(0, 3, 1, 2)))
        h = relu2(model.conv2d_2(h))
        h = F.max_pool2d(h, 2).permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        return model.preds(F.relu(model.dense_1(h)))
    model.forward = forward
    out = {}

    def med(name, fn, n, warm=3):
        for _ in range(warm):
            fn()
        ts = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            ts.append((time.perf_counter() - t0) * 1e3)
        out[f"{name}_ms"] = statistics.median(ts)

    wrapped, x_nchw = NCHW(model), x1.permute(0, 3, 1, 2).contiguous()
    for name, cls, n in [("gradcam", GradCAM, calls), ("gradcampp", GradCAMPlusPlus, calls),
                         ("layercam", LayerCAM, calls), ("scorecam", ScoreCAM, heavy)]:
        cam = cls(model=wrapped, target_layers=[relu2])
        if name == "scorecam":
            cam.batch_size = 64
        med(name, lambda: cam(input_tensor=x_nchw, targets=None), n)
        cam.activations_and_grads.release()  # its hooks would slow every later pass

    def predicted():
        with torch.no_grad():
            return int(model(x1).argmax(-1))
    sal = Saliency(model)
    med("saliency", lambda: sal.attribute(x1, target=predicted(), abs=False), calls)
    nt = NoiseTunnel(Saliency(model))
    med("smoothgrad50", lambda: nt.attribute(x1, nt_type="smoothgrad", nt_samples=50, stdevs=0.15, target=predicted()), heavy)
    ig = IntegratedGradients(model)
    med("integrated_gradients50", lambda: ig.attribute(x1, baselines=torch.zeros_like(x1), target=predicted(), n_steps=50), heavy)

    def actmax(steps=256, lr=0.01):
        xi = (0.4 + 0.2 * torch.rand(1, 28, 28, 1)).requires_grad_(True)
        for _ in range(steps):
            a = model.conv2d_2(F.relu(model.conv2d_1(xi.permute(0, 3, 1, 2))))
            (g,) = torch.autograd.grad(F.relu(a)[0, 0].mean(), xi)
            with torch.no_grad():
                xi += lr * g / (g.pow(2).mean().sqrt() + 1e-8)
                xi.clamp_(0, 1)
        return xi
    med("actmax256", actmax, max(3, heavy // 4), warm=1)
    model.forward = orig
    return out


if __name__ == "__main__":
    main()
