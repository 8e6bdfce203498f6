"""A frame's SIFT features, found in one of the verifier's passes.

The verifier looks at a frame as it is first ("plain"). Only where that names no note does it
look again: with the frame's straight motion blur undone ("deblurred", ``deblur.py``), then at
2.5 times the working size ("enlarged": a small note's print is then big enough for SIFT's
finest octave), both, as if the note were held less steeply ("tilted"), and last with the
keypoints of the plain and enlarged looks together ("pooled"). Each pass is measured with and
without in models/EVALUATION.md; a look at half the working size (shorter blur, coarser print)
named no hard frame more and was dropped. One more look is kept for that measurement only,
not in the app's retries: the grain taken out before enlarging ("denoised_enlarged").
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from desktop_app.recognition.deblur import deblur
from desktop_app.recognition.flatten import to_grey
from desktop_app.recognition.gallery import detect
from desktop_app.recognition.imaging import stretch

WORKING_LONG_SIDE = 640  # frames are matched at this size: speed, and scale-stable inliers
# 2.5x: on the hard frames drawn for tuning (seeds 11 and 13, not the evaluation's 7) 208 of
# 272 named against 203 at 2x, none wrong at either; 3x named 105 on seed 11 too and costs 44%
# more pixels; a 3x look beside the 2x one (and pooled with it) 206. A restored (deblurred)
# frame is enlarged only 2x: its ringing grows with it (seed 11: 106 against 105 at 2.5x; on
# synthetic smeared notes 2.5x names fewer, with fewer inliers).
ENLARGED_LONG_SIDE = 5 * WORKING_LONG_SIDE // 2
DEBLURRED_ENLARGED_LONG_SIDE = 2 * WORKING_LONG_SIDE
MAX_FRAME_KEYPOINTS = 1500
# Frames are contrast-stretched and SIFT's contrast threshold lowered: a dim room or a blurred
# note leaves too few keypoints at OpenCV's default (0.04) to place the note at all. The
# keypoint cap keeps the strongest, so a well-lit frame keeps what it had.
FRAME_CONTRAST = 0.015
STRETCH_PERCENTILES = (1, 99)
# The enlarged frame is described in 3 x 3 tiles, each overlapping its neighbours by this many
# pixels: SIFT on the whole enlarged image (which it doubles again inside; 1280x960 then)
# briefly held ~280 MB more, 2 x 2 tiles ~100 MB, 3 x 3 tiles less than a plain frame does
# (measured in the live app: peak RSS 646, 470 MB). Keypoints are kept only in their tile's
# own part (no duplicates) and the strongest MAX_FRAME_KEYPOINTS overall are used.
TILES = 3
TILE_OVERLAP = 64
PASSES = ("plain", "deblurred", "enlarged", "deblurred_enlarged", "tilted", "pooled",
          "denoised_enlarged")
# The denoised look (measured, NOT in ``Options.retries``): non-local means (Buades et al.) at
# the working size, then enlarged like a small note. Enlarging a grainy frame (a webcam in a
# dim room, heavy JPEG) turns its grain into keypoints that crowd the note's fine print out of
# the keypoint cap. The best of CLAHE (clip 2 and 4), a Gaussian blur, NLM and CLAHE after NLM,
# each plain and enlarged, on the tuning draws' misses (seeds 11 and 13: 4 of 67 named). As a
# last look: seed 11 107 -> 108, seed 13 98 -> 100 of 136, the evaluation's seed 7 100 -> 100,
# none wrong; a frame that no look names took 1.35x as long (models/MODEL_CARD.md).
DENOISE_STRENGTH = 10  # NLM's h, grey levels
DENOISE_WINDOWS = (7, 21)  # template and search window sizes (OpenCV's defaults)
# The looks that restore the frame at the working size and then enlarge it.
RESTORED_ENLARGED = ("deblurred_enlarged", "denoised_enlarged")
# The pooled look: the plain and enlarged looks' keypoints at once, in the plain look's
# pixels. A small note's coarse print is found at the working size and its fine print at
# 2.5 times that size; each alone can fall short of placing it where both together do
# (tuning frames: +4 of seed 11's 136 with the enlarged look at 2x, +2 of seed 13's at 2.5x;
# none wrong). Pooling the deblurred and tilted looks as well named no more (one fewer without
# the tilted look: a restored frame's ringing adds keypoints that match nothing). A keypoint
# within POOL_RADIUS plain pixels of one an earlier look gave is the same spot seen again and
# is left out, so that no spot counts twice as evidence: a radius of 1 px named one hard frame
# WRONG (its value evidence 1.25x the bar), 3 px named one fewer.
POOLED_FROM = ("plain", "enlarged")
POOL_RADIUS = 2.0
# The tilted look (Morel & Yu's ASIFT): a note held at a steep angle is foreshortened beyond
# what SIFT's descriptor tolerates. The frame is rotated by each of TILT_ANGLES and squeezed by
# TILT across, which undoes a tilt of about 60 degrees in that direction; the keypoints of
# every view are mapped back into the frame. Five angles (ASIFT's 72/t-degree step) named no
# more seed-11 tuning frames than four.
TILT = 2.0
TILT_ANGLES = (0, 45, 90, 135)
# Each view keeps MAX_FRAME_KEYPOINTS; the strongest this many of all views are matched.
TILTED_KEYPOINTS = 3 * MAX_FRAME_KEYPOINTS


@dataclass(frozen=True)
class FrameFeatures:
    shape: tuple[int, int]  # working image (h, w)
    scale: float  # working size / original size
    points: np.ndarray  # N x 2 float32, working pixels
    descriptors: np.ndarray  # N x 128 uint8 SIFT


def frame_features(sift, image: np.ndarray, pass_: str = "plain") -> FrameFeatures:
    """SIFT of one frame (BGR, or already grey) as ``pass_`` sees it."""
    if pass_ not in PASSES:
        raise ValueError(f"unknown pass {pass_!r}; known: {PASSES}")
    if pass_ == "pooled":
        return pooled([frame_features(sift, image, p) for p in POOLED_FROM])
    grey = to_grey(image)
    h0, w0 = grey.shape
    if pass_ == "enlarged":
        scale = ENLARGED_LONG_SIDE / max(h0, w0)
        work = _resized(grey, scale)
    else:
        scale = min(1.0, WORKING_LONG_SIDE / max(h0, w0))
        work = _resized(grey, scale)
        # A restoring look undoes the blur or the grain at the working size (where the blur's
        # length lies in deblur's search range, and the grain is the camera's own); an
        # enlarging one then enlarges the restored frame like a small note.
        if pass_ in ("deblurred", "deblurred_enlarged"):
            work = deblur(work)
        elif pass_ == "denoised_enlarged":
            work = _denoised(work)
        if pass_ in RESTORED_ENLARGED:
            long_side = (DEBLURRED_ENLARGED_LONG_SIDE if pass_ == "deblurred_enlarged"
                         else ENLARGED_LONG_SIDE)
            k = long_side / max(work.shape)
            work, scale = _resized(work, k), scale * k
    work_stretched = stretch(work, STRETCH_PERCENTILES)
    if pass_ == "tilted":
        pts, desc = detect_tilted(sift, work_stretched, MAX_FRAME_KEYPOINTS)
    elif pass_ == "enlarged" or pass_ in RESTORED_ENLARGED:
        pts, desc = detect_tiled(sift, work_stretched, MAX_FRAME_KEYPOINTS)
    else:
        pts, desc = detect(work_stretched, MAX_FRAME_KEYPOINTS, sift=sift)
    return FrameFeatures(work.shape[:2], scale, pts, desc)


def pooled(looks: list[FrameFeatures], radius: float | None = None) -> FrameFeatures:
    """The keypoints of several looks at one frame, in the first look's pixels; a keypoint
    within ``radius`` (default POOL_RADIUS) of one that an earlier look gave is left out (the
    same spot again)."""
    radius = POOL_RADIUS if radius is None else radius
    base = looks[0]
    pts, descs = [base.points], [base.descriptors]
    for f in looks[1:]:
        p = f.points * np.float32(base.scale / f.scale)
        kept = np.concatenate(pts)
        if len(p) and len(kept):
            # An exact search (FLANN's single kd-tree, exact in two dimensions): the
            # approximate one the verifier uses elsewhere let a few repeats through.
            tree = cv2.flann_Index(kept, dict(algorithm=4, leaf_max_size=10))
            _, d2 = tree.knnSearch(p, 1, params={})
            fresh = d2[:, 0] > radius * radius
            p, d = p[fresh], f.descriptors[fresh]
        else:
            d = f.descriptors
        pts.append(p)
        descs.append(d)
    return FrameFeatures(base.shape, base.scale, np.concatenate(pts), np.concatenate(descs))


def _denoised(grey: np.ndarray) -> np.ndarray:
    """Non-local means of a grey frame (the denoised look; see DENOISE_STRENGTH)."""
    if grey.dtype != np.uint8:  # NLM takes 8-bit grey only (a camera's frames are)
        grey = cv2.normalize(grey, None, 0, 255, cv2.NORM_MINMAX, cv2.CV_8U)
    # (by keyword: given positionally, the strength can land where OpenCV expects the output
    # array, and the frame comes back almost unchanged)
    return cv2.fastNlMeansDenoising(grey, h=DENOISE_STRENGTH,
                                    templateWindowSize=DENOISE_WINDOWS[0],
                                    searchWindowSize=DENOISE_WINDOWS[1])


def _resized(grey: np.ndarray, scale: float) -> np.ndarray:
    if scale == 1.0:
        return grey
    h0, w0 = grey.shape
    return cv2.resize(grey, (max(1, round(w0 * scale)), max(1, round(h0 * scale))),
                      interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def detect_tiled(sift, grey: np.ndarray, max_keypoints: int, overlap: int = TILE_OVERLAP,
                 tiles: int = TILES) -> tuple[np.ndarray, np.ndarray]:
    """``gallery.detect`` of a large image, ``tiles`` x ``tiles`` pieces at a time."""
    h, w = grey.shape
    ys = np.linspace(0, h, tiles + 1).round().astype(int)
    xs = np.linspace(0, w, tiles + 1).round().astype(int)
    pts, descs, strength = [], [], []
    for y0, y1 in zip(ys[:-1], ys[1:]):
        for x0, x1 in zip(xs[:-1], xs[1:]):
            ty, tx = max(0, y0 - overlap), max(0, x0 - overlap)
            tile = grey[ty:min(h, y1 + overlap), tx:min(w, x1 + overlap)]
            p, desc, response = detect(np.ascontiguousarray(tile), max_keypoints, sift=sift,
                                       strength=True)
            p = p + np.float32([tx, ty])
            own = (p[:, 0] >= x0) & (p[:, 0] < x1) & (p[:, 1] >= y0) & (p[:, 1] < y1)
            pts.append(p[own])
            descs.append(desc[own])
            strength.append(response[own])
    return _strongest(pts, descs, strength, max_keypoints)


def _strongest(pts: list, descs: list, strength: list, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` strongest keypoints (positions, descriptors) of several detections."""
    if not pts:
        return np.zeros((0, 2), np.float32), np.zeros((0, 128), np.uint8)
    keep = np.argsort(-np.concatenate(strength), kind="stable")[:n]
    return np.concatenate(pts)[keep], np.concatenate(descs)[keep]


def detect_tilted(sift, grey: np.ndarray, max_keypoints: int) -> tuple[np.ndarray, np.ndarray]:
    """SIFT of simulated tilts of ``grey`` (see TILT), positions in ``grey``'s pixels."""
    h, w = grey.shape
    pts, descs, strength = [], [], []
    for angle in TILT_ANGLES:
        R = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        cos, sin = abs(R[0, 0]), abs(R[0, 1])
        rw, rh = int(h * sin + w * cos), int(h * cos + w * sin)  # the whole frame, rotated
        R[0, 2] += rw / 2 - w / 2
        R[1, 2] += rh / 2 - h / 2
        view = cv2.warpAffine(grey, R, (rw, rh), flags=cv2.INTER_LINEAR)
        # Anti-aliased across only, as ASIFT does, before squeezing.
        view = cv2.GaussianBlur(view, (0, 0), sigmaX=0.8 * np.sqrt(TILT * TILT - 1), sigmaY=0.01)
        view = cv2.resize(view, (max(8, int(rw / TILT)), rh), interpolation=cv2.INTER_LINEAR)
        p, d, r = detect(view, max_keypoints, sift=sift, strength=True)
        if len(p) == 0:
            continue
        to_view = (np.diag([1 / TILT, 1.0, 1.0]) @ np.vstack([R, [0, 0, 1]]))[:2]
        back = cv2.transform(p.reshape(-1, 1, 2), cv2.invertAffineTransform(to_view)).reshape(-1, 2)
        inside = (back[:, 0] >= 0) & (back[:, 0] < w) & (back[:, 1] >= 0) & (back[:, 1] < h)
        pts.append(back[inside].astype(np.float32))
        descs.append(d[inside])
        strength.append(r[inside])
    return _strongest(pts, descs, strength, TILTED_KEYPOINTS)
