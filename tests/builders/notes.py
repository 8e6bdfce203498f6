"""Synthetic notes, scenes and galleries for fast tests (no shared data needed)."""
from __future__ import annotations

import zlib

import cv2
import numpy as np

from desktop_app.recognition.gallery import ReferenceGallery
from training.scenes import clutter_scene

_SHARED_SEED = 1234  # artwork every synthetic denomination has in common (like the Everest panel)


def _seed(*parts: str) -> int:
    return zlib.crc32("/".join(parts).encode())


def _scribble(img: np.ndarray, rng: np.random.Generator, box: tuple[int, int, int, int],
              n: int) -> None:
    x0, y0, x1, y1 = box
    for _ in range(n):
        color = tuple(int(v) for v in rng.integers(0, 200, 3))
        kind = rng.integers(0, 4)
        p = (int(rng.integers(x0, x1)), int(rng.integers(y0, y1)))
        if kind == 0:
            cv2.circle(img, p, int(rng.integers(3, 18)), color, int(rng.choice([-1, 1, 2])))
        elif kind == 1:
            q = (int(rng.integers(x0, x1)), int(rng.integers(y0, y1)))
            cv2.line(img, p, q, color, int(rng.integers(1, 3)))
        elif kind == 2:
            q = (p[0] + int(rng.integers(5, 30)), p[1] + int(rng.integers(5, 30)))
            cv2.rectangle(img, p, q, color, int(rng.choice([-1, 1])))
        else:
            text = "".join(chr(int(c)) for c in rng.integers(65, 91, int(rng.integers(2, 5))))
            cv2.putText(img, text, p, int(rng.choice([0, 1, 2, 3])), float(rng.uniform(0.4, 1.0)),
                        color, 1, cv2.LINE_AA)


def synthetic_note(denomination: str, side: str = "front",
                   size: tuple[int, int] = (600, 280)) -> np.ndarray:
    """A deterministic, richly textured BGR 'note'. Every denomination shares a left panel of
    common artwork; the rest, with its numerals, is specific to the denomination and side."""
    w, h = size
    rng = np.random.default_rng(_seed(denomination, side))
    base = np.array(rng.integers(150, 240, 3), np.uint8)
    img = np.empty((h, w, 3), np.uint8)
    img[:] = base
    cv2.rectangle(img, (3, 3), (w - 4, h - 4), (40, 40, 40), 3)
    panel = (10, 10, w // 3, h - 10)
    _scribble(img, np.random.default_rng(_SHARED_SEED), panel, 160)
    _scribble(img, rng, (w // 3, 10, w - 10, h - 10), 320)
    cv2.putText(img, denomination, (w - 40 - 28 * len(denomination), h - 25),
                cv2.FONT_HERSHEY_DUPLEX, 1.6, (20, 20, 90), 3, cv2.LINE_AA)
    return img


def unknown_design_with_one_element_of(value: str) -> np.ndarray:
    """A Rs 50 note (a design a gallery without Rs 50 does not know: it shares only the common
    panel) carrying one element of the ``value`` note at the same place, inside one region of
    ``verifier.REGION_GRID`` right of the middle, as the seal or a word can be shared."""
    from desktop_app.recognition.verifier import REGION_GRID

    note = synthetic_note("50")
    w, h = note.shape[1], note.shape[0]
    cols, rows = REGION_GRID
    x0, y0 = 4 * w // cols + 4, h // rows + 4
    x1, y1 = 5 * w // cols - 4, 2 * h // rows - 4
    note[y0:y1, x0:x1] = synthetic_note(value)[y0:y1, x0:x1]
    return note


def place_note(note: np.ndarray, background: np.ndarray, corners) -> np.ndarray:
    """Perspective-warp ``note`` so its corners (TL, TR, BR, BL) land on ``corners``."""
    h, w = note.shape[:2]
    src = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    H = cv2.getPerspectiveTransform(src, np.asarray(corners, np.float32))
    bh, bw = background.shape[:2]
    warped = cv2.warpPerspective(note, H, (bw, bh), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), H, (bw, bh),
                               flags=cv2.INTER_NEAREST)
    out = background.copy()
    out[mask > 0] = warped[mask > 0]
    return out


def other_colours(note: np.ndarray, donor: np.ndarray) -> np.ndarray:
    """The same note in grey (what SIFT sees) with the colours of another design: its
    lightness kept, its chroma taken from ``donor``."""
    lab = cv2.cvtColor(note, cv2.COLOR_BGR2LAB)
    lab[..., 1:] = cv2.cvtColor(cv2.resize(donor, note.shape[1::-1]), cv2.COLOR_BGR2LAB)[..., 1:]
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


def evening_lamp(image: np.ndarray) -> np.ndarray:
    """Dim, a crushed gamma and a warm cast (the hard set's low light, at its strongest)."""
    x = (image.astype(np.float32) / 255) ** 1.8 * 0.3 * np.float32([0.75, 1.0, 1.15])
    return np.clip(x * 255, 0, 255).astype(np.uint8)


def synthetic_scene(seed: int, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """Clutter without any note."""
    return clutter_scene(seed, size)


def synthetic_gallery(denominations=("5", "10", "20", "100", "500"), sides=("front",),
                      weighted: bool = True) -> ReferenceGallery:
    items = [(synthetic_note(d, s), dict(id=f"synthetic/{d}/{s}", denomination=d, side=s,
                                         series="synthetic"))
             for d in denominations for s in sides]
    return ReferenceGallery.from_images(items, weighted=weighted)
