"""The reference gallery: local features of known note sides, never the images themselves.

Each reference is one side of one note (a flat scan, or a phone photo rectified with its
hand-marked corners). We keep its SIFT keypoint positions and descriptors, its outline in
reference pixels, and one weight per keypoint. The weight says how specific the keypoint is
to its denomination: the Everest series repeats the same panel, bank header and seal on every
value, so a keypoint lying in a region that a homography maps onto a reference of ANOTHER
denomination is weighted down, and a match there counts for little when values compete.
"""
from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import cv2
import numpy as np

from desktop_app.recognition import colour
from desktop_app.recognition.flatten import rectify

FORMAT_VERSION = 1
MAX_REFERENCE_KEYPOINTS = 1200
# Coarser copies of every reference: (scale, share of MAX_REFERENCE_KEYPOINTS).
REFERENCE_SCALES = ((0.5, 0.4), (0.25, 0.15))
# Shared artwork is found geometrically: where a homography maps a region of one reference
# onto a reference of another denomination (the same engraving, moved and scaled) with enough
# RANSAC inliers, every keypoint inside the inliers' hull is shared artwork, and its matches
# count MIN_WEIGHT instead of 1.
MIN_WEIGHT = 0.1
SHARED_MIN_INLIERS = 8  # inliers for two references to be judged to share a region
SHARED_RANSAC_PX = 8.0  # in reference pixels (long side flatten.REFERENCE_LONG_SIDE)
# Matching (also used by the verifier): nearest gallery keypoints looked at per query
# keypoint, and Lowe's ratio applied within each reference, because the same artwork
# appears in several references and a global ratio test would discard it everywhere.
NEIGHBOURS = 8
RATIO = 0.8

_REQUIRED_META = ("id", "denomination", "side", "series")


class GalleryError(RuntimeError):
    """The gallery file is missing, unreadable, or of another format version.

    ``kind`` ("missing", "corrupt" or "version") picks what the user is told: each has its
    own remedy (restore the file, or rebuild it for this app)."""

    def __init__(self, message: str, kind: str = "corrupt"):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Reference:
    id: str
    denomination: str
    side: str
    series: str
    size: tuple[int, int]  # (width, height) of the rectified reference in pixels
    outline: np.ndarray  # 4x2 float32 note corners in reference pixels, clockwise
    # Mean BGR of each of ``colour.GRID``'s cells of the note's face (NaN: not on the note);
    # None for a reference made from a grey image, which the colour check then skips.
    colour: np.ndarray | None = None


def make_sift(max_keypoints: int, contrast: float = 0.04) -> cv2.SIFT:
    return cv2.SIFT_create(nfeatures=max_keypoints, contrastThreshold=contrast)


def detect(grey: np.ndarray, max_keypoints: int, mask: np.ndarray | None = None,
           sift: cv2.SIFT | None = None, *, strength: bool = False) -> tuple[np.ndarray, ...]:
    """SIFT keypoint positions (N x 2 float32) and descriptors (N x 128 uint8); with
    ``strength``, also each keypoint's detector response (N float32)."""
    sift = sift or make_sift(max_keypoints)
    kps, desc = sift.detectAndCompute(grey, mask)
    if desc is None or not kps:
        none = np.zeros((0, 2), np.float32), np.zeros((0, 128), np.uint8)
        return none + (np.zeros(0, np.float32),) if strength else none
    pts = np.array([k.pt for k in kps], np.float32)
    # OpenCV's SIFT saturates each element to 0..255 before returning floats: uint8 is exact.
    out = pts, np.clip(np.rint(desc), 0, 255).astype(np.uint8)
    return out + (np.float32([k.response for k in kps]),) if strength else out


def detect_scales(flat: np.ndarray, mask: np.ndarray, max_keypoints: int,
                  sift: cv2.SIFT | None = None, *, levels: bool = False):
    """Keypoints of the reference at full size and at the coarser REFERENCE_SCALES, all in
    full-size reference pixels. A note small in the frame or smeared by motion shows only its
    coarse structure; the keypoint cap at full size keeps mostly fine detail."""
    p0, d0 = detect(flat, max_keypoints, mask, sift)
    pts, descs = [p0], [d0]
    for s, share in REFERENCE_SCALES:
        size = (max(8, round(flat.shape[1] * s)), max(8, round(flat.shape[0] * s)))
        small = cv2.resize(flat, size, interpolation=cv2.INTER_AREA)
        small_mask = cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST)
        p, d = detect(small, max(1, int(max_keypoints * share)), small_mask)
        pts.append(p * np.float32([flat.shape[1] / size[0], flat.shape[0] / size[1]]))
        descs.append(d)
    if levels:  # also say which keypoints were found at full size (teach mode checks on those)
        level = np.concatenate([np.full(len(p), i, np.uint8) for i, p in enumerate(pts)])
        return np.concatenate(pts), np.concatenate(descs), level
    return np.concatenate(pts), np.concatenate(descs)


def make_index(descriptors: np.ndarray) -> cv2.flann_Index:
    return cv2.flann_Index(np.ascontiguousarray(descriptors, np.float32),
                           dict(algorithm=1, trees=4))


def ratio_matches(index: cv2.flann_Index, owners: np.ndarray, desc: np.ndarray,
                  checks: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """Tentative matches (query indices, indexed keypoint indices) passing the ratio test
    against the second-best keypoint of the SAME reference (``owners`` per indexed keypoint)."""
    k = min(NEIGHBOURS, len(owners))
    idx, sq = index.knnSearch(np.ascontiguousarray(desc, np.float32), k,
                              params=dict(checks=checks))
    return ratio_filter(idx.astype(np.int64), np.sqrt(np.maximum(sq, 0)), owners)


def ratio_filter(idx: np.ndarray, dist: np.ndarray, owners: np.ndarray,
                 points: np.ndarray | None = None, apart: float = 0.0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Lowe's ratio test within each reference, on k-nearest-neighbour lists (rows: queries,
    columns: neighbours best first; ``idx`` into ``owners``). With ``points`` (per indexed
    keypoint) and ``apart`` > 0, the second-best is the same reference's nearest keypoint more
    than ``apart`` pixels from the best one: SIFT puts several keypoints on one spot (other
    orientations, neighbouring scales), and a second-best on the same spot says nothing about
    where the match belongs, yet fails the test."""
    k = idx.shape[1]
    owner = owners[idx]
    if apart > 0 and points is None:
        raise ValueError("the ratio test's 'apart' rule needs the indexed keypoints' positions")
    pos = points[idx] if apart > 0 else None
    q_all, g_all = [], []
    for j in range(k):
        first = np.ones(len(idx), bool)
        for i in range(j):
            first &= owner[:, i] != owner[:, j]
        # If the same reference's second-best fell outside the k neighbours it is at least
        # the k-th distance away, so using that distance is conservative.
        d2 = dist[:, k - 1].copy()
        found = np.zeros(len(idx), bool)
        for i in range(j + 1, k):
            hit = (owner[:, i] == owner[:, j]) & ~found
            if pos is not None:
                hit &= np.linalg.norm(pos[:, i] - pos[:, j], axis=1) > apart
            d2[hit] = dist[hit, i]
            found |= hit
        ok = first & (dist[:, j] < RATIO * d2)
        q_all.append(np.nonzero(ok)[0])
        g_all.append(idx[ok, j])
    return np.concatenate(q_all), np.concatenate(g_all)


class ReferenceGallery:
    """Keypoints, descriptors and weights of every reference, in flat arrays."""

    def __init__(self, references: Sequence[Reference], points: np.ndarray,
                 descriptors: np.ndarray, owners: np.ndarray, weights: np.ndarray | None = None,
                 info: dict | None = None):
        self.references = tuple(references)
        self.points = np.ascontiguousarray(points, np.float32).reshape(-1, 2)
        self.descriptors = np.ascontiguousarray(descriptors, np.uint8).reshape(-1, 128)
        self.owners = np.ascontiguousarray(owners, np.int32).reshape(-1)
        n = len(self.points)
        if not (len(self.descriptors) == len(self.owners) == n):
            raise ValueError("points, descriptors and owners differ in length")
        if n and (self.owners.min() < 0 or self.owners.max() >= len(self.references)):
            raise ValueError("keypoint owner out of range")
        self.weights = (np.ones(n, np.float32) if weights is None
                        else np.ascontiguousarray(weights, np.float32).reshape(-1))
        if len(self.weights) != n:
            raise ValueError("weights differ in length from keypoints")
        self.info = dict(info or {})
        # Keypoint x reference: "this keypoint is shared artwork with that reference".
        # Built lazily, kept in memory only (a subset reuses it to reweight without rematching).
        self._shared: np.ndarray | None = None

    # --- building ---------------------------------------------------------------------
    @classmethod
    def from_images(cls, items: Iterable[tuple[np.ndarray, dict]], *, weighted: bool = True,
                    max_keypoints: int = MAX_REFERENCE_KEYPOINTS) -> "ReferenceGallery":
        """Build from (image_bgr, meta) pairs.

        meta needs id, denomination, side and series; an optional ``outline`` gives the note's
        corners in the image (4 points, or a longer polygon for a note cut by the frame), and
        the note is rectified with it. Without one the whole image is the note.
        """
        refs, pts, descs, owners = [], [], [], []
        sift = make_sift(max_keypoints)
        for image, meta in items:
            missing = [k for k in _REQUIRED_META if not meta.get(k)]
            if missing:
                raise ValueError(f"reference meta lacks {missing}: {meta!r}")
            flat, mask = rectify(image, meta.get("outline"))
            cells = colour.note_cells(image, meta.get("outline"))
            p, d = detect_scales(flat, mask, max_keypoints, sift)
            h, w = flat.shape
            outline = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
            owners.append(np.full(len(p), len(refs), np.int32))
            refs.append(Reference(str(meta["id"]), str(meta["denomination"]), str(meta["side"]),
                                  str(meta["series"]), (w, h), outline, cells))
            pts.append(p)
            descs.append(d)
        if not refs:
            raise ValueError("no references given")
        gallery = cls(refs, np.concatenate(pts), np.concatenate(descs), np.concatenate(owners))
        return gallery.reweighted() if weighted else gallery

    def subset(self, keep_ids: Iterable[str], *, weighted: bool = True) -> "ReferenceGallery":
        """A gallery of only these references, weights recomputed among them alone."""
        keep = set(keep_ids)
        idx = [i for i, r in enumerate(self.references) if r.id in keep]
        remap = np.full(len(self.references), -1, np.int32)
        remap[idx] = np.arange(len(idx), dtype=np.int32)
        sel = remap[self.owners] >= 0
        g = ReferenceGallery([self.references[i] for i in idx], self.points[sel],
                             self.descriptors[sel], remap[self.owners[sel]], None, self.info)
        if self._shared is not None:
            g._shared = self._shared[sel][:, idx]
        return g.reweighted() if weighted else g

    def reweighted(self) -> "ReferenceGallery":
        """Weights from the artwork each keypoint shares with references of other values."""
        if self._shared is None:
            self._shared = self.shared_artwork()
        shared = self._shared.any(axis=1)
        w = np.where(shared, MIN_WEIGHT, 1.0).astype(np.float32)
        info = dict(self.info, weighting=dict(method="geometric", min_weight=MIN_WEIGHT,
                                              shared_min_inliers=SHARED_MIN_INLIERS,
                                              shared_fraction=round(float(shared.mean()), 3)))
        g = ReferenceGallery(self.references, self.points, self.descriptors, self.owners, w, info)
        g._shared = self._shared
        return g

    def unweighted(self) -> "ReferenceGallery":
        info = {k: v for k, v in self.info.items() if k != "weighting"}
        g = ReferenceGallery(self.references, self.points, self.descriptors, self.owners,
                             None, info)
        g._shared = self._shared
        return g

    def shared_artwork(self) -> np.ndarray:
        """Boolean keypoints x references: the keypoint lies in a region that a homography
        maps onto that reference, which is of a different denomination."""
        from desktop_app.recognition.sharing import mark_shared

        # The kd-trees and RANSAC below draw from OpenCV's RNG: seeded here, the same images
        # give the same shared artwork whatever ran before (tests built galleries that
        # depended on the tests run before them).
        cv2.setRNGSeed(0)
        shared = np.zeros((len(self.points), len(self.references)), bool)
        kp_denoms = np.array([r.denomination for r in self.references])[self.owners]

        def mark(keypoints: np.ndarray, other_ref: int) -> None:
            shared[keypoints, other_ref] = True

        for d in np.unique(kp_denoms):
            mark_shared(self, np.nonzero(kp_denoms == d)[0], np.nonzero(kp_denoms != d)[0], mark)
        return shared

    # --- access -------------------------------------------------------------------------
    @property
    def denominations(self) -> tuple[str, ...]:
        return tuple(sorted({r.denomination for r in self.references}, key=_denom_key))

    def __len__(self) -> int:
        return len(self.references)

    # --- files --------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = dict(format_version=FORMAT_VERSION, info=self.info, references=[
            dict(id=r.id, denomination=r.denomination, side=r.side, series=r.series,
                 size=list(r.size), outline=r.outline.tolist(), colour=_colour_json(r.colour))
            for r in self.references])
        # One temporary name per process: the window and a terminal's `teach` may both be
        # writing the merge cache.
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
                                points=self.points,
                                descriptors=self.descriptors, owners=self.owners.astype(np.uint16
                                if len(self.references) < 65535 else np.int32),
                                weights=self.weights.astype(np.float16))
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> "ReferenceGallery":
        path = Path(path)
        if not path.is_file():
            raise GalleryError(f"reference gallery not found: {path} "
                               "(build it with `python -m training.build_gallery`)", "missing")
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                arrays = {k: z[k] for k in ("points", "descriptors", "owners", "weights")}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError,
                json.JSONDecodeError) as e:
            raise GalleryError(f"reference gallery {path} is unreadable or corrupt: {e}") from e
        version = meta.get("format_version") if isinstance(meta, dict) else None
        if version != FORMAT_VERSION:
            raise GalleryError(f"reference gallery {path} has format version {version!r}, "
                               f"this app reads version {FORMAT_VERSION}; rebuild it with "
                               "`python -m training.build_gallery`", "version")
        try:
            refs = [Reference(r["id"], r["denomination"], r["side"], r["series"],
                              tuple(r["size"]), np.asarray(r["outline"], np.float32),
                              _colour_array(r.get("colour")))
                    for r in meta["references"]]
            return cls(refs, arrays["points"], arrays["descriptors"],
                       arrays["owners"].astype(np.int32), arrays["weights"], meta.get("info"))
        except (KeyError, TypeError, ValueError) as e:
            raise GalleryError(f"reference gallery {path} is inconsistent: {e}") from e


def _denom_key(d: str) -> tuple[int, str]:
    return (int(d), d) if d.isdigit() else (1 << 30, d)


def _colour_json(cells: np.ndarray | None):
    return None if cells is None else [[None if np.isnan(v) else round(float(v), 1) for v in c]
                                       for c in cells]


def _colour_array(cells) -> np.ndarray | None:
    return None if cells is None else np.array(cells, np.float32)  # None -> NaN
