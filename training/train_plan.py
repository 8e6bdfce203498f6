"""What the note model is trained and judged on, without torch: constants, the seeded plan
of synthetic frames, held-out empty scenes, and the photo score summaries
(split from training/train_model.py)."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from desktop_app.recognition.evidence import DENOMINATIONS
from training import synth

MEAN = (0.498, 0.498, 0.498)  # the Lite0 weights were trained on (x - 127) / 128
STD = (0.502, 0.502, 0.502)
EMBED_DIM = 128
PRESENCE_ON = 0.6  # desktop_app.recognition.thresholds.DEFAULT.presence_on at the time of writing
PRESENCE_OFF = 0.3


def log(*args) -> None:
    print(*args, flush=True)


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
