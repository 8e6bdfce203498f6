"""A frame's SIFT features, found in one of the verifier's passes.

The verifier looks at a frame as it is first ("plain"). Only where that names no note does it
look again: with the frame's straight motion blur undone ("deblurred", ``deblur.py``), then at
twice the working size ("enlarged": a small note's print is then big enough for SIFT's finest
octave). Each pass is measured with and without in models/EVALUATION.md; a third, at half the
working size (shorter blur, coarser print), named no hard frame more and was dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from desktop_app.recognition.deblur import deblur
from desktop_app.recognition.gallery import detect, to_grey
from desktop_app.recognition.imaging import stretch

WORKING_LONG_SIDE = 640  # frames are matched at this size: speed, and scale-stable inliers
ENLARGED_LONG_SIDE = 2 * WORKING_LONG_SIDE
MAX_FRAME_KEYPOINTS = 1500
# Frames are contrast-stretched and SIFT's contrast threshold lowered: a dim room or a blurred
# note leaves too few keypoints at OpenCV's default (0.04) to place the note at all. The
# keypoint cap keeps the strongest, so a well-lit frame keeps what it had.
FRAME_CONTRAST = 0.015
STRETCH_PERCENTILES = (1, 99)
PASSES = ("plain", "deblurred", "enlarged")


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
    grey = to_grey(image)
    h0, w0 = grey.shape
    if pass_ == "enlarged":
        scale = ENLARGED_LONG_SIDE / max(h0, w0)
    else:
        scale = min(1.0, WORKING_LONG_SIDE / max(h0, w0))
    work = grey if scale == 1.0 else cv2.resize(
        grey, (max(1, round(w0 * scale)), max(1, round(h0 * scale))),
        interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    if pass_ == "deblurred":
        work = deblur(work)
    pts, desc = detect(stretch(work, STRETCH_PERCENTILES), MAX_FRAME_KEYPOINTS, sift=sift)
    return FrameFeatures(work.shape[:2], scale, pts, desc)
