"""Trains the small Vision Transformer lesson 16 sets beside the CNN, exports it, and
records what PyTorch computes, so the lesson and its test can show vizsite's numbers agree.

- Content/models/vit-mnist.onnx: a ViT written as timm writes its blocks (the DeiT-style
  block of make_vit_fixtures.py) on 28×28 grey digits cut into 4×4 patches (a 7×7 grid of
  49 patch tokens and a class token), 4 blocks of 4 heads, 64 features, MLP 128, trained by
  PyTorch with AdamW for 5 epochs (pixels in [0, 1], as vizsite feeds MNIST), exported by
  PyTorch's default exporter.
- Tests/CNNTests/Fixtures/import/vit-mnist.json: PyTorch's test accuracy, and for test digits
  0–3 its probabilities, Grad-CAM at the last block's first LayerNorm (pytorch-grad-cam's
  arithmetic: class token dropped, patch tokens on the 7×7 grid, unscaled), attention
  rollout and gradient-weighted attention (from PyTorch's own attention weights).

    Benchmarks/.venv/bin/python Benchmarks/make_vit_mnist.py
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, HERE)
from make_content_models import mnist  # noqa: E402
from make_vit_fixtures import Block, attention_maps  # noqa: E402

PATCH, GRID, DIM, DEPTH, HEADS, HIDDEN = 4, 7, 64, 4, 4, 128


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(1, DIM, PATCH, PATCH)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, DIM))
        self.pos_embed = nn.Parameter(torch.randn(1, GRID * GRID + 1, DIM) * 0.02)
        self.blocks = nn.ModuleList([Block(DIM, HEADS, HIDDEN) for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(DIM, eps=1e-6)
        self.head = nn.Linear(DIM, 10)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


def main():
    torch.manual_seed(1)
    torch.set_num_threads(2)
    x_train, y_train, x_test, y_test = mnist()
    xs, ys = torch.from_numpy(x_train).permute(0, 3, 1, 2), torch.from_numpy(y_train).long()
    xt, yt = torch.from_numpy(x_test).permute(0, 3, 1, 2), torch.from_numpy(y_test).long()
    model = ViT()
    epochs, batch = 5, 128
    optimizer = torch.optim.AdamW(model.parameters(), 1e-3, weight_decay=0.05)
    steps = epochs * ((len(xs) + batch - 1) // batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, 2e-3, total_steps=steps)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(xs))
        for i in range(0, len(xs), batch):
            index = order[i:i + batch]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xs[index]), ys[index]).backward()
            optimizer.step()
            schedule.step()
        model.eval()
        with torch.no_grad():
            accuracy = float(torch.cat([model(xt[i:i + 1000]).argmax(1) for i in range(0, len(xt), 1000)])
                             .eq(yt).float().mean())
        print(f"epoch {epoch + 1}: test accuracy {accuracy:.4f}", flush=True)

    path = os.path.join(ROOT, "Content", "models", "vit-mnist.onnx")
    torch.onnx.export(model, (xt[:1],), path, dynamo=True, external_data=False)

    # What PyTorch computes for test digits 0–3.
    x = xt[:4].clone()
    norm = model.blocks[-1].norm1
    saved = {}

    def keep(module, inputs, output):
        saved["a"] = output
        return output

    hook = norm.register_forward_hook(keep)
    logits = model(x)
    hook.remove()
    top = logits.argmax(1)
    activations = saved["a"]
    (gradients,) = torch.autograd.grad(logits[torch.arange(4), top].sum(), activations, retain_graph=True)
    a = activations[:, 1:].detach().reshape(4, GRID, GRID, DIM).numpy()
    g = gradients[:, 1:].reshape(4, GRID, GRID, DIM).numpy()
    gradcam = np.maximum((a * g.mean(axis=(1, 2), keepdims=True)).sum(-1), 0)
    rollout, weighted = [], []
    for i in range(4):
        model.zero_grad()
        out = model(x[i:i + 1])
        for block in model.blocks:
            block.weights.retain_grad()
        out[0, int(top[i])].backward()
        r, w = attention_maps(model.blocks, leading=1)
        rollout.append(np.asarray(r).reshape(GRID, GRID).tolist())
        weighted.append(np.asarray(w).reshape(GRID, GRID).tolist())
    record = {
        "file": "Content/models/vit-mnist.onnx", "framework": f"torch {torch.__version__}",
        "test_accuracy": accuracy,
        "parameters": sum(p.numel() for p in model.parameters()),
        "probabilities": torch.softmax(logits, 1).detach().numpy().tolist(),
        "top": top.tolist(),
        "gradcam": gradcam.tolist(), "rollout": rollout, "attention_gradient": weighted,
    }
    with open(os.path.join(ROOT, "Tests", "CNNTests", "Fixtures", "import", "vit-mnist.json"), "w") as f:
        json.dump(record, f)


if __name__ == "__main__":
    main()
