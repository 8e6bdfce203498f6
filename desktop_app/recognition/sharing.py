"""Shared artwork between references of different values, and merging galleries.

The Everest series repeats its mountain panel, bank header and seal on every value. Where a
homography maps a region of one reference onto a reference of another value with enough RANSAC
inliers, every keypoint inside the inliers' hull is shared artwork: it places a note but says
nothing about its value (``gallery.MIN_WEIGHT``; the verifier's value evidence skips it).

A taught note can share artwork with shipped references and with other taught notes, so
merging recomputes the sharing, but only for pairs of references of which at least one is new:
pairs among the shipped references are what the shipped weights already say.
"""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from desktop_app.recognition.gallery import (MIN_WEIGHT, SHARED_MIN_INLIERS, SHARED_RANSAC_PX,
                                             ReferenceGallery, make_index, ratio_matches)


def mark_shared(g: ReferenceGallery, mine: np.ndarray, other: np.ndarray,
                mark: Callable[[np.ndarray, int], None]) -> None:
    """Matches keypoints ``mine`` against keypoints ``other`` (indices into ``g``; the caller
    keeps them of different values) and calls ``mark(keypoints, other_reference)`` for the
    keypoints of each reference that lie in artwork it shares with another reference."""
    if len(other) < 2 or len(mine) == 0:
        return
    n_ref = len(g.references)
    index = make_index(g.descriptors[other])
    q, t = ratio_matches(index, g.owners[other], g.descriptors[mine], checks=128)
    q, t = mine[q], other[t]
    pair = g.owners[q].astype(np.int64) * n_ref + g.owners[t]
    for key in np.unique(pair):
        sel = pair == key
        if sel.sum() < SHARED_MIN_INLIERS:
            continue
        a, b = divmod(int(key), n_ref)
        H, mask = cv2.findHomography(g.points[q[sel]], g.points[t[sel]], cv2.RANSAC,
                                     SHARED_RANSAC_PX, maxIters=2000)
        if H is None or mask is None or mask.sum() < SHARED_MIN_INLIERS:
            continue
        inl = mask.ravel().astype(bool)
        # The whole region spanned by the inliers is shared artwork, not only the keypoints
        # that happened to match: mark every keypoint inside its hull.
        for ref, other_ref, pts in ((a, b, g.points[q[sel][inl]]), (b, a, g.points[t[sel][inl]])):
            own = np.nonzero(g.owners == ref)[0]
            mark(own[inside_hull(g.points[own], pts)], other_ref)


def inside_hull(points: np.ndarray, hull_points: np.ndarray) -> np.ndarray:
    hull = cv2.convexHull(hull_points.reshape(-1, 1, 2).astype(np.float32))
    return np.array([cv2.pointPolygonTest(hull, (float(x), float(y)), False) >= 0
                     for x, y in points], bool)


def merge(base: ReferenceGallery, extra: ReferenceGallery) -> ReferenceGallery:
    """``base`` (weights as shipped) plus ``extra``'s references, with shared artwork found
    between every new reference and all others of another value, both ways."""
    # Seeded: FLANN's trees and RANSAC draw from OpenCV's RNG, and the merge that a teach
    # checked must be the merge every later start remakes.
    cv2.setRNGSeed(0)
    clash = {r.id for r in base.references} & {r.id for r in extra.references}
    if clash:
        raise ValueError(f"reference ids in both galleries: {sorted(clash)[:3]}")
    g = ReferenceGallery(base.references + extra.references,
                         np.concatenate([base.points, extra.points]),
                         np.concatenate([base.descriptors, extra.descriptors]),
                         np.concatenate([base.owners, extra.owners + len(base.references)]),
                         None, base.info)
    new_kp = np.zeros(len(g.points), bool)
    new_kp[len(base.points):] = True
    shared = np.zeros(len(g.points), bool)
    shared[:len(base.points)] = base.weights < 1.0

    def mark(keypoints: np.ndarray, _other_ref: int) -> None:
        shared[keypoints] = True

    kp_denoms = np.array([r.denomination for r in g.references])[g.owners]
    for d in np.unique(kp_denoms[new_kp]):
        # The new keypoints against everything of other values. A shared region found this
        # way is marked in both references, so matching the (many) old keypoints against the
        # new ones as well would find the same regions again at many times the cost.
        mark_shared(g, np.nonzero((kp_denoms == d) & new_kp)[0], np.nonzero(kp_denoms != d)[0], mark)
    info = dict(base.info, taught_references=len(extra.references),
                shared_fraction_merged=round(float(shared.mean()), 3))
    return ReferenceGallery(g.references, g.points, g.descriptors, g.owners,
                            np.where(shared, MIN_WEIGHT, 1.0).astype(np.float32), info)
