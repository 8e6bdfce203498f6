"""Frames with a clear note in view, for timing verification and scans.

With the shared data present, a real phone photo's hand-marked note is warped into a plain
table-top scene (read from ../shared at run time; nothing is copied into the repository).
Without it, the synthetic notes of ``tests.builders.notes`` are used. ``describe`` says which.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from desktop_app.paths import SHARED_DATA

NPR = SHARED_DATA / "npr-notes"
# Whole, flat, well-lit notes whose four marked corners are the note's own corners; tried in
# this order, the first readable one is used.
PREFERRED_PHOTOS = (
    "photos/1000/pratyasha__thousand_test_5.jpg",
    "photos/50/pratyasha__fifty_test_22.jpg",
    "photos/10/pratyasha__ten_test_40.jpg",
    "photos/1000/shivraaj98__thousand_valid_3.jpg",
)


@dataclass(frozen=True)
class NoteImage:
    image: np.ndarray  # BGR, the note flattened to a rectangle
    denomination: str
    source: str  # what the user of the benchmark is told
    ref_id: str | None = None  # the shared-data file it came from (a gallery reference id)


def _table(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A wooden-ish table: a smooth colour gradient, soft blotches and fine grain."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array([70, 105, 140], np.float32)  # BGR brown
    shade = 0.75 + 0.35 * (xx / w) * (1 - 0.4 * yy / h)
    img = base[None, None, :] * shade[..., None]
    blotches = cv2.GaussianBlur(rng.standard_normal((h // 8 + 1, w // 8 + 1)).astype(np.float32), (0, 0), 2)
    img += 18 * cv2.resize(blotches, (w, h))[..., None]
    grain = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), sigmaX=6, sigmaY=0.6)
    img += 10 * grain[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def real_note() -> NoteImage | None:
    from training.data import load_manifest

    try:
        items = {it.file: it for it in load_manifest(NPR)}
    except FileNotFoundError:
        return None
    for name in PREFERRED_PHOTOS:
        item = items.get(name)
        if item is None or not item.corners:
            continue
        image = cv2.imread(str(NPR / name), cv2.IMREAD_COLOR)
        corners = item.corners
        flat = flatten(image, corners) if image is not None else None
        if flat is None:
            continue
        return NoteImage(flat, item.denomination, f"real photo {name} (shared data, read at run time)", name)
    return None


def flatten(image: np.ndarray, corners) -> np.ndarray | None:
    """The note inside four marked corners as a flat rectangle (BGR), or None when the corners
    do not fit the image (marked on a differently oriented copy)."""
    corners = np.asarray(corners, np.float32)
    if corners.shape != (4, 2):
        return None
    h, w = image.shape[:2]
    if corners[:, 0].max() > w + 2 or corners[:, 1].max() > h + 2:
        return None
    top = (np.linalg.norm(corners[1] - corners[0]) + np.linalg.norm(corners[2] - corners[3])) / 2
    side = (np.linalg.norm(corners[3] - corners[0]) + np.linalg.norm(corners[2] - corners[1])) / 2
    out_w, out_h = int(round(top)), int(round(side))
    dst = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    return cv2.warpPerspective(image, cv2.getPerspectiveTransform(corners, dst), (out_w, out_h),
                               flags=cv2.INTER_AREA)


def synthetic_note(denomination: str = "500") -> NoteImage | None:
    try:
        from tests.builders import notes
    except ImportError:
        return None
    return NoteImage(notes.synthetic_note(denomination), denomination,
                     "synthetic note from tests/builders/notes.py")


FOREIGN = SHARED_DATA / "foreign-notes" / "inr"


def unknown_note_frame(size: tuple[int, int] = (640, 480)) -> tuple[np.ndarray, str]:
    """A frame of a note the gallery does not know, so a scan never decides early and
    verification runs on every frame of the hold: the heaviest steady load a scan can put on the
    CPU. An Indian note photo from the shared data, else a synthetic note the shipped gallery
    has never seen."""
    if FOREIGN.is_dir():
        for path in sorted(FOREIGN.iterdir()):
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None:
                frame = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
                return frame, f"foreign note photo {path.relative_to(SHARED_DATA)} (shared data)"
    note = synthetic_note("50")
    if note is not None:
        return note_scene(note, size), "synthetic note (not in the shipped gallery)"
    return _table(size, np.random.default_rng(3)), "empty table"


def clear_note(synthetic: bool = False) -> NoteImage | None:
    return synthetic_note() if synthetic else (real_note() or synthetic_note())


def note_scene(note: NoteImage, size: tuple[int, int] = (640, 480), *, fill: float = 0.6,
               angle: float = 4.0, seed: int = 0) -> np.ndarray:
    """The note lying on a table, spanning ``fill`` of the frame's limiting side, slightly
    rotated and foreshortened, as a hand-held phone or webcam sees it."""
    rng = np.random.default_rng(seed)
    w, h = size
    scene = _table(size, rng)
    nh, nw = note.image.shape[:2]
    s = fill * min(w / nw, h / nh)
    cx, cy = w / 2 + rng.uniform(-0.03, 0.03) * w, h / 2 + rng.uniform(-0.03, 0.03) * h
    half = np.array([[-nw, -nh], [nw, -nh], [nw, nh], [-nw, nh]], np.float32) * s / 2
    a = np.deg2rad(angle + rng.uniform(-1, 1))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    quad = half @ rot.T
    quad[2:, 0] *= 1.04  # the near edge a little wider: mild perspective
    quad += np.array([cx, cy], np.float32)
    src = np.array([[0, 0], [nw - 1, 0], [nw - 1, nh - 1], [0, nh - 1]], np.float32)
    H = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    warped = cv2.warpPerspective(note.image, H, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((nh, nw), 255, np.uint8), H, size, flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    return (warped * alpha + scene * (1 - alpha)).astype(np.uint8)


def camera_jitter(image: np.ndarray, count: int, seed: int = 1) -> list[np.ndarray]:
    """``count`` frames of one scene as a live camera gives them: sub-pixel hand shake and
    sensor noise, so consecutive frames are not byte-identical."""
    rng = np.random.default_rng(seed)
    h, w = image.shape[:2]
    frames = []
    for _ in range(count):
        m = np.float32([[1, 0, rng.uniform(-1.5, 1.5)], [0, 1, rng.uniform(-1.5, 1.5)]])
        moved = cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REFLECT)
        noise = rng.normal(0, 2.0, image.shape).astype(np.float32)
        frames.append(np.clip(moved + noise, 0, 255).astype(np.uint8))
    return frames
