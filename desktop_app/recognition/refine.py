"""Guided refinement of a placement: more correspondences from where the note already is.

A hand-held, blurred or curled note leaves few keypoints whose nearest gallery neighbour
passes the ratio test, so a correct placement often rests on 6-11 inliers: too few to name a
value, and a homography fitted to so few points predicts positions several pixels off, which
starves the value evidence as well. Once a reference is placed, every one of its keypoints
predicts where it should be in the frame; a frame keypoint found there with a similar
descriptor is a correspondence the ratio test never offered (it competes only with what lies
at that spot, not with the whole gallery). Refitting on those gives the placement its real
support ("guided matching", Hartley & Zisserman ch. 4.8). The refit is held to the same
robust estimator, tolerance and plausibility as the first fit (with 1000 samples: most guided
correspondences of a right placement are right), so a chance placement gains only the few
chance correspondences it can find; the verifier then holds a refitted placement to its own,
higher inlier bar (``Thresholds.min_refined_inliers``).
"""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from desktop_app.recognition.imaging import (Candidate, guided_matches, note_diagonal,
                                             plausible_outline, spots)

# Search radius around each predicted position, as a fraction of the placed note's diagonal:
# wider than the value evidence's, because the first fit rests on few points.
REFINE_RADIUS = 0.025
REFINE_MIN_PX = 4.0
# RootSIFT distance for a refinement correspondence (the value evidence's own bound).
REFINE_MAX_DIST = 0.5
REFINE_ROUNDS = 3


def refine(H: np.ndarray, ref, ref_points: np.ndarray, ref_desc: np.ndarray,
           frame_points: np.ndarray, frame_desc_root: np.ndarray, near: Callable,
           shape: tuple[int, int], method: int, tolerance: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The homography refitted on guided correspondences, round after round while its support
    grows: (H, reference rows of the inliers, frame keypoints of the inliers), or None where
    the first round finds fewer than 8 correspondences or no plausible refit. The caller
    compares the support with the first fit's."""
    best = None
    for _ in range(REFINE_ROUNDS):
        quad = cv2.perspectiveTransform(ref.outline.reshape(-1, 1, 2).astype(np.float64),
                                        H).reshape(4, 2)
        radius = max(REFINE_MIN_PX, REFINE_RADIUS * note_diagonal(quad))
        pred = cv2.perspectiveTransform(ref_points.reshape(-1, 1, 2).astype(np.float64),
                                        H).reshape(-1, 2)
        rows, fq, _ = guided_matches(pred, ref_desc, frame_desc_root, near, shape, radius,
                                     REFINE_MAX_DIST)
        if len(rows) < 8:
            break
        H2, mask = cv2.findHomography(ref_points[rows].reshape(-1, 1, 2),
                                      frame_points[fq].reshape(-1, 1, 2), method, tolerance,
                                      maxIters=1000, confidence=0.995)
        if H2 is None or mask is None:
            break
        inl = mask.ravel().astype(bool)
        quad2 = cv2.perspectiveTransform(ref.outline.reshape(-1, 1, 2), H2).reshape(4, 2)
        if not plausible_outline(quad2, ref, shape):
            break
        if best is not None and inl.sum() <= len(best[1]):
            break
        best = (H2, rows[inl], fq[inl])
        H = H2
    return best


def refined_candidate(c: Candidate, gallery, members: np.ndarray, f, near: Callable,
                      frame_desc_root: np.ndarray, method: int, tolerance: float,
                      min_spread: float) -> Candidate:
    """``c`` refitted on guided correspondences of its reference (gallery keypoint indices
    ``members``), or ``c`` itself where that finds no more support. The refitted inliers
    must spread over ``min_spread`` of the reference, like the first fit's. A note placed in
    two halves (folded) keeps its two fits."""
    if c.folded:
        return c
    ref = gallery.references[c.ref]
    out = refine(c.H, ref, gallery.points[members], gallery.descriptors[members], f.points,
                 frame_desc_root, near, f.shape, method, tolerance)
    if out is None:
        return c
    H, rows, fq = out
    n_in = min(spots(f.points[fq]), len(fq))
    g = members[rows]
    hull = cv2.convexHull(gallery.points[g].reshape(-1, 1, 2))
    if n_in <= c.inliers or cv2.contourArea(hull) < min_spread * ref.size[0] * ref.size[1]:
        return c
    quad = cv2.perspectiveTransform(ref.outline.reshape(-1, 1, 2), H).reshape(4, 2)
    weighted = float(gallery.weights[g].sum()) * n_in / max(1, len(g))
    return Candidate(c.ref, n_in, H, quad.astype(np.float32), weighted, refined=True)
