"""A seeded hard set: real notes made difficult, and note-sized things that are not notes.

    from training.hardset import generate
    samples = generate(held_out_items, seed=7)   # list[HardSample]

Positives start from a held-out reference scan, or from a held-out real photo cut out along
its outline (``Item.corners``), so an evaluation can build them from the references and
photos that are NOT in a fold's gallery: every sample names its ``source``. Each positive gets
one to ``max_transforms`` of ``TRANSFORMS``, recorded in ``transforms``:

- fold: part of the note bent away, foreshortened and shaded; curl: a wavy, curled note;
- occlusion: a thumb or fingers across an edge;
- perspective: strongly tilted; small_cluttered: 12-28 % of the frame width on clutter;
- motion_blur, low_light, noise, jpeg: what a cheap webcam in a dim room does.
Without a placement transform the note is large, nearly frontal, on a plain surface or
clutter (training.scenes, not the clutter generator the model trains on).

Negatives (``denomination`` None) are text-rich layouts: book covers, receipts and flyers,
placed and degraded the same way. Deterministic: the same items, seed and arguments give
byte-identical images (numpy's seeded generator per sample; OpenCV calls are deterministic).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from training import synth
from training.data import NPR_DIR, Item, read_image
from training.hardset_effects import FRAME_EFFECTS, curl, fold, occlude
from training.scenes import clutter_scene

FRAME = (480, 640)  # (h, w): the app's camera frame
NOTE_LONG_SIDE = 600
TRANSFORMS = ("fold", "curl", "occlusion", "perspective", "small_cluttered",
              "motion_blur", "low_light", "noise", "jpeg")
NEGATIVE_KINDS = ("book_cover", "receipt", "flyer")


@dataclass(frozen=True)
class HardSample:
    image: np.ndarray  # BGR frame, FRAME-sized
    kind: str  # "note" or one of NEGATIVE_KINDS
    denomination: str | None  # None for negatives
    side: str | None
    source: str | None  # the held-out Item.file the note came from; None for negatives
    transforms: tuple[str, ...]
    quad: np.ndarray | None = field(default=None, repr=False)  # the object's corners in the frame


def flat_note(item: Item, root: Path = NPR_DIR) -> tuple[np.ndarray, np.ndarray]:
    """The note flattened to a rectangle (BGR, alpha): a scan as it is, a photo warped from
    its outline with what lay outside the outline or the frame transparent."""
    from desktop_app.recognition.flatten import note_quad

    image = read_image(root / item.file)
    if item.kind == "ref":
        alpha = np.full(image.shape[:2], 255, np.uint8)
    else:
        if not item.corners:
            raise ValueError(f"{item.file}: a photo needs its note outline (Item.corners)")
        poly = np.asarray(item.corners, np.float32)
        quad = note_quad(poly)
        w = int(round((np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2))
        h = int(round((np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2))
        m = cv2.getPerspectiveTransform(quad, np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
        valid = np.zeros(image.shape[:2], np.uint8)
        cv2.fillPoly(valid, [np.round(poly).astype(np.int32)], 255)
        image = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_AREA)
        alpha = cv2.warpPerspective(valid, m, (w, h), flags=cv2.INTER_NEAREST)
    s = NOTE_LONG_SIDE / max(image.shape[:2])
    if s < 1:
        size = (round(image.shape[1] * s), round(image.shape[0] * s))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        alpha = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
    return image, alpha


def scene(rng: np.random.Generator, shape=FRAME) -> np.ndarray:
    """A plain surface or a cluttered desk. Clutter comes from training.scenes, a generator
    the model's training frames (training.synth's own clutter) never use; no scikit-image."""
    if rng.random() < 0.5:
        return synth.plain_surface(rng, shape)
    h, w = shape
    # training.scenes draws at least 60 x 20 px of text: draw small panels larger, then shrink
    big = clutter_scene(int(rng.integers(2 ** 31)), (max(w, 160), max(h, 120)))
    return big if big.shape[:2] == (h, w) else cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)


def place(rng: np.random.Generator, image: np.ndarray, alpha: np.ndarray, *, small: bool = False,
          perspective: bool = False, shape=FRAME) -> tuple[np.ndarray, np.ndarray]:
    """The cut-out pasted into a scene; returns the frame and the cut-out's corners in it."""
    h, w = image.shape[:2]
    if small:
        canvas = synth.clutter_scene(rng, shape)
        scale, visible = (0.12, 0.28), 1.0
    else:
        canvas = scene(rng, shape)
        scale, visible = (0.55, 0.9), 0.97
    jitter = rng.uniform(0.18, 0.3) if perspective else rng.uniform(0.0, 0.03)
    quad = synth.quad_for(rng, w, h, shape, scale=scale, jitter=jitter, min_visible=visible,
                          convex=True)
    return synth.paste(canvas, image, alpha, quad), quad


def degrade(rng: np.random.Generator, frame: np.ndarray, transforms: Sequence[str]) -> np.ndarray:
    """The frame transforms among ``transforms``, in a fixed, camera-like order."""
    for name in ("low_light", "motion_blur", "noise", "jpeg"):
        if name in transforms:
            frame = FRAME_EFFECTS[name](rng, frame)
    return frame


def render_note(rng: np.random.Generator, image: np.ndarray, alpha: np.ndarray,
                transforms: Sequence[str], shape=FRAME) -> tuple[np.ndarray, np.ndarray]:
    unknown = sorted(set(transforms) - set(TRANSFORMS))
    if unknown:
        raise ValueError(f"unknown transform(s) {unknown}; known: {TRANSFORMS}")
    if "fold" in transforms:
        image, alpha = fold(rng, image, alpha)
    if "curl" in transforms:
        image, alpha = curl(rng, image, alpha)
    frame, quad = place(rng, image, alpha, small="small_cluttered" in transforms,
                        perspective="perspective" in transforms, shape=shape)
    if "occlusion" in transforms:
        frame = occlude(rng, frame, quad)
    return degrade(rng, frame, transforms), quad


# ------------------------------------------------------------------ negatives
def _text(rng: np.random.Generator, img: np.ndarray, org, words: int, scale: float, colour, font: int) -> None:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789"
    text = "".join(alphabet[i] for i in rng.integers(0, len(alphabet), words * 5)).strip() or "TEXT"
    cv2.putText(img, text, (int(org[0]), int(org[1])), font, scale, colour, max(1, int(scale * 2)), cv2.LINE_AA)


def book_cover(rng: np.random.Generator) -> np.ndarray:
    """A book cover: coloured board, a big title, an author line, a picture panel, a spine band."""
    w = int(rng.integers(220, 320))
    h = int(w * rng.uniform(1.3, 1.6))
    img = synth.gradient(rng, (h, w), synth.random_colour(rng), synth.random_colour(rng)).astype(np.uint8)
    top, bottom = int(h * rng.uniform(0.3, 0.45)), int(h * rng.uniform(0.75, 0.9))
    left = w // 10
    img[top:bottom, left:w - left] = scene(rng, (bottom - top, w - 2 * left))
    # titles are printed to be read: ink far from the board's colour
    light_board = img.reshape(-1, 3).mean(0) > 127
    ink = tuple(int(v) for v in np.where(light_board, rng.integers(0, 60, 3), rng.integers(200, 256, 3)))
    for i in range(int(rng.integers(1, 3))):
        _text(rng, img, (w * 0.08, h * (0.1 + 0.09 * i) + 20), int(rng.integers(2, 4)),
              rng.uniform(0.8, 1.3), ink, cv2.FONT_HERSHEY_DUPLEX)
    _text(rng, img, (w * 0.1, h * 0.96), 3, rng.uniform(0.45, 0.7), ink, cv2.FONT_HERSHEY_SIMPLEX)
    img[:, : max(4, w // 25)] = synth.random_colour(rng, 0, 120)
    return img


def receipt(rng: np.random.Generator) -> np.ndarray:
    """A till receipt: a narrow white strip of monospaced item lines, prices, rules, a total."""
    w = int(rng.integers(150, 220))
    h = int(w * rng.uniform(1.8, 2.8))
    img = np.full((h, w, 3), int(rng.integers(225, 250)), np.uint8)
    y = 18
    _text(rng, img, (w * 0.2, y), 2, 0.5, (30, 30, 30), cv2.FONT_HERSHEY_PLAIN)
    while y < h - 30:
        y += int(rng.integers(11, 16))
        if rng.random() < 0.12:
            cv2.line(img, (6, y - 4), (w - 6, y - 4), (60, 60, 60), 1, cv2.LINE_4)
            continue
        _text(rng, img, (6, y), 2, 0.7, (40, 40, 40), cv2.FONT_HERSHEY_PLAIN)
        cv2.putText(img, f"{rng.integers(10, 9999)}.{rng.integers(0, 99):02d}", (w - 52, y),
                    cv2.FONT_HERSHEY_PLAIN, 0.7, (40, 40, 40), 1, cv2.LINE_AA)
    return img


def flyer(rng: np.random.Generator) -> np.ndarray:
    """A random text-rich layout: headings, paragraphs, boxes, a picture, note-like proportions."""
    w = int(rng.integers(240, 340))
    h = int(w / rng.choice([2.2, 1.6, 1.41, 0.71]))
    paper = synth.random_colour(rng, 150, 256), synth.random_colour(rng, 150, 256)
    img = synth.gradient(rng, (h, w), *paper).astype(np.uint8)
    for _ in range(int(rng.integers(2, 6))):
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 30))
        x1, y1 = min(w, x0 + int(rng.integers(40, w // 2 + 41))), min(h, y0 + int(rng.integers(20, h // 2 + 21)))
        if rng.random() < 0.4:
            img[y0:y1, x0:x1] = scene(rng, (y1 - y0, x1 - x0))
        else:
            cv2.rectangle(img, (x0, y0), (x1, y1), synth.random_colour(rng, 0, 200), int(rng.choice([-1, 1, 2])))
    synth.random_text(rng, img, int(rng.integers(8, 20)), colour=synth.random_colour(rng, 0, 90))
    return img


NEGATIVE_MAKERS = {"book_cover": book_cover, "receipt": receipt, "flyer": flyer}


def negative_frame(rng: np.random.Generator, kind: str, transforms: Sequence[str],
                   shape=FRAME) -> tuple[np.ndarray, np.ndarray]:
    obj = NEGATIVE_MAKERS[kind](rng)
    return render_note(rng, obj, np.full(obj.shape[:2], 255, np.uint8), transforms, shape)


# ------------------------------------------------------------------ the set
def draw_transforms(rng: np.random.Generator, allowed: Sequence[str], max_transforms: int) -> tuple[str, ...]:
    k = int(rng.integers(1, max_transforms + 1))
    picked = rng.choice(len(allowed), size=min(k, len(allowed)), replace=False)
    return tuple(allowed[i] for i in sorted(picked))


def generate(items: Sequence[Item], seed: int, *, per_source: int = 4, negatives: int = 12,
             transforms: Sequence[str] = TRANSFORMS, max_transforms: int = 3, root: Path = NPR_DIR,
             shape=FRAME) -> list[HardSample]:
    """``per_source`` hard frames of every item (references and outlined photos; photos
    without an outline are skipped) followed by ``negatives`` non-notes, cycling through
    NEGATIVE_KINDS. Sample i draws from ``default_rng([seed, i])``."""
    allowed = tuple(transforms)
    unknown = sorted(set(allowed) - set(TRANSFORMS))
    if unknown or not allowed:
        raise ValueError(f"transforms must be a non-empty subset of {TRANSFORMS}, got {unknown or 'none'}")
    out: list[HardSample] = []
    index = 0
    for item in items:
        if item.kind == "photo" and not item.corners:
            continue
        image, alpha = flat_note(item, root)
        for _ in range(per_source):
            rng = np.random.default_rng([seed, index])
            index += 1
            chosen = draw_transforms(rng, allowed, max_transforms)
            frame, quad = render_note(rng, image, alpha, chosen, shape)
            out.append(HardSample(frame, "note", item.denomination, item.side, item.file, chosen, quad))
    for n in range(negatives):
        rng = np.random.default_rng([seed, index])
        index += 1
        kind = NEGATIVE_KINDS[n % len(NEGATIVE_KINDS)]
        chosen = draw_transforms(rng, tuple(t for t in allowed if t not in ("fold", "curl")) or ("perspective",),
                                 max_transforms)
        frame, quad = negative_frame(rng, kind, chosen, shape)
        out.append(HardSample(frame, kind, None, None, None, chosen, quad))
    return out
