"""A note's face made flat: its four corners from marked points, the rectified grey image
the gallery takes keypoints from, and the grey conversion every stage shares.

Kept apart from ``gallery.py`` (which keeps features, not images): teach mode and the
hard-set generator flatten notes the same way without a gallery.
"""
from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

# Rectified references are scaled so their long side is this many pixels. Frames are matched
# at a 640 px working size, where a note held at a sensible distance spans 250-600 px.
REFERENCE_LONG_SIDE = 600


def to_grey(image_bgr: np.ndarray) -> np.ndarray:
    if image_bgr is None or not isinstance(image_bgr, np.ndarray) or image_bgr.size == 0:
        raise ValueError("expected a non-empty image array")
    if image_bgr.ndim == 2:
        return image_bgr
    if image_bgr.ndim == 3 and image_bgr.shape[2] == 4:
        return cv2.cvtColor(image_bgr, cv2.COLOR_BGRA2GRAY)
    if image_bgr.ndim == 3 and image_bgr.shape[2] == 3:
        return cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
    raise ValueError(f"unsupported image shape {image_bgr.shape}")


def note_quad(corners: Sequence[Sequence[float]]) -> np.ndarray:
    """Four note corners from hand-marked points.

    Four points are used as given. More points mean the note runs out of the frame and the
    polygon follows the frame border; the true corners are then unknown, so we take the
    minimum-area rectangle around the polygon (a slight over-estimate of the note) and start
    it at the box corner nearest the first marked point, keeping the marked orientation.
    """
    pts = np.asarray(corners, np.float32).reshape(-1, 2)
    if len(pts) < 4:
        raise ValueError(f"need at least 4 corner points, got {len(pts)}")
    if len(pts) == 4:
        return pts
    box = cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float32)
    if _signed_area(box) * _signed_area(pts) < 0:
        box = box[::-1]
    start = int(np.argmin(np.linalg.norm(box - pts[0], axis=1)))
    return np.roll(box, -start, axis=0)


def _signed_area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def rectify(image_bgr: np.ndarray, outline: Sequence[Sequence[float]] | None,
            long_side: int = REFERENCE_LONG_SIDE) -> tuple[np.ndarray, np.ndarray]:
    """The note as a flat grey image scaled to ``long_side``, and a mask of valid pixels.

    Without an outline the whole image is the note (a scan). The mask excludes what lay
    outside the marked polygon or outside the original frame, so the frame border and the
    table around a partial note never become reference features.
    """
    grey = to_grey(image_bgr)
    h, w = grey.shape
    if outline is None:
        s = long_side / max(h, w)
        size = (max(1, round(w * s)), max(1, round(h * s)))
        flat = cv2.resize(grey, size, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
        return flat, np.full(flat.shape, 255, np.uint8)
    poly = np.asarray(outline, np.float32).reshape(-1, 2)
    quad = note_quad(poly)
    top = np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])
    side = np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])
    if min(top, side) < 8:
        raise ValueError("note outline is degenerate")
    s = long_side / max(top / 2, side / 2)
    out_w, out_h = max(8, round(top / 2 * s)), max(8, round(side / 2 * s))
    dst = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    H = cv2.getPerspectiveTransform(quad, dst)
    flat = cv2.warpPerspective(grey, H, (out_w, out_h), flags=cv2.INTER_AREA)
    valid = np.zeros((h, w), np.uint8)
    cv2.fillPoly(valid, [np.round(poly).astype(np.int32)], 255)
    mask = cv2.warpPerspective(valid, H, (out_w, out_h), flags=cv2.INTER_NEAREST)
    # Keypoints right on the cut edge describe the background half; keep them off it.
    mask = cv2.erode(mask, np.ones((7, 7), np.uint8))
    return flat, mask
