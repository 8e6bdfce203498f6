"""Geometric verification of one frame against the reference gallery.

Two questions, answered by different evidence:

1. Where is a note? Any reference whose outline maps into the frame by a plausible homography
   (convex, not mirrored, sane size and shape) backed by enough RANSAC inliers places the note.
   Shared Everest artwork (mountain panel, bank header, seal) counts fully here.
2. Which value is it? The Everest series shares that artwork, so alignment inliers prove "a
   Nepali note" and little about which. The value is decided from the *value-specific*
   keypoints of each candidate's reference (those not shared with any reference of another
   value, see ``gallery.shared_artwork``): numerals, value in words, portrait or animal. Once a
   candidate is placed, every frame keypoint whose nearest gallery neighbours include such a
   keypoint at the position the homography predicts counts as value evidence ("guided"
   matches: no ratio test, the geometry does the filtering). The value must clear
   ``Thresholds.min_value`` and beat every other value's evidence by ``min_margin``.

Everything that makes a single frame "accepted" lives here, driven by ``Thresholds``; the scan
session only combines frames.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np

from desktop_app.recognition.evidence import Verification
from desktop_app.recognition.gallery import ReferenceGallery, detect, make_sift, to_grey
from desktop_app.recognition.imaging import (Matcher, plausible_outline, position_hint,
                                             spots)
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

WORKING_LONG_SIDE = 640  # frames are matched at this size: speed, and scale-stable inliers
MAX_FRAME_KEYPOINTS = 1500
RANSAC_PX = 6.0  # reprojection tolerance in working-size pixels
# A reference needs this many validated inliers before it counts at all, even as runner-up:
# fewer than this fit almost any four-point model by chance.
NOISE_INLIERS = 6
MAX_REFS_PER_DENOMINATION = 3  # RANSAC only the most promising references of each value
MIN_INLIER_SPREAD = 0.02  # convex hull of inliers, as a fraction of the reference area
# Guided value evidence: a frame keypoint counts when the position predicted by the homography
# is within this fraction of the projected note's diagonal (at least GUIDED_MIN_PX).
GUIDED_RADIUS = 0.012
GUIDED_MIN_PX = 3.0


@dataclass(frozen=True)
class Options:
    """Matching choices, each measured with and without (models/EVALUATION.md)."""

    evidence: str = "value"  # "value" (guided value-specific matches) | "weighted" (v1)
    rootsift: bool = True  # Hellinger kernel on SIFT (Arandjelovic & Zisserman 2012)
    method: int = cv2.USAC_MAGSAC  # robust estimator for the homography
    second_plane: bool = True  # a folded note: fit the other half on the outliers too


@dataclass(frozen=True)
class FrameFeatures:
    shape: tuple[int, int]  # working image (h, w)
    scale: float  # working size / original size
    points: np.ndarray  # N x 2 float32, working pixels
    descriptors: np.ndarray  # N x 128 uint8 SIFT


@dataclass
class _Candidate:
    ref: int
    inliers: int  # alignment inliers, spatially deduplicated
    H: np.ndarray  # reference -> working frame
    quad: np.ndarray  # 4x2 outline in working-frame pixels
    weighted: float  # v1 score: shared-artwork-weighted inliers
    value: float = 0.0  # guided value-specific matches


def accepts(inliers: int, score: float, runner_up_score: float,
            thresholds: Thresholds = DEFAULT) -> bool:
    """The single-frame bar: enough alignment inliers to place a note, enough value-specific
    evidence (``score``), and a clear margin over the best OTHER denomination's evidence."""
    t = thresholds
    return (inliers >= t.min_inliers and score >= t.min_value
            and score >= t.min_margin * runner_up_score)


class Verifier:
    def __init__(self, gallery: ReferenceGallery, thresholds: Thresholds = DEFAULT,
                 options: Options = Options()):
        if len(gallery.points) == 0:
            raise ValueError("reference gallery has no keypoints")
        self.gallery = gallery
        self.thresholds = thresholds
        self.options = options
        self._sift = make_sift(MAX_FRAME_KEYPOINTS)
        # Seeded so that the same frame gives the same inliers in every process and run: the
        # randomised kd-trees and RANSAC both draw from OpenCV's RNG, and reports must repeat.
        cv2.setRNGSeed(0)
        self._matcher = Matcher(gallery.descriptors, gallery.owners, options.rootsift)
        self._ref_denoms = np.array([r.denomination for r in gallery.references])
        # Value-specific keypoints: not shared with any reference of another value.
        self._specific = gallery.weights >= 1.0

    # --- features -----------------------------------------------------------------------
    def features(self, image: np.ndarray) -> FrameFeatures:
        """SIFT of one frame (BGR, or already grey) at the working size."""
        grey = to_grey(image)
        h0, w0 = grey.shape
        scale = min(1.0, WORKING_LONG_SIDE / max(h0, w0))
        work = grey if scale == 1.0 else cv2.resize(
            grey, (max(1, round(w0 * scale)), max(1, round(h0 * scale))),
            interpolation=cv2.INTER_AREA)
        pts, desc = detect(work, MAX_FRAME_KEYPOINTS, sift=self._sift)
        return FrameFeatures(work.shape[:2], scale, pts, desc)

    def verify(self, image: np.ndarray, candidates: Sequence[str] | None = None
               ) -> Verification:
        """Verify one frame. ``candidates`` (denominations, best first, e.g. from the model)
        only order the work; every denomination with enough tentative matches is examined, so
        ``accepted`` never depends on the model being right."""
        return self.verify_features(self.features(image), candidates)

    def verify_features(self, f: FrameFeatures, candidates: Sequence[str] | None = None
                        ) -> Verification:
        cv2.setRNGSeed(0)  # per frame too: OpenCV's RNG is per thread and RANSAC consumes it
        n_kp = len(f.points)
        if n_kp < 4:
            return Verification(keypoints=n_kp)
        knn = self._matcher.knn(f.descriptors)
        per_ref = self._matcher.ratio_per_reference(knn)
        placed = self._align(per_ref, f, candidates)
        if not placed:
            return Verification(keypoints=n_kp)
        best: dict[str, _Candidate] = {}
        for d, cands in placed.items():
            for c in cands:
                c.value = (self._value_evidence(c, knn, f) if self.options.evidence == "value"
                           else c.weighted)
            best[d] = max(cands, key=lambda c: (c.value, c.inliers))
        ranked = sorted(best.items(), key=lambda kv: (-kv[1].value, -kv[1].inliers))
        denom, top = ranked[0]
        runner, second = ranked[1] if len(ranked) > 1 else (None, None)
        second_score = second.value if second else 0.0
        accepted = accepts(top.inliers, top.value, second_score, self.thresholds)
        ref = self.gallery.references[top.ref]
        return Verification(
            denomination=denom, side=ref.side, series=ref.series, reference=ref.id,
            inliers=top.inliers, score=float(top.value), runner_up=runner,
            runner_up_score=float(second_score), accepted=bool(accepted),
            outline=(top.quad / f.scale).astype(np.float32), keypoints=n_kp,
            # A weak candidate's outline is as likely clutter as a note: no hint from it.
            hint=position_hint(top.quad, f.shape)
            if top.inliers >= self.thresholds.min_inliers else None)

    # --- where is the note --------------------------------------------------------------
    def _align(self, per_ref, f: FrameFeatures, candidates) -> dict[str, list[_Candidate]]:
        """Plausible placements per denomination, from its most promising references."""
        order = {d: i for i, d in enumerate(candidates or ())}
        counts = {r: len(q) for r, (q, g) in per_ref.items() if len(q) >= NOISE_INLIERS}
        by_denom: dict[str, list[int]] = {}
        for r in sorted(counts, key=lambda r: -counts[r]):
            by_denom.setdefault(self._ref_denoms[r], []).append(r)
        placed: dict[str, list[_Candidate]] = {}
        for d in sorted(by_denom, key=lambda d: order.get(d, len(order))):
            for r in by_denom[d][:MAX_REFS_PER_DENOMINATION]:
                c = self._ransac(r, *per_ref[r], f)
                if c:
                    placed.setdefault(d, []).append(c)
        return placed

    def _ransac(self, r, q, g, f: FrameFeatures) -> _Candidate | None:
        # One match per reference keypoint (the frame keypoint listed first is the closer).
        g_u, first = np.unique(g, return_index=True)
        q, g = q[first], g_u
        if len(q) < NOISE_INLIERS:
            return None
        src = self.gallery.points[g].reshape(-1, 1, 2)
        dst = f.points[q].reshape(-1, 1, 2)
        H, mask = cv2.findHomography(src, dst, self.options.method, RANSAC_PX, maxIters=1000,
                                     confidence=0.995)
        if H is None or mask is None:
            return None
        inl = mask.ravel().astype(bool)
        ref = self.gallery.references[r]
        quad = cv2.perspectiveTransform(ref.outline.reshape(-1, 1, 2), H).reshape(4, 2)
        if not plausible_outline(quad, ref, f.shape):
            return None
        if self.options.second_plane:
            inl = inl | self._other_half(src, dst, inl, ref)
        n_in = min(spots(f.points[q[inl]]), int(inl.sum()))
        if n_in < NOISE_INLIERS:
            return None
        ref_pts = self.gallery.points[g[inl]]
        hull = cv2.convexHull(ref_pts.reshape(-1, 1, 2))
        if cv2.contourArea(hull) < MIN_INLIER_SPREAD * ref.size[0] * ref.size[1]:
            return None
        # v1 score, kept for the with/without measurement: shared-artwork-weighted inliers,
        # scaled to the deduplicated count so both measure the same thing.
        weighted = float(self.gallery.weights[g[inl]].sum()) * n_in / max(1, int(inl.sum()))
        return _Candidate(r, n_in, H, quad.astype(np.float32), weighted)

    def _other_half(self, src, dst, inl, ref) -> np.ndarray:
        """Inliers of a second homography fitted to the outliers: the other half of a note
        folded along a line. It must land on the part of the reference the first fit left
        uncovered, or it is a second chance for clutter, not the note's other half."""
        rest = ~inl
        extra = np.zeros(len(inl), bool)
        if rest.sum() < 2 * NOISE_INLIERS:
            return extra
        H2, m2 = cv2.findHomography(src[rest], dst[rest], self.options.method, RANSAC_PX,
                                    maxIters=500, confidence=0.99)
        if H2 is None or m2 is None or m2.sum() < NOISE_INLIERS:
            return extra
        a = src[inl].reshape(-1, 2)
        b = src[rest][m2.ravel().astype(bool)].reshape(-1, 2)
        w = float(ref.size[0])
        # The two halves sit side by side along the note's long axis (its common fold).
        if abs(float(np.median(a[:, 0]) - np.median(b[:, 0]))) < 0.25 * w:
            return extra
        idx = np.nonzero(rest)[0][m2.ravel().astype(bool)]
        extra[idx] = True
        return extra

    # --- which value is it --------------------------------------------------------------
    def _value_evidence(self, c: _Candidate, knn, f: FrameFeatures) -> float:
        """Frame keypoints whose gallery neighbours include a value-specific keypoint of the
        candidate's reference at the position its homography predicts (deduplicated)."""
        idx, _dist = knn
        owners = self.gallery.owners
        hit = (owners[idx] == c.ref) & self._specific[idx]
        qi, col = np.nonzero(hit)
        if len(qi) == 0:
            return 0.0
        g = idx[qi, col]
        pred = cv2.perspectiveTransform(self.gallery.points[g].reshape(-1, 1, 2).astype(
            np.float64), c.H).reshape(-1, 2)
        diag = float(np.linalg.norm(c.quad[2] - c.quad[0]) + np.linalg.norm(c.quad[3] - c.quad[1])) / 2
        radius = max(GUIDED_MIN_PX, GUIDED_RADIUS * diag)
        ok = np.linalg.norm(pred - f.points[qi], axis=1) <= radius
        if not ok.any():
            return 0.0
        # One frame keypoint per reference keypoint and vice versa, one per image spot.
        qs, gs = qi[ok], g[ok]
        _, first = np.unique(gs, return_index=True)
        qs = np.unique(qs[first])
        return float(spots(f.points[qs]))
