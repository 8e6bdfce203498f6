"""The checks a taught note must pass before anything is kept.

A taught note is trusted as much as a shipped reference (same thresholds), so it must not be
able to make the app say a wrong value:

1. ``inconsistent``: the views of one side must show one note (they align with each other);
   two different notes taught as one would make a reference that half-matches both.
2. ``known_as``: a note the app already names as another value is refused, with that value
   said ("This looks like a 500 rupee note; not saved"): teaching it would make that value
   ambiguous, or teach a mistake. So is a note it places on a reference of another value that
   it aligns with all over (the same design, too worn or dim for the app to name it yet).
3. ``matches_negatives``: a taught value that foreign notes or scenes would match is refused
   (``models/negatives.npz``: features of foreign notes and scenes, never their pixels).
4. After merging (``sharing.merge``), the shared artwork recomputed with the new note:
   ``keeps_others``: no reference already in use may lose most of its value-specific parts to
   the new note (a copy of a known design taught as another value would take them all), and
   ``distinct``: the new note's own views must still be named by it alone.

Every check works on features only, so a note imported from another machine is checked the
same way as one taught here.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from desktop_app.recognition.gallery import RATIO, GalleryError
from desktop_app.recognition.imaging import root_sift
from desktop_app.recognition.verifier import FrameFeatures, Verifier
from desktop_app.teaching.store import View

# Inliers for two views of one side to count as the same note. Higher than the verifier's
# min_inliers (12): both views are sharp, whole, and of the very same note.
CONSISTENT_INLIERS = 20
CONSISTENT_RANSAC_PX = 8.0
# ... spread over the note: inliers in this share of the grid cells that hold detail (at least
# CELL_KEYPOINTS keypoints), so that shared artwork alone (a third of the note) is not enough.
# Measured on the shared photos (known outlines, every pair of one side): 268 pairs of the same
# physical note all had 20+ inliers over 62-100% (median 93%, the smaller of the two views'
# shares); of 956 pairs of different values, those with 20+ inliers covered at most 29%.
GRID = (8, 4)
CELL_KEYPOINTS = 4
MIN_COVERAGE = 0.5
NEGATIVES_FORMAT = "ncr-negatives"
# A reference in use (with MIN_SPECIFIC value-specific keypoints or more) may lose at most
# MAX_LOSS of them to a taught note's shared artwork. Measured: a real Rs 50 front taught into
# a gallery without Rs 50 fronts took 55% from a Rs 1000 photo (what the shipped gallery's
# own Rs 50 fronts take); a copy of a known design taught as another value takes over 90%.
MIN_SPECIFIC = 20
MAX_LOSS = 0.75


@dataclass(frozen=True)
class Refusal:
    key: str  # phrase key
    params: dict
    detail: str  # for logs and the terminal: which view, which negative, how many inliers


def view_features(view: View) -> FrameFeatures:
    """A view as the verifier sees a frame: its full-size keypoints on its own pixels."""
    sel = view.full_scale
    w, h = view.size
    return FrameFeatures((h, w), 1.0, view.points[sel], view.descriptors[sel])


def alignment(a: View, b: View) -> tuple[int, float]:
    """RANSAC inliers of the homography from view ``a`` to view ``b`` (RootSIFT, ratio test),
    and how much of the note they cover: the share of detailed grid cells holding an inlier,
    the smaller of the two views' shares.
    Two notes of different values share artwork (the Everest panel, the bank's name) and align
    there with many inliers, but only over that part; one note aligns all over."""
    if len(a.points) < 4 or len(b.points) < 4:
        return 0, 0.0
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    pairs = matcher.knnMatch(root_sift(a.descriptors), root_sift(b.descriptors), k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < CONSISTENT_INLIERS:
        return len(good), 0.0
    src = a.points[[m.queryIdx for m in good]].reshape(-1, 1, 2)
    dst = b.points[[m.trainIdx for m in good]].reshape(-1, 1, 2)
    H, mask = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, CONSISTENT_RANSAC_PX)
    if H is None or mask is None:
        return 0, 0.0
    keep = mask.ravel().astype(bool)
    # Both ways: a view of part of the note (an outline found around one panel) covers itself
    # but not the whole note it is compared with.
    return int(keep.sum()), min(coverage(a, src.reshape(-1, 2)[keep]),
                                coverage(b, dst.reshape(-1, 2)[keep]))


def coverage(view: View, inliers: np.ndarray) -> float:
    w, h = view.size
    cols, rows = GRID

    def cells(pts):
        c = np.clip((pts[:, 0] / w * cols).astype(int), 0, cols - 1)
        r = np.clip((pts[:, 1] / h * rows).astype(int), 0, rows - 1)
        return r * cols + c

    detailed = np.bincount(cells(view.points[view.full_scale]), minlength=cols * rows) >= CELL_KEYPOINTS
    if not detailed.any():
        return 0.0
    hit = np.bincount(cells(inliers), minlength=cols * rows) > 0
    return float((hit & detailed).sum() / detailed.sum())


def same_note(a: View, b: View) -> tuple[bool, str]:
    n, cover = alignment(a, b)
    ok = n >= CONSISTENT_INLIERS and cover >= MIN_COVERAGE
    return ok, f"{n} inliers over {cover:.0%} of the note"


def anchor(views: Sequence[View]) -> View:
    """The view the others of its side are compared with: the most detailed."""
    return max(views, key=lambda v: (int(v.full_scale.sum()), v.sharpness))


def inconsistent(views: Sequence[View]) -> Refusal | None:
    for side in sorted({v.side for v in views}):
        mine = [v for v in views if v.side == side]
        first = anchor(mine)
        for i, v in enumerate(mine):
            if v is first:
                continue
            ok, how = same_note(v, first)
            if not ok:
                return Refusal("teach.refused.different", {},
                               f"{side} view {i + 1} aligns with the others by {how} (needs "
                               f"{CONSISTENT_INLIERS} inliers over {MIN_COVERAGE:.0%})")
    return None


def known_as(views: Sequence[View], value: str, verifier: Verifier | None) -> Refusal | None:
    """Refused when the gallery in use names any view as a different value, or places it on a
    reference of a different value that the view aligns with all over (the same design: a
    worn note the app cannot quite name yet is still that design, whatever value is given)."""
    if verifier is None:
        return None
    for i, v in enumerate(views):
        result = verifier.verify_features(view_features(v))
        if result.denomination is None or result.denomination == value:
            continue
        where = (f"view {i + 1} ({v.side}) is named Rs {result.denomination} by {result.reference} "
                 f"({result.inliers} inliers, value evidence {result.score:.0f})")
        if result.accepted:
            return Refusal("teach.refused.other_value", {"value": str(result.denomination)}, where)
        if result.inliers >= CONSISTENT_INLIERS:
            ok, how = same_note(v, reference_view(verifier.gallery, result.reference))
            if ok:
                return Refusal("teach.refused.other_value", {"value": str(result.denomination)},
                               f"{where.replace('is named', 'is placed on')}, aligned by {how}")
    return None


def reference_view(gallery, ref_id: str) -> View:
    """A gallery reference as a view, to align a taught view with."""
    r = next(i for i, ref in enumerate(gallery.references) if ref.id == ref_id)
    own = gallery.owners == r
    ref = gallery.references[r]
    return View(ref.side, ref.size, gallery.points[own], gallery.descriptors[own],
                np.ones(int(own.sum()), bool))


class Negatives:
    """Features of frames that must never be named: foreign notes and scenes."""

    def __init__(self, names: Sequence[str], frames: Sequence[FrameFeatures]):
        self.names = tuple(names)
        self.frames = tuple(frames)

    def __len__(self) -> int:
        return len(self.frames)

    @classmethod
    def load(cls, path: str | Path) -> "Negatives":
        import json

        path = Path(path)
        if not path.is_file():
            raise GalleryError(f"negatives file not found: {path} (build it with "
                               "`python -m training.build_negatives`)", "missing")
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                counts, pts, desc = z["counts"], z["points"], z["descriptors"]
            if meta.get("format") != NEGATIVES_FORMAT:
                raise ValueError("not a negatives file")
            frames, start = [], 0
            for item, n in zip(meta["items"], counts.tolist()):
                frames.append(FrameFeatures(tuple(item["shape"]), 1.0, pts[start:start + n],
                                            desc[start:start + n]))
                start += n
            return cls([i["name"] for i in meta["items"]], frames)
        except Exception as exc:
            raise GalleryError(f"negatives file {path} is unreadable: {exc}") from exc

    def save(self, path: str | Path, info: dict | None = None) -> None:
        import io
        import json

        from desktop_app.teaching.store import atomic_write

        meta = dict(format=NEGATIVES_FORMAT, info=info or {},
                    items=[dict(name=n, shape=list(f.shape)) for n, f in zip(self.names, self.frames)])
        buf = io.BytesIO()
        np.savez_compressed(buf, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
                            counts=np.array([len(f.points) for f in self.frames], np.int32),
                            points=np.concatenate([f.points for f in self.frames]).astype(np.float32),
                            descriptors=np.concatenate([f.descriptors for f in self.frames]
                                                       ).astype(np.uint8))
        atomic_write(Path(path), buf.getvalue())


def matches_negatives(taught_only: Verifier, negatives: Negatives, min_inliers: int
                      ) -> Refusal | None:
    """``taught_only`` holds the new note's views alone: stricter than the full gallery, where
    a negative would also need a margin over every other value. Any negative the new note
    places with ``min_inliers`` is a refusal."""
    for name, f in zip(negatives.names, negatives.frames):
        result = taught_only.verify_features(f)
        if result.denomination is not None and result.inliers >= min_inliers:
            return Refusal("teach.refused.foreign", {},
                           f"matches {name} with {result.inliers} inliers")
    return None


def keeps_others(before, merged) -> Refusal | None:
    """No reference of ``before`` (the first ones of ``merged``) may keep less than
    1 - MAX_LOSS of its value-specific keypoints: sharing artwork is normal (a new Everest side
    shares the panel, header and seal), taking over what names another value is not."""
    n, refs = len(before.points), len(before.references)
    was = np.bincount(before.owners[before.weights >= 1.0], minlength=refs)
    now = np.bincount(before.owners[merged.weights[:n] >= 1.0], minlength=refs)
    for r in np.nonzero((was >= MIN_SPECIFIC) & (now < (1 - MAX_LOSS) * was))[0]:
        ref = before.references[r]
        return Refusal("teach.refused.not_distinct", {},
                       f"{ref.id} (Rs {ref.denomination}) would keep {now[r]} of its {was[r]} "
                       "value-specific keypoints")
    return None


def distinct(views: Sequence[View], value: str, merged: Verifier) -> Refusal | None:
    """After the merge, every view of the note must be named as ``value`` by the merged
    gallery: if the recomputed shared artwork left it nothing of its own, it is refused."""
    for i, v in enumerate(views):
        result = merged.verify_features(view_features(v))
        if not (result.accepted and result.denomination == value):
            return Refusal("teach.refused.not_distinct", {},
                           f"view {i + 1} ({v.side}) after merging: {result.denomination} "
                           f"accepted={result.accepted} value evidence {result.score:.0f} "
                           f"runner-up {result.runner_up} {result.runner_up_score:.0f}")
    return None
