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

Where a look names no note, each placement is refitted on guided correspondences and the value
decided again (``refine.py``); where that names none either, the matches of the plain,
deblurred and enlarged looks are taken again with the ratio test's second-best from another
place in the reference (``Options.apart``). The value evidence must lie in several regions of
the note (``REGION_GRID``, ``Thresholds.min_value_regions``), and the note must show its
reference's pattern of colours (``colour.py``). What makes a single frame "accepted" lives
here, in ``options.accepts`` and ``colour.checked``, driven by ``Thresholds``; the scan
session only combines frames.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

import cv2
import numpy as np

from desktop_app.recognition import colour
from desktop_app.recognition.evidence import Verification
from desktop_app.recognition.flatten import to_grey
from desktop_app.recognition.fold import other_half
from desktop_app.recognition.frames import (FRAME_CONTRAST, MAX_FRAME_KEYPOINTS, POOLED_FROM,
                                            FrameFeatures, frame_features, pooled)
from desktop_app.recognition.gallery import ReferenceGallery, make_sift
from desktop_app.recognition.imaging import (APART_PX, QUICK_CHECKS, Candidate, Matcher,
                                             guided_matches, in_pairs, near_points, note_diagonal,
                                             note_hint, plausible_outline, regions,
                                             root_sift, spots)
from desktop_app.recognition.options import Options, accepts
from desktop_app.recognition.refine import refined_candidate
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

RANSAC_PX = 6.0  # reprojection tolerance in working-size pixels
# USAC stops early once confident; the cap matters where few matches are right (a blurred or
# small note among clutter): 1000 found one hard frame fewer (measured on the seed-11 frames).
RANSAC_ITERS = 5000
# The quick first look (``Options.quick_first``): a cheaper neighbour search and fewer RANSAC
# samples, so its verdict stands only when it clears every part of the bar (inliers, value
# evidence, margin) by this factor; anything closer is looked at again in full.
QUICK_RANSAC_ITERS = 1000
QUICK_CLEAR = 2.0
# A reference needs this many validated inliers before it counts at all, even as runner-up:
# fewer than this fit almost any four-point model by chance.
NOISE_INLIERS = 6
MAX_REFS_PER_DENOMINATION = 3  # RANSAC only the most promising references of each value
MIN_INLIER_SPREAD = 0.02  # convex hull of inliers, as a fraction of the reference area
# Guided value evidence: a frame keypoint counts when the position predicted by the homography
# is within this fraction of the projected note's diagonal (at least GUIDED_MIN_PX).
GUIDED_RADIUS = 0.012
GUIDED_MIN_PX = 3.0
# RootSIFT distance (unit vectors: 0 same, about 1.1 unrelated) for a guided match.
GUIDED_MAX_DIST = 0.5
# A value-specific match must be this much closer to its value's reference than to any
# other value's keypoint.
VALUE_RATIO = 0.9
# The note divided into columns x rows, in reference coordinates: value evidence must lie in
# ``Thresholds.min_value_regions`` of these cells (one element shared with an unknown design,
# such as the seal or a word, fills one or two).
REGION_GRID = (6, 3)
# Chance control: the reference moved by these fractions of its width and height.
CONTROL_SHIFTS = ((0.13, 0.17), (-0.11, -0.19))


class Verifier:
    def __init__(self, gallery: ReferenceGallery, thresholds: Thresholds = DEFAULT,
                 options: Options = Options()):
        if len(gallery.points) == 0:
            raise ValueError("reference gallery has no keypoints")
        self.gallery = gallery
        self.thresholds = thresholds
        self.options = options
        self._sift = make_sift(MAX_FRAME_KEYPOINTS, FRAME_CONTRAST)
        # Seeded so that the same frame gives the same inliers in every process and run: the
        # randomised kd-trees and RANSAC both draw from OpenCV's RNG, and reports must repeat.
        cv2.setRNGSeed(0)
        self._matcher = Matcher(gallery.descriptors, gallery.owners, options.rootsift,
                                gallery.points)
        self._ref_denoms = np.array([r.denomination for r in gallery.references])
        # Value-specific keypoints, per reference: not shared with any reference of another
        # value (gallery.shared_artwork: where same-series references of other values agree).
        specific = np.nonzero(gallery.weights >= 1.0)[0]
        self._specific_of = [specific[gallery.owners[specific] == r]
                             for r in range(len(gallery.references))]
        self._all_of = [np.nonzero(gallery.owners == r)[0] for r in range(len(gallery.references))]
        self._ref_index = {r.id: i for i, r in enumerate(gallery.references)}
        self._lookup = None  # (features, nearest-keypoint search, RootSIFT) of the last frame

    # --- features -----------------------------------------------------------------------
    def features(self, image: np.ndarray, pass_: str = "plain") -> FrameFeatures:
        """SIFT of one frame (BGR, or already grey) at the working size, as ``pass_`` sees it."""
        return frame_features(self._sift, image, pass_)

    def verify(self, image: np.ndarray, candidates: Sequence[str] | None = None
               ) -> Verification:
        """Verify one frame. ``candidates`` (denominations, best first, e.g. from the model)
        only order the work; every denomination with enough tentative matches is examined, so
        ``accepted`` never depends on the model being right."""
        grey = to_grey(image)  # once: every look works in grey, the colour check on the frame
        return self.verify_passes(lambda p: self.features(grey, p), candidates, lambda: image)

    def verify_passes(self, features_of: Callable[[str], FrameFeatures],
                      candidates: Sequence[str] | None = None,
                      image_of: Callable[[], np.ndarray] | None = None) -> Verification:
        """The plain pass's verdict; where it named no note, the first retry pass that names one
        (``features_of(pass)`` gives that pass's features, computed only when needed). When no
        look names it, the plain pass's verdict stands (its outline and hint). Each look has
        its refit round (``verify_features``). The "pooled" look asks for nothing new: it is
        the plain look's and the retries' keypoints that ``frames.POOLED_FROM`` names.
        ``image_of()``: the frame in colour, for the colour check of a look that names a note
        (``Options.colour``); without it (or for a grey frame) colour is not checked."""
        seen: dict[str, FrameFeatures] = {}
        pool = [p for p in POOLED_FROM if p == "plain" or p in self.options.retries]

        def look(p: str) -> FrameFeatures:  # each pass computed once; the pooled look reuses them
            if p not in seen:
                seen[p] = pooled([look(q) for q in pool]) if p == "pooled" else features_of(p)
            return seen[p]

        first = self._coloured(self.verify_features(look("plain"), candidates,
                                                    quick=self.options.quick_first), image_of)
        for p in self.options.retries:
            if self._settled(first):
                return first
            if p == "pooled" and len(pool) < 2:  # nothing to pool with: the plain look again
                continue
            again = self._coloured(self.verify_features(look(p), candidates, pass_=p), image_of)
            if self._settled(again):
                return replace(again, look=p)
        return first

    def _coloured(self, v: Verification, image_of) -> Verification:
        """A named note must show its reference's colour pattern (``colour.checked``)."""
        if not (v.accepted and self.options.colour and image_of is not None):
            return v
        return colour.checked(v, self.gallery.references[self._ref_index[v.reference]].colour,
                              image_of, self.thresholds)

    def _settled(self, v: Verification) -> bool:
        return v.accepted or (not self.options.retry_unnamed and v.outline is not None)

    def verify_features(self, f: FrameFeatures, candidates: Sequence[str] | None = None,
                        quick: bool = False, pass_: str = "plain") -> Verification:
        """One look at one frame's features (``pass_``: which look they are). ``quick``: first
        a cheaper look (``QUICK_CHECKS``, ``QUICK_RANSAC_ITERS``), whose verdict stands only if
        it names a note with room to spare (``QUICK_CLEAR``); otherwise the full look decides,
        as if the quick one had not been."""
        self._lookup = None
        n_kp = len(f.points)
        if n_kp < 4:
            return Verification(keypoints=n_kp)
        if quick:
            cv2.setRNGSeed(0)
            knn = self._matcher.knn(f.descriptors, QUICK_CHECKS)
            placed = self._align(self._matcher.ratio_per_reference(knn), f, candidates,
                                 QUICK_RANSAC_ITERS)
            if placed:
                verdict, _ = self._decide(placed, f, knn)
                if self._clear(verdict):
                    return verdict
        # Seeded per look, so that nothing drawing from OpenCV's (per-thread) RNG depends on
        # what ran before. findHomography itself samples with a fixed seed of its own
        # (measured: the same fit whatever the RNG state), which is why its calls can run on
        # the helper thread of ``in_pairs`` with the same results.
        cv2.setRNGSeed(0)
        knn = self._matcher.knn(f.descriptors)
        first = None
        for apart in (0.0, APART_PX) if pass_ in self.options.apart else (0.0,):
            verdict = self._judge(self._matcher.ratio_per_reference(knn, apart), f, knn,
                                  candidates)
            if verdict.accepted:
                return verdict
            if first is None:
                first = verdict
        # Named by neither test: the usual test's verdict stands (its outline and hint).
        return first

    def _judge(self, per_ref, f: FrameFeatures, knn, candidates) -> Verification:
        """The verdict on one set of tentative matches: placements, the value, and where that
        names nothing, each placement refitted on guided correspondences and judged again."""
        placed = self._align(per_ref, f, candidates)
        if not placed:
            return Verification(keypoints=len(f.points))
        verdict, first_values = self._decide(placed, f, knn)
        if verdict.accepted or not self.options.refine:
            return verdict
        near, frame_desc = self._frame_lookup(f)
        refined = {d: [refined_candidate(c, self.gallery, self._all_of[c.ref], f, near,
                                         frame_desc, self.options.method, RANSAC_PX,
                                         MIN_INLIER_SPREAD)
                       for c in cs] for d, cs in placed.items()}
        again, _ = self._decide(refined, f, knn, floor=first_values)
        # The refit round may name only a refitted placement (held to its own inlier bar);
        # otherwise the first round's verdict stands, its outline and hint included.
        return again if again.accepted and again.refined else verdict

    def _clear(self, v: Verification) -> bool:
        """Named with room to spare: every part of the single-frame bar met QUICK_CLEAR times."""
        t, k = self.thresholds, QUICK_CLEAR
        return v.accepted and accepts(v.inliers / k, v.score / k, v.runner_up_score, t, v.refined,
                                      v.regions)

    def _decide(self, placed: dict[str, list[Candidate]], f: FrameFeatures, knn,
                floor: dict[str, float] | None = None) -> tuple[Verification, dict[str, float]]:
        """The verdict on these placements, and each value's evidence. ``floor``: evidence each
        value had before (the refit round's runner-up is never weaker than it was)."""
        best = self._value_per_denomination(placed, f, knn)
        values = {d: c.value for d, c in best.items()}
        ranked = sorted(best.items(), key=lambda kv: (-kv[1].value, -kv[1].inliers))
        denom, top = ranked[0]
        others = {d: max(v, (floor or {}).get(d, 0.0)) for d, v in values.items() if d != denom}
        runner = max(others, key=others.get) if others else None
        second_score = others[runner] if runner else 0.0
        accepted = accepts(top.inliers, top.value, second_score, self.thresholds, top.refined,
                           top.regions)
        ref = self.gallery.references[top.ref]
        return Verification(
            denomination=denom, side=ref.side, series=ref.series, reference=ref.id,
            inliers=top.inliers, score=float(top.value), runner_up=runner,
            runner_up_score=float(second_score), accepted=bool(accepted),
            outline=(top.quad / f.scale).astype(np.float32), keypoints=len(f.points),
            hint=note_hint(top, f.shape, accepted, self.thresholds), refined=top.refined, regions=top.regions), values

    def _frame_lookup(self, f: FrameFeatures):
        """(nearest-keypoint search, RootSIFT descriptors) of the frame, made once per frame."""
        if self._lookup is None or self._lookup[0] is not f:
            self._lookup = (f, near_points(f.points, f.shape), root_sift(f.descriptors))
        return self._lookup[1], self._lookup[2]

    # --- where is the note --------------------------------------------------------------
    def _align(self, per_ref, f: FrameFeatures, candidates, iters: int = RANSAC_ITERS
               ) -> dict[str, list[Candidate]]:
        """Plausible placements per denomination, from its most promising references."""
        order = {d: i for i, d in enumerate(candidates or ())}
        # Ranked by distinct reference keypoints matched: in a noisy or cluttered frame many
        # frame keypoints match the same few reference keypoints (57 matches to 9 keypoints,
        # measured), and RANSAC sees one match per reference keypoint anyway.
        counts = {r: n for r, (q, g) in per_ref.items()
                  if (n := len(np.unique(g)) if self.options.distinct else len(q)) >= NOISE_INLIERS}
        by_denom: dict[str, list[int]] = {}
        for r in sorted(counts, key=lambda r: -counts[r]):
            by_denom.setdefault(self._ref_denoms[r], []).append(r)
        tried = [(d, r) for d in sorted(by_denom, key=lambda d: order.get(d, len(order)))
                 for r in by_denom[d][:MAX_REFS_PER_DENOMINATION]]
        found = in_pairs(lambda dr: self._ransac(dr[1], *per_ref[dr[1]], f, iters), tried)
        placed: dict[str, list[Candidate]] = {}
        for (d, _), c in zip(tried, found):
            if c:
                placed.setdefault(d, []).append(c)
        return placed

    def _ransac(self, r, q, g, f: FrameFeatures, iters: int = RANSAC_ITERS) -> Candidate | None:
        # One match per reference keypoint (the frame keypoint listed first is the closer).
        g_u, first = np.unique(g, return_index=True)
        q, g = q[first], g_u
        if len(q) < NOISE_INLIERS:
            return None
        src = self.gallery.points[g].reshape(-1, 1, 2)
        dst = f.points[q].reshape(-1, 1, 2)
        # (plain RANSAC, a measured variant only, runs every sample on a weak candidate: it
        # keeps the 1000 it was measured with)
        iters = 1000 if self.options.method == cv2.RANSAC else iters
        H, mask = cv2.findHomography(src, dst, self.options.method, RANSAC_PX,
                                     maxIters=iters, confidence=0.995)
        if H is None or mask is None:
            return None
        inl = mask.ravel().astype(bool)
        ref = self.gallery.references[r]
        quad = cv2.perspectiveTransform(ref.outline.reshape(-1, 1, 2), H).reshape(4, 2)
        if not plausible_outline(quad, ref, f.shape):
            return None
        fold = None
        if self.options.second_plane:
            half, fold = other_half(src, dst, inl, ref, H, self.options.method, RANSAC_PX)
            inl = inl | half
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
        return Candidate(r, n_in, H, quad.astype(np.float32), weighted, fold=fold)

    # --- which value is it --------------------------------------------------------------
    def _value_per_denomination(self, placed: dict[str, list[Candidate]], f: FrameFeatures,
                                knn) -> dict[str, Candidate]:
        """Each denomination's best placement, its ``value`` set to its evidence."""
        if self.options.evidence == "weighted":
            for cands in placed.values():
                for c in cands:
                    c.value = c.weighted
            return {d: max(cs, key=lambda c: (c.value, c.inliers)) for d, cs in placed.items()}
        near, frame_desc = self._frame_lookup(f)
        specific: dict[str, np.ndarray] = {}
        best: dict[str, Candidate] = {}
        for d, cands in placed.items():
            # A value's placement is its best-aligned one (the first of equals). Choosing the
            # one with the most guided matches instead named one seed-11 tuning frame fewer,
            # and costs a guided search per placement.
            best[d] = max(cands, key=lambda c: c.inliers)
            specific[d] = self._guided(best[d], f, near, frame_desc)
        # Fine print, guilloche, fonts and borders are common to many values yet often escape
        # the shared-artwork test (too few inliers between two small references). Such a frame
        # keypoint is explained by another value's reference too, by any of its keypoints at
        # that value's placement; only keypoints that no other value explains count.
        explained = ({d: self._guided(c, f, near, frame_desc, every=True)[0]
                      for d, c in best.items()}
                     if self.options.exclusive and len(best) > 1 else {})
        other_dist = self._other_value_distance(knn, frame_desc) if explained else {}
        for d, c in best.items():
            mine, dist, at = specific[d]
            if d in other_dist:
                # The descriptor must be clearly closer to this value's reference than to
                # any other value's keypoint in the gallery (a ratio test between values).
                keep = dist < VALUE_RATIO * other_dist[d][mine]
                mine, at = mine[keep], at[keep]
            others = [m for e, m in explained.items() if e != d]
            if others:
                keep = ~np.isin(mine, np.concatenate(others))
                mine, at = mine[keep], at[keep]
            c.value = float(spots(f.points[mine]))
            c.regions = regions(at, self.gallery.references[c.ref].size, REGION_GRID)
            if self.options.control:
                c.value = max(0.0, c.value - self._chance(c, f, near, frame_desc))
        return best

    def _other_value_distance(self, knn, frame_desc) -> dict[str, np.ndarray]:
        """Per denomination d, per frame keypoint: RootSIFT distance to the nearest gallery
        keypoint of a value other than d among its neighbours (the farthest neighbour's
        distance when none is of another value). Text such as the bank's name, on every
        back, is close to some other value's keypoint even where no other value was placed."""
        idx, dist = knn
        if not self.options.rootsift:  # the index holds plain SIFT: measure RootSIFT here
            dist = np.linalg.norm(root_sift(self.gallery.descriptors[idx.reshape(-1)])
                                  - np.repeat(frame_desc, idx.shape[1], axis=0),
                                  axis=1).reshape(idx.shape)
        # (with RootSIFT the search's own distances are these distances: ~14 ms a frame saved)
        denoms = self._ref_denoms[self.gallery.owners[idx]]
        far = dist.max(axis=1)
        return {d: np.where(denoms != d, dist, far[:, None]).min(axis=1)
                for d in np.unique(self._ref_denoms)}

    def _chance(self, c: Candidate, f: FrameFeatures, near, frame_desc) -> float:
        """Guided matches a wrong placement finds: the same homography shifted by a fraction
        of the note, so that no keypoint lands where its own artwork is. Blurred or plain
        textures match almost anything at this descriptor distance; what a shifted placement
        finds is chance, and is subtracted from the evidence."""
        ref = self.gallery.references[c.ref]
        counts = []
        for sx, sy in CONTROL_SHIFTS:
            t = np.array([[1, 0, sx * ref.size[0]], [0, 1, sy * ref.size[1]], [0, 0, 1]])
            fold = None if c.fold is None else (c.fold[0] @ t, c.fold[1] - sx * ref.size[0],
                                                c.fold[2])
            shifted = Candidate(c.ref, c.inliers, c.H @ t, c.quad, c.weighted, fold=fold)
            counts.append(spots(f.points[self._guided(shifted, f, near, frame_desc)[0]]))
        return float(np.mean(counts))

    def _guided(self, c: Candidate, f: FrameFeatures, near, frame_desc, every: bool = False
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Value-specific keypoints of the candidate's reference that find, near the position
        its homography predicts, a frame keypoint with a similar descriptor (deduplicated).
        Searched per reference, not through the gallery-wide neighbour lists: those fill up
        with the many copies of shared artwork, crowding out the keypoints that matter.
        Returns (frame keypoints, descriptor distances, reference positions matched)."""
        g = self._all_of[c.ref] if every else self._specific_of[c.ref]
        if len(g) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros((0, 2), np.float32)
        radius = max(GUIDED_MIN_PX, GUIDED_RADIUS * note_diagonal(c.quad))
        rows, fq, dist = guided_matches(c.project(self.gallery.points[g]),
                                        self.gallery.descriptors[g], frame_desc, near, f.shape,
                                        radius, GUIDED_MAX_DIST)
        return fq, dist, self.gallery.points[g[rows]]

