"""Makes Tests/CNNTests/Fixtures/vit/: small Vision Transformers with seeded random weights,
exported from PyTorch by both ONNX exporters, and what PyTorch and pytorch-grad-cam compute
for one image, for `make test` to check vizsite against with no Python.

- vit-tiny: torchvision's own VisionTransformer (`nn.MultiheadAttention`, which moves the
  batch axis second and folds it into the heads), 28×28×3 in 7×7 patches, 2 blocks of
  2 heads, 32 features;
- deit-tiny: a DeiT-style ViT written as timm writes its blocks (one qkv Linear, reshape
  and permute into heads, q·kᵀ·scale, softmax, ·v), with a class token and a distillation
  token (two tokens before the patches) and the mean of the two heads;
- swin-tiny: torchvision's own SwinTransformer, 32×32×3 in 4×4 patches, windows of 4×4,
  two stages of two blocks (shifted windows with their masks, relative position bias,
  patch merging), 16 and 32 features.

Each `NAME.json` holds the input (HWC, in [0, 1]), PyTorch's probabilities, the gradient of
the predicted class's logit with respect to the input (HWC), attention rollout and Chefer et
al.'s gradient-weighted attention computed from PyTorch's attention weights and their
gradients (the class token's row at the patch tokens), and per block pytorch-grad-cam's
Grad-CAM at the block's first LayerNorm with the ViT `reshape_transform` (class tokens
dropped, patch tokens on their grid) — for the Swin, at each stage's last `norm2` and the
final norm, its `[B, H, W, C]` maps permuted — at the grid's resolution and scaled to [0, 1]
as pytorch-grad-cam scales it (`gradcam_norms`: which LayerNormalization, counted in graph
order, each map is at). Attention maps are given for the ViTs only. Weights are torch's initialization plus seeded noise, so that
heads, embeddings and biases are all non-zero.

    Benchmarks/.venv/bin/pip install torch torchvision onnxscript grad-cam
    Benchmarks/.venv/bin/python Benchmarks/make_vit_fixtures.py
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
from torchvision.models.swin_transformer import SwinTransformer
from torchvision.models.vision_transformer import VisionTransformer

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "CNNTests", "Fixtures", "vit")
SIZE, PATCH, GRID = 28, 7, 4


class Block(nn.Module):
    """A pre-norm transformer block as timm writes it."""

    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def attention(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        weights = (q @ k.transpose(-2, -1) * (c // self.heads) ** -0.5).softmax(dim=-1)
        if weights.requires_grad:
            weights.retain_grad()
        self.weights = weights
        return self.proj((weights @ v).transpose(1, 2).reshape(b, n, c))

    def forward(self, x):
        x = x + self.attention(self.norm1(x))
        return x + self.fc2(nn.functional.gelu(self.fc1(self.norm2(x))))


class DeiT(nn.Module):
    def __init__(self, dim=32, depth=2, heads=2, hidden=64, classes=10):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, PATCH, PATCH)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.dist_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, GRID * GRID + 2, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, hidden) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)
        self.head_dist = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        b = x.shape[0]
        x = torch.cat([self.cls_token.expand(b, -1, -1), self.dist_token.expand(b, -1, -1), x], dim=1)
        x = x + self.pos_embed
        for block in self.blocks:
            x = block(x)
        x = self.norm(x)
        return (self.head(x[:, 0]) + self.head_dist(x[:, 1])) / 2


def perturbed(model, seed):
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.3)
    return model.eval()


def record_attention(vit):
    """Replaces torchvision's attention by the same arithmetic written out, so that each
    block keeps its attention weights per head and their gradient (nn.MultiheadAttention
    returns a reshaped copy, which the output does not depend on)."""
    for block in vit.encoder.layers:
        attention = block.self_attention

        def forward(q, k, v, need_weights=False, attention=attention, block=block):
            b, t, e = q.shape
            h = attention.num_heads
            qkv = nn.functional.linear(q, attention.in_proj_weight, attention.in_proj_bias)
            q, k, v = (part.reshape(b, t, h, e // h).transpose(1, 2) for part in qkv.chunk(3, -1))
            weights = (q @ k.transpose(-2, -1) / (e // h) ** 0.5).softmax(-1)
            weights.retain_grad()
            block.weights = weights
            out = (weights @ v).transpose(1, 2).reshape(b, t, e)
            return attention.out_proj(out), None

        attention.forward = forward


def attention_maps(blocks, leading):
    """Attention rollout (Abnar & Zuidema 2020: heads averaged, ½A + ½I, rows normalized,
    multiplied through) and Chefer et al. 2021's gradient-weighted rule (R ← R + E_h[(∇A ⊙
    A)⁺]·R): the class token's row at the patch tokens."""
    tokens = blocks[0].weights.shape[-1]
    rollout, weighted = np.eye(tokens), np.eye(tokens)
    for block in blocks:
        a = block.weights[0].detach().double().numpy()
        g = block.weights.grad[0].double().numpy()
        mixed = 0.5 * a.mean(0) + 0.5 * np.eye(tokens)
        rollout = (mixed / mixed.sum(-1, keepdims=True)) @ rollout
        weighted = weighted + np.maximum(g * a, 0).mean(0) @ weighted
    return rollout[0, leading:].tolist(), weighted[0, leading:].tolist()


def grad_cam(model, layer, leading, x, k, grid=GRID):
    def reshape(t):
        if leading is None:  # Swin: [B, H, W, C]
            return t.permute(0, 3, 1, 2)
        cells = t[:, leading:, :].reshape(t.size(0), grid, grid, t.size(2))
        return cells.transpose(2, 3).transpose(1, 2)

    class GridCAM(GradCAM):
        def get_target_width_height(self, input_tensor):
            return grid, grid

    cam = GridCAM(model=model, target_layers=[layer], reshape_transform=reshape)
    return cam(input_tensor=x, targets=[ClassifierOutputTarget(k)])[0]


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    rng = np.random.default_rng(7)
    image = rng.random((SIZE, SIZE, 3)).astype(np.float32)
    x = torch.tensor(image).permute(2, 0, 1)[None]
    vit = perturbed(
        VisionTransformer(
            image_size=SIZE, patch_size=PATCH, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64, num_classes=10),
        1)
    deit = perturbed(DeiT(), 2)
    models = {
        "vit-tiny": (vit, [block.ln_1 for block in vit.encoder.layers], 1, list(vit.encoder.layers)),
        "deit-tiny": (deit, [block.norm1 for block in deit.blocks], 2, list(deit.blocks)),
    }
    for name, (model, norms, leading, blocks) in models.items():
        write(name, model, x, image, norms, leading, blocks, [2 * n for n in range(len(norms))])
    swin = perturbed(
        SwinTransformer(
            patch_size=[4, 4], embed_dim=16, depths=[2, 2], num_heads=[2, 4], window_size=[4, 4], num_classes=10),
        3)
    image = rng.random((32, 32, 3)).astype(np.float32)
    x = torch.tensor(image).permute(2, 0, 1)[None]
    # LayerNorms in graph order: the patch embedding's, each block's norm1 and norm2, patch
    # merging's, the final one.
    write(
        "swin-tiny", swin, x, image, [(swin.features[1][-1].norm2, 8), (swin.features[3][-1].norm2, 4), (swin.norm, 4)],
        None, None, [4, 9, 10])


def write(name, model, x, image, norms, leading, blocks, indices):
    """Exports `model` both ways and writes its fixture. `norms`: the layers Grad-CAM looks
    at, each `(layer, grid side)` for a Swin (`leading` None: no tokens to drop); `blocks`:
    those holding attention weights, or None."""
    for exporter in ["dynamo", "torchscript"]:
        torch.onnx.export(
            model, (x,), os.path.join(OUT, f"{name}-{exporter}.onnx"), dynamo=exporter == "dynamo",
            input_names=["input"], output_names=["logits"], external_data=False)
    if isinstance(model, VisionTransformer):
        with torch.no_grad():
            plain = model(x)
        record_attention(model)
        assert torch.allclose(plain, model(x), atol=1e-5)
    pixels = x.clone().requires_grad_(True)
    logits = model(pixels)
    k = int(logits.argmax())
    logits[0, k].backward()
    rollout, weighted = attention_maps(blocks, leading) if blocks else (None, None)
    if leading is None:
        cams = [grad_cam(model, layer, None, x, k, grid=side) for layer, side in norms]
    else:
        cams = [grad_cam(model, layer, leading, x, k) for layer in norms]
    fixture = {
        "size": image.shape[0],
        "input": image.reshape(-1).tolist(),
        "probabilities": torch.softmax(logits, -1)[0].tolist(),
        "class": k,
        "input_gradient": pixels.grad[0].permute(1, 2, 0).reshape(-1).tolist(),
        "gradcam": [cam.reshape(-1).tolist() for cam in cams],
        "gradcam_norms": indices,
        "rollout": rollout,
        "attention_gradient": weighted,
        "torch": torch.__version__,
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(fixture, f)
    print(name, "class", k, "p", max(fixture["probabilities"]), "cam max", [float(c.max()) for c in cams])


if __name__ == "__main__":
    main()
