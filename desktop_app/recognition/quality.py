"""Cheap per-frame image statistics for the "too dark" and "hold still" hints."""
from __future__ import annotations

import cv2
import numpy as np

from desktop_app.recognition.evidence import Quality
from desktop_app.recognition.flatten import to_grey
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

# Sharpness is measured at a fixed size so the number does not depend on camera resolution.
QUALITY_LONG_SIDE = 320


def assess(image_bgr: np.ndarray, thresholds: Thresholds = DEFAULT) -> Quality:
    grey = to_grey(image_bgr)
    h, w = grey.shape
    s = QUALITY_LONG_SIDE / max(h, w)
    if s < 1:
        grey = cv2.resize(grey, (max(1, round(w * s)), max(1, round(h * s))),
                          interpolation=cv2.INTER_AREA)
    brightness = float(grey.mean())
    sharpness = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    return Quality(brightness=brightness, sharpness=sharpness,
                   too_dark=brightness < thresholds.dark_brightness,
                   blurred=sharpness < thresholds.blur_sharpness)
