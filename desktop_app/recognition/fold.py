"""The other half of a folded note: a second homography fitted to the first fit's outliers.

A note folded across its long axis shows two planes; one homography explains one half and
leaves the other half's matches as outliers. Kept apart from ``verifier.py`` (which calls it
from its RANSAC step) because it is geometry, not decision.
"""
from __future__ import annotations

import cv2
import numpy as np

# A second homography (the other half of a folded note) needs this many inliers of its own,
# and must meet the first along the fold within this fraction of the fold line's length.
FOLD_MIN_INLIERS = 10
FOLD_SEAM = 0.08


def other_half(src, dst, inl, ref, H, method: int, tolerance: float
               ) -> tuple[np.ndarray, tuple | None]:
    """Inliers of a second homography fitted to the outliers: the other half of a note
    folded across its long axis. It must cover the part of the reference the first fit
    left uncovered, and both fits must agree along the fold line between them (the paper
    is continuous there); otherwise it is a second chance for clutter. Returns the extra
    inliers and (H2, fold x in reference pixels, whether H2 holds right of it)."""
    rest = ~inl
    extra = np.zeros(len(inl), bool)
    if rest.sum() < 2 * FOLD_MIN_INLIERS:
        return extra, None
    H2, m2 = cv2.findHomography(src[rest], dst[rest], method, tolerance,
                                maxIters=500, confidence=0.99)
    if H2 is None or m2 is None or m2.sum() < FOLD_MIN_INLIERS:
        return extra, None
    a = src[inl].reshape(-1, 2)
    b = src[rest][m2.ravel().astype(bool)].reshape(-1, 2)
    w, h = float(ref.size[0]), float(ref.size[1])
    xa, xb = float(np.median(a[:, 0])), float(np.median(b[:, 0]))
    if abs(xa - xb) < 0.25 * w:
        return extra, None
    # The fold: the line between the two halves' medians where the two fits agree best.
    ys = np.linspace(0, h - 1, 5)
    best_err, fold_x, size = np.inf, 0.0, 1.0
    for x in np.linspace(min(xa, xb), max(xa, xb), 17):
        line = np.float64([[x, y] for y in ys]).reshape(-1, 1, 2)
        p1 = cv2.perspectiveTransform(line, H).reshape(-1, 2)
        p2 = cv2.perspectiveTransform(line, H2).reshape(-1, 2)
        err = float(np.linalg.norm(p1 - p2, axis=1).max())
        if err < best_err:
            best_err, fold_x, size = err, float(x), float(np.linalg.norm(p1[-1] - p1[0]))
    if size < 1 or best_err > FOLD_SEAM * size:
        return extra, None
    idx = np.nonzero(rest)[0][m2.ravel().astype(bool)]
    extra[idx] = True
    return extra, (H2, fold_x, xb > xa)
