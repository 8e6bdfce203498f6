"""Geometric verification of one frame against the reference gallery.

A denomination is named only when a reference's outline maps into the frame by a plausible
homography (convex, not mirrored, sane size and shape) backed by enough RANSAC inliers, and
its weighted score clearly beats every other denomination's. Everything that makes a single
frame "accepted" lives here, driven by ``Thresholds``; the scan session only combines frames.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np

from desktop_app.recognition.evidence import Verification
from desktop_app.recognition.gallery import (ReferenceGallery, detect, make_index, make_sift,
                                      ratio_matches, to_grey)
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

WORKING_LONG_SIDE = 640  # frames are matched at this size: speed, and scale-stable inliers
MAX_FRAME_KEYPOINTS = 1500
FLANN_CHECKS = 48
RANSAC_PX = 6.0  # reprojection tolerance in working-size pixels
# A reference needs this many validated inliers before it counts at all, even as runner-up:
# fewer than this fit almost any four-point model by chance.
NOISE_INLIERS = 6
MAX_REFS_PER_DENOMINATION = 3  # RANSAC only the most promising references of each value
# Plausibility of the projected note outline.
MIN_AREA_FRACTION = 0.005  # of the frame
MAX_AREA_FRACTION = 8.0  # a close-up of part of the note may span several frames
MAX_ASPECT_DISTORTION = 2.0  # projected aspect vs reference aspect, either way
MAX_OPPOSITE_SIDE_RATIO = 3.0  # perspective foreshortening of opposite edges
MIN_INLIER_SPREAD = 0.02  # convex hull of inliers, as a fraction of the reference area
# Hints.
SMALL_NOTE_FRACTION = 0.10  # projected note under this share of the frame: "move closer"
PARTIAL_MARGIN = 0.03  # an outline corner this far outside the frame: "partial"


@dataclass
class _Candidate:
    ref: int
    inliers: int
    score: float
    quad: np.ndarray  # 4x2 outline in working-frame pixels


def accepts(inliers: int, score: float, runner_up_score: float,
            thresholds: Thresholds = DEFAULT) -> bool:
    """The single-frame bar. min_inliers bounds both the raw inlier count and the weighted
    (denomination-specific) score: many inliers in shared Everest artwork alone prove nothing
    about the value. The margin is over the best OTHER denomination."""
    t = thresholds
    return (inliers >= t.min_inliers and score >= t.min_inliers
            and score >= t.min_margin * runner_up_score)


class Verifier:
    def __init__(self, gallery: ReferenceGallery, thresholds: Thresholds = DEFAULT):
        if len(gallery.points) == 0:
            raise ValueError("reference gallery has no keypoints")
        self.gallery = gallery
        self.thresholds = thresholds
        self._sift = make_sift(MAX_FRAME_KEYPOINTS)
        # Seeded so that the same frame gives the same inliers in every process and run: the
        # randomised kd-trees and RANSAC both draw from OpenCV's RNG, and reports must repeat.
        cv2.setRNGSeed(0)
        self._index = make_index(gallery.descriptors)
        self._ref_denoms = np.array([r.denomination for r in gallery.references])

    def verify(self, image_bgr: np.ndarray, candidates: Sequence[str] | None = None
               ) -> Verification:
        """Verify one frame (BGR, or already grey). ``candidates`` (denominations, best first, e.g. from the model)
        are examined first, which lets the others be skipped sooner; a denomination is only
        skipped when it can neither win nor block the margin, so ``accepted`` never depends
        on the model being right. (``runner_up_score`` is exact whenever it could matter.)"""
        cv2.setRNGSeed(0)  # per frame too: OpenCV's RNG is per thread and RANSAC consumes it
        grey = to_grey(image_bgr)
        h0, w0 = grey.shape
        scale = min(1.0, WORKING_LONG_SIDE / max(h0, w0))
        work = grey if scale == 1.0 else cv2.resize(
            grey, (max(1, round(w0 * scale)), max(1, round(h0 * scale))),
            interpolation=cv2.INTER_AREA)
        pts, desc = detect(work, MAX_FRAME_KEYPOINTS, sift=self._sift)
        n_kp = len(pts)
        if n_kp < 4:
            return Verification(keypoints=n_kp)
        per_ref = self._match(desc)
        best_by_denom = self._verify_refs(per_ref, pts, work.shape, candidates)
        if not best_by_denom:
            return Verification(keypoints=n_kp)
        ranked = sorted(best_by_denom.items(), key=lambda kv: -kv[1].score)
        denom, best = ranked[0]
        runner, second = ranked[1] if len(ranked) > 1 else (None, None)
        second_score = second.score if second else 0.0
        accepted = accepts(best.inliers, best.score, second_score, self.thresholds)
        ref = self.gallery.references[best.ref]
        outline = (best.quad / scale).astype(np.float32)
        return Verification(
            denomination=denom, side=ref.side, series=ref.series, reference=ref.id,
            inliers=best.inliers, score=float(best.score), runner_up=runner,
            runner_up_score=float(second_score), accepted=bool(accepted), outline=outline,
            keypoints=n_kp,
            # A weak candidate's outline is as likely clutter as a note: no hint from it.
            hint=_hint(best.quad, work.shape) if best.inliers >= self.thresholds.min_inliers
            else None)

    # --- matching -----------------------------------------------------------------------
    def _match(self, desc: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Per reference: (frame keypoint indices, gallery keypoint indices)."""
        q, g = ratio_matches(self._index, self.gallery.owners, desc, checks=FLANN_CHECKS)
        owners = self.gallery.owners[g]
        return {int(r): (q[owners == r], g[owners == r]) for r in np.unique(owners)}

    def _verify_refs(self, per_ref, pts, shape, candidates) -> dict[str, _Candidate]:
        weights = self.gallery.weights
        order = {d: i for i, d in enumerate(candidates or ())}
        # Upper bound of each reference's score: the weights of all its tentative matches.
        bounds = {r: float(weights[g].sum()) for r, (q, g) in per_ref.items()
                  if len(q) >= NOISE_INLIERS}
        by_denom: dict[str, list[int]] = {}
        for r in sorted(bounds, key=lambda r: -bounds[r]):
            by_denom.setdefault(self._ref_denoms[r], []).append(r)
        denoms = sorted(by_denom, key=lambda d: (order.get(d, len(order)),
                                                 -bounds[by_denom[d][0]]))
        best: dict[str, _Candidate] = {}
        top = 0.0  # best score so far, over all denominations
        # The scan session also compares score / runner_up_score with strong_margin; pruning
        # at the larger factor keeps that comparison exact too.
        prune_margin = max(self.thresholds.min_margin, self.thresholds.strong_margin)
        for d in denoms:
            for r in by_denom[d][:MAX_REFS_PER_DENOMINATION]:
                # A reference whose bound is this low can neither win nor stop the winner
                # clearing either margin (the final best only grows), so skip its RANSAC.
                if bounds[r] * prune_margin <= top:
                    break
                if d in best and bounds[r] <= best[d].score:
                    break  # cannot beat this denomination's best reference
                c = self._ransac(r, *per_ref[r], pts, shape)
                if c and (d not in best or c.score > best[d].score):
                    best[d] = c
                    top = max(top, c.score)
        return best

    def _ransac(self, r, q, g, pts, shape) -> _Candidate | None:
        # One match per reference keypoint (the frame keypoint listed first is the closer).
        g_u, first = np.unique(g, return_index=True)
        q, g = q[first], g_u
        if len(q) < NOISE_INLIERS:
            return None
        src = self.gallery.points[g].reshape(-1, 1, 2)
        dst = pts[q].reshape(-1, 1, 2)
        H, mask = cv2.findHomography(src, dst, cv2.RANSAC, RANSAC_PX, maxIters=1000,
                                     confidence=0.995)
        if H is None or mask is None:
            return None
        inl = mask.ravel().astype(bool)
        ref = self.gallery.references[r]
        quad = cv2.perspectiveTransform(ref.outline.reshape(-1, 1, 2), H).reshape(4, 2)
        if not plausible_outline(quad, ref, shape):
            return None
        # Several frame keypoints at one spot (SIFT's multiple orientations) count once.
        q_in = q[inl]
        spots = np.unique(np.round(pts[q_in]).astype(np.int32), axis=0)
        n_in = min(len(spots), int(inl.sum()))
        if n_in < NOISE_INLIERS:
            return None
        ref_pts = self.gallery.points[g[inl]]
        hull = cv2.convexHull(ref_pts.reshape(-1, 1, 2))
        if cv2.contourArea(hull) < MIN_INLIER_SPREAD * ref.size[0] * ref.size[1]:
            return None
        w = self.gallery.weights[g[inl]]
        # Scale the weighted sum to the deduplicated count, so both measure the same thing.
        score = float(w.sum()) * n_in / max(1, int(inl.sum()))
        return _Candidate(r, n_in, score, quad.astype(np.float32))


def plausible_outline(quad: np.ndarray, ref, shape) -> bool:
    """Whether a reference outline projected into a frame of ``shape`` can be a real note:
    convex, turning the same way as the reference (a mirror image turns the other way),
    of sane area, aspect and perspective."""
    if not np.all(np.isfinite(quad)):
        return False
    edges = np.roll(quad, -1, axis=0) - quad
    cross = edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1] - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    ref_edges = np.roll(ref.outline, -1, axis=0) - ref.outline
    ref_sign = np.sign(ref_edges[0, 0] * ref_edges[1, 1] - ref_edges[0, 1] * ref_edges[1, 0])
    if not np.all(np.sign(cross) == ref_sign):
        return False
    h, w = shape[:2]
    area = abs(cv2.contourArea(quad.reshape(-1, 1, 2).astype(np.float32)))
    if not (MIN_AREA_FRACTION * w * h <= area <= MAX_AREA_FRACTION * w * h):
        return False
    lens = np.linalg.norm(edges, axis=1)
    if lens.min() < 1:
        return False
    if max(lens[0] / lens[2], lens[2] / lens[0], lens[1] / lens[3], lens[3] / lens[1]) \
            > MAX_OPPOSITE_SIDE_RATIO:
        return False
    aspect = (lens[0] + lens[2]) / (lens[1] + lens[3])
    ref_aspect = ref.size[0] / ref.size[1]
    distortion = aspect / ref_aspect
    return 1 / MAX_ASPECT_DISTORTION <= distortion <= MAX_ASPECT_DISTORTION


def _hint(quad: np.ndarray, shape) -> str | None:
    h, w = shape[:2]
    mx, my = PARTIAL_MARGIN * w, PARTIAL_MARGIN * h
    if (quad[:, 0].min() < -mx or quad[:, 0].max() > w + mx or quad[:, 1].min() < -my
            or quad[:, 1].max() > h + my):
        return "partial"
    area = abs(cv2.contourArea(quad.reshape(-1, 1, 2).astype(np.float32)))
    if area < SMALL_NOTE_FRACTION * w * h:
        return "move_closer"
    return None
