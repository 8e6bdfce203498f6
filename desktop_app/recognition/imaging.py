"""Image geometry shared by the verifier: descriptor matching, outline plausibility, hints.

Kept apart from ``verifier.py`` so the decision logic there reads as the two questions it
answers (where is a note, which value is it), with the mechanics here.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from desktop_app.recognition.gallery import make_index, ratio_filter

FLANN_CHECKS = 48
# The first look at a frame searches with fewer checks (about a third of the search's time):
# a note in plain view is named from it all the same, and a frame it does not name with room
# to spare (verifier.QUICK_CLEAR) is searched again with FLANN_CHECKS. Measured with and
# without (models/EVALUATION.md, "full search only": the same outcome for every frame).
QUICK_CHECKS = 16
# Nearest gallery keypoints per frame keypoint. The per-reference ratio test needs the same
# reference's second-best among them; with several references of one design (scans and
# burst photos), copies of the same artwork fill a short list and the test then fails for
# every copy at once.
MATCH_NEIGHBOURS = 16
# The second ratio test (``Options.apart``): the second-best must lie this far from the best,
# in reference pixels (long side ``flatten.REFERENCE_LONG_SIDE``). Measured as the only ratio
# test: 4 and 8 named the same tuning frames; 1.5 (only the very same spot) one seed-11 fewer.
APART_PX = 4.0
MIN_SPLIT_QUERIES = 200  # fewer frame keypoints than twice this are searched in one piece
# Plausibility of the projected note outline.
MIN_AREA_FRACTION = 0.005  # of the frame
MAX_AREA_FRACTION = 8.0  # a close-up of part of the note may span several frames
MAX_ASPECT_DISTORTION = 2.0  # projected aspect vs reference aspect, either way
MAX_OPPOSITE_SIDE_RATIO = 3.0  # perspective foreshortening of opposite edges
# Hints.
SMALL_NOTE_FRACTION = 0.10  # projected note under this share of the frame: "move closer"
PARTIAL_MARGIN = 0.03  # an outline corner this far outside the frame: "partial"


def root_sift(desc: np.ndarray) -> np.ndarray:
    """RootSIFT: L1-normalise, then square-root; Euclidean distance then compares
    descriptors by the Hellinger kernel, which is less dominated by a few large bins."""
    d = np.asarray(desc, np.float32)
    d = d / np.maximum(d.sum(axis=1, keepdims=True), 1e-6)
    return np.sqrt(d)


class Matcher:
    """One FLANN index over every gallery descriptor; k-nearest lists per frame keypoint."""

    def __init__(self, descriptors: np.ndarray, owners: np.ndarray, rootsift: bool,
                 points: np.ndarray | None = None):
        self.rootsift = rootsift
        self.owners = owners
        self.points = points  # per gallery keypoint, for the ratio test's "apart" rule
        self._index = make_index(self._prepare(descriptors))
        self._k = min(MATCH_NEIGHBOURS, len(owners))

    def _prepare(self, desc: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(root_sift(desc) if self.rootsift else desc, np.float32)

    def knn(self, desc: np.ndarray, checks: int = FLANN_CHECKS) -> tuple[np.ndarray, np.ndarray]:
        """(indices, distances), both queries x k, nearest first; ``checks``: leaves the
        search visits (more: closer to exact, slower)."""
        query = self._prepare(desc)
        half = len(query) // 2
        if cv2.getNumThreads() < 2 or half < MIN_SPLIT_QUERIES:
            idx, sq = self._search(query, checks)
        else:
            # FLANN's search runs on one core and releases the GIL; the two halves of the
            # frame's keypoints are searched at once (same results: each query is searched
            # on its own). Measured: 56 -> 29 ms per hard frame on two cores.
            first, second = both(lambda: self._search(query[:half], checks),
                                 lambda: self._search(query[half:], checks))
            idx, sq = np.vstack([first[0], second[0]]), np.vstack([first[1], second[1]])
        return idx.astype(np.int64), np.sqrt(np.maximum(sq, 0))

    def _search(self, query: np.ndarray, checks: int):
        return self._index.knnSearch(query, self._k, params=dict(checks=checks))

    def ratio_per_reference(self, knn, apart: float = 0.0
                            ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Per reference: (frame keypoint indices, gallery keypoint indices). ``apart`` > 0:
        the ratio test's second-best is taken from another place (``gallery.ratio_filter``)."""
        q, g = ratio_filter(*knn, self.owners, self.points, apart)
        owners = self.owners[g]
        return {int(r): (q[owners == r], g[owners == r]) for r in np.unique(owners)}


def both(here, there):
    """(here(), there()), ``there`` run on a short-lived daemon thread meanwhile: like the
    app's workers it never holds up the process's exit, and nothing is left running after."""
    out: dict = {}

    def run():
        try:
            out["value"] = there()
        except BaseException as exc:  # handed to the caller below
            out["error"] = exc
    thread = threading.Thread(target=run, name="knn", daemon=True)
    thread.start()
    try:
        mine = here()
    finally:
        thread.join()
    if "error" in out:
        raise out["error"]
    return mine, out["value"]


def in_pairs(fn, items: list) -> list:
    """``[fn(x) for x in items]``, on two cores where there are two: OpenCV's calls release the
    GIL, so RANSAC runs on two candidates at once. Every call is independent of the others
    (findHomography's sampling is seeded per call), so the results are the same."""
    if cv2.getNumThreads() < 2 or len(items) < 2:
        return [fn(x) for x in items]
    evens, odds = both(lambda: [fn(x) for x in items[0::2]], lambda: [fn(x) for x in items[1::2]])
    out = [None] * len(items)
    out[0::2], out[1::2] = evens, odds
    return out


def spots(points: np.ndarray) -> int:
    """Distinct pixel positions: SIFT gives several orientations at one spot; they count once."""
    if len(points) == 0:
        return 0
    return len(np.unique(np.round(points).astype(np.int32), axis=0))


def regions(points: np.ndarray, size: tuple[float, float], grid: tuple[int, int]) -> int:
    """How many cells of a ``grid`` (columns, rows) over a reference of ``size`` (w, h) hold
    at least one of these reference positions."""
    cols, rows = grid
    w, h = size
    cx = np.clip((points[:, 0] * cols / w).astype(int), 0, cols - 1)
    cy = np.clip((points[:, 1] * rows / h).astype(int), 0, rows - 1)
    return len(np.unique(cy * cols + cx))


def plausible_outline(quad: np.ndarray, ref, shape) -> bool:
    """Whether a reference outline projected into a frame of ``shape`` can be a real note:
    convex, turning the same way as the reference (a mirror image turns the other way),
    of sane area, aspect and perspective."""
    if not np.all(np.isfinite(quad)):
        return False
    edges = np.roll(quad, -1, axis=0) - quad
    nxt = np.roll(edges, -1, axis=0)
    cross = edges[:, 0] * nxt[:, 1] - edges[:, 1] * nxt[:, 0]
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


def position_hint(quad: np.ndarray, shape) -> str | None:
    """"partial" when the outline runs out of the frame, "move_closer" when it is small."""
    h, w = shape[:2]
    mx, my = PARTIAL_MARGIN * w, PARTIAL_MARGIN * h
    if (quad[:, 0].min() < -mx or quad[:, 0].max() > w + mx or quad[:, 1].min() < -my
            or quad[:, 1].max() > h + my):
        return "partial"
    area = abs(cv2.contourArea(quad.reshape(-1, 1, 2).astype(np.float32)))
    if area < SMALL_NOTE_FRACTION * w * h:
        return "move_closer"
    return None


def note_hint(top: Candidate, shape, accepted: bool, thresholds) -> str | None:
    """What the person can do about a placed note: where it is in the frame first; then,
    for a note placed but not named, "hold_flat" when it was found in two halves (folded
    or bent) and "other_side" when only artwork common to every value was seen (the parts
    that tell values apart are hidden, or this side is not in the gallery)."""
    # A weak candidate's outline is as likely clutter as a note: no hint from it.
    if top.inliers < thresholds.min_inliers:
        return None
    where = position_hint(top.quad, shape)
    if where or accepted:
        return where
    if top.folded:
        return "hold_flat"
    return "other_side" if top.value < thresholds.min_value else None


def stretch(grey: np.ndarray, percentiles: tuple[float, float] = (1, 99)) -> np.ndarray:
    """Grey levels stretched so the given percentiles span 0..255 (never compressed)."""
    lo, hi = _percentiles(grey, percentiles)
    if hi - lo < 1 or (lo <= 0 and hi >= 255):
        return grey
    gain = 255.0 / (hi - lo)
    if grey.dtype == np.uint8:  # one look-up per grey level instead of float maths per pixel
        table = np.clip((np.arange(256, dtype=np.float64) - lo) * gain, 0, 255).astype(np.uint8)
        return cv2.LUT(grey, table)
    return np.clip((grey.astype(np.float32) - lo) * gain, 0, 255).astype(np.uint8)


def _percentiles(grey: np.ndarray, percentiles: tuple[float, float]) -> tuple[float, float]:
    """``np.percentile(grey, percentiles)`` (linear interpolation), from a histogram when the
    image is 8-bit: the same numbers without sorting 300k pixels (~3 ms a frame)."""
    if grey.dtype != np.uint8 or grey.size == 0:
        lo, hi = np.percentile(grey, percentiles)
        return float(lo), float(hi)
    cum = np.cumsum(np.bincount(grey.ravel(), minlength=256))
    n = int(cum[-1])

    def ranked(k: int) -> int:  # the k-th smallest grey level (0-based)
        return int(np.searchsorted(cum, k, side="right"))
    out = []
    for p in percentiles:
        pos = (n - 1) * p / 100.0
        k = int(np.floor(pos))
        a, b = ranked(k), ranked(min(k + 1, n - 1))
        out.append(a + (pos - k) * (b - a))
    return out[0], out[1]


def near_points(points: np.ndarray, shape: tuple[int, int]):
    """The frame keypoint nearest each predicted position: predictions (M x 2) -> (indices,
    squared distances), both M x 1.

    A distance transform of the keypoints' pixels labels every pixel with its nearest
    keypoint once per frame; each prediction then looks up the 3x3 pixels around it and keeps
    the closest of their keypoints by exact distance. Measured against an exact search: the
    same keypoint 99.8% of the time, as often as the kd-tree this replaced, at less than half
    its cost per look-up (the verifier looks up ~15 sets of predictions per frame). Looking up
    only the 2x2 pixels around it (99.5%) cost one hard frame in the evaluation."""
    h, w = shape
    hi = np.array([w - 1, h - 1])
    pix = np.clip(np.round(points).astype(np.int64), 0, hi)
    seeds = np.full((h, w), 255, np.uint8)
    seeds[pix[:, 1], pix[:, 0]] = 0
    _, labels = cv2.distanceTransformWithLabels(seeds, cv2.DIST_L2, cv2.DIST_MASK_5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    keypoint_of = np.zeros(int(labels.max()) + 1, np.int64)
    keypoint_of[labels[pix[:, 1], pix[:, 0]]] = np.arange(len(points))  # one per pixel
    around = np.array([[dx, dy] for dx in (-1, 0, 1) for dy in (-1, 0, 1)])

    def search(pred: np.ndarray):
        if len(points) == 0 or len(pred) == 0:
            return np.zeros((len(pred), 0), np.int64), np.zeros((len(pred), 0), np.float32)
        at = np.clip(np.floor(pred).astype(np.int64)[:, None, :] + around, 0, hi)
        cand = keypoint_of[labels[at[..., 1], at[..., 0]]]  # M x 9
        d2 = ((points[cand] - pred[:, None, :]) ** 2).sum(axis=2)
        best = d2.argmin(axis=1)
        rows = np.arange(len(pred))
        return cand[rows, best][:, None], d2[rows, best][:, None].astype(np.float32)
    return search


def note_diagonal(quad: np.ndarray) -> float:
    """The mean length of a placed outline's two diagonals, in frame pixels."""
    return float(np.linalg.norm(quad[2] - quad[0]) + np.linalg.norm(quad[3] - quad[1])) / 2


def guided_matches(pred: np.ndarray, ref_desc: np.ndarray, frame_desc_root: np.ndarray, near,
                   shape: tuple[int, int], radius: float, max_dist: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matches found where a placement predicts them: for each predicted position inside the
    frame (``pred``, one row per reference keypoint with SIFT descriptor ``ref_desc``), the
    nearest frame keypoint (``near``: ``near_points``) within ``radius`` whose RootSIFT
    distance is at most ``max_dist``; each frame keypoint once, for its closest descriptor.
    Returns (rows of ``pred``, frame keypoints, distances), ordered by frame keypoint."""
    h, w = shape
    inside = np.all(np.isfinite(pred), axis=1)
    inside &= (pred[:, 0] >= 0) & (pred[:, 0] < w) & (pred[:, 1] >= 0) & (pred[:, 1] < h)
    rows = np.nonzero(inside)[0]
    none = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    if len(rows) == 0:
        return none
    cand, d2 = near(pred[rows].astype(np.float32))  # one nearest keypoint per prediction
    hit, col = np.nonzero(d2 <= radius * radius)
    if len(hit) == 0:
        return none
    rows, fq = rows[hit], cand[hit, col]
    dist = np.linalg.norm(root_sift(ref_desc[rows]) - frame_desc_root[fq], axis=1)
    good = dist <= max_dist
    rows, fq, dist = rows[good], fq[good], dist[good]
    order = np.argsort(dist, kind="stable")
    _, first = np.unique(fq[order], return_index=True)
    keep = order[first]
    return rows[keep], fq[keep], dist[keep]


@dataclass
class Candidate:
    """One reference placed in the frame by the verifier."""

    ref: int
    inliers: int  # alignment inliers, spatially deduplicated
    H: np.ndarray  # reference -> working frame
    quad: np.ndarray  # 4x2 outline in working-frame pixels
    weighted: float  # v1 score: shared-artwork-weighted inliers
    value: float = 0.0  # guided value-specific matches
    # Placed by two homographies (the halves of a folded note): (H2, fold x, H2 right of it).
    fold: tuple | None = None
    refined: bool = False  # refitted on guided correspondences (refine.py)
    regions: int | None = None  # cells of the reference its value evidence lies in

    @property
    def folded(self) -> bool:
        return self.fold is not None

    def project(self, pts: np.ndarray) -> np.ndarray:
        """Reference points into the frame, each half of a folded note by its own fit."""
        p = pts.reshape(-1, 1, 2).astype(np.float64)
        out = cv2.perspectiveTransform(p, self.H).reshape(-1, 2)
        if self.fold is not None:
            H2, x, right = self.fold
            sel = (pts[:, 0] > x) if right else (pts[:, 0] <= x)
            if sel.any():
                out[sel] = cv2.perspectiveTransform(p[sel], H2).reshape(-1, 2)
        return out.astype(np.float32)
