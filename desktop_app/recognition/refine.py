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

from desktop_app.recognition.imaging import Candidate, plausible_outline, root_sift, spots

# Search radius around each predicted position, as a fraction of the placed note's diagonal:
# wider than the value evidence's, because the first fit rests on few points.
REFINE_RADIUS = 0.025
REFINE_MIN_PX = 4.0
# RootSIFT distance for a refinement correspondence (the value evidence's own bound).
REFINE_MAX_DIST = 0.5
REFINE_ROUNDS = 3


def guided_pairs(H: np.ndarray, ref_points: np.ndarray, ref_desc_root: np.ndarray,
                 frame_points: np.ndarray, frame_desc_root: np.ndarray, near: Callable,
                 shape: tuple[int, int], radius: float) -> tuple[np.ndarray, np.ndarray]:
    """(reference rows, frame keypoints): for each reference keypoint predicted inside the
    frame, the nearest frame keypoint within ``radius`` whose RootSIFT descriptor is within
    REFINE_MAX_DIST; each frame keypoint kept once, for its closest descriptor."""
    none = np.zeros(0, np.int64), np.zeros(0, np.int64)
    pred = cv2.perspectiveTransform(ref_points.reshape(-1, 1, 2).astype(np.float64),
                                    H).reshape(-1, 2)
    h, w = shape
    ok = np.all(np.isfinite(pred), axis=1)
    ok &= (pred[:, 0] >= 0) & (pred[:, 0] < w) & (pred[:, 1] >= 0) & (pred[:, 1] < h)
    rows = np.nonzero(ok)[0]
    if len(rows) == 0:
        return none
    cand, d2 = near(pred[rows].astype(np.float32))
    if cand.shape[1] == 0:
        return none
    cand, d2 = cand[:, 0], d2[:, 0]
    close = d2 <= radius * radius
    rows, cand = rows[close], cand[close]
    if len(rows) == 0:
        return none
    dist = np.linalg.norm(ref_desc_root[rows] - frame_desc_root[cand], axis=1)
    good = dist <= REFINE_MAX_DIST
    rows, cand, dist = rows[good], cand[good], dist[good]
    order = np.argsort(dist, kind="stable")
    _, first = np.unique(cand[order], return_index=True)
    keep = order[first]
    return rows[keep], cand[keep]


def refine(H: np.ndarray, ref, ref_points: np.ndarray, ref_desc: np.ndarray,
           frame_points: np.ndarray, frame_desc_root: np.ndarray, near: Callable,
           shape: tuple[int, int], method: int, tolerance: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The homography refitted on guided correspondences, round after round while its support
    grows: (H, reference rows of the inliers, frame keypoints of the inliers), or None where
    the first round finds fewer than 8 correspondences or no plausible refit. The caller
    compares the support with the first fit's."""
    ref_root = root_sift(ref_desc)
    best = None
    for _ in range(REFINE_ROUNDS):
        quad = cv2.perspectiveTransform(ref.outline.reshape(-1, 1, 2).astype(np.float64),
                                        H).reshape(4, 2)
        diag = float(np.linalg.norm(quad[2] - quad[0]) + np.linalg.norm(quad[3] - quad[1])) / 2
        radius = max(REFINE_MIN_PX, REFINE_RADIUS * diag)
        rows, fq = guided_pairs(H, ref_points, ref_root, frame_points, frame_desc_root, near,
                                shape, radius)
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
