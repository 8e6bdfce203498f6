"""From a frame or a photo to a teachable view: the note found, checked, flattened, described.

A view is kept only when it can serve as a reference as well as a shipped one does: the whole
note in view (its outline found on its own, since the app does not know this note yet), sharp,
lit, and with enough detail for SIFT. Each refusal has a reason the person can act on.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop_app.recognition import colour
from desktop_app.recognition.flatten import rectify, to_grey
from desktop_app.recognition.gallery import detect_scales, make_sift
from desktop_app.recognition.quality import assess
from desktop_app.recognition.thresholds import DEFAULT, Thresholds
from desktop_app.teaching.store import View

# Keypoints per taught view (before the coarser copies). Fewer than a shipped reference's
# 1200: a note is taught from several views, and every taught keypoint costs matching time
# and memory for as long as the note is kept (bench/teach.py, section 7, measures it).
VIEW_KEYPOINTS = 700
MIN_VIEW_KEYPOINTS = 120  # a plain or washed-out view: too little to recognise it by
VIEW_MARGIN = 0.01  # the note's corners this far (share of the long side) inside the frame
# Sharpness of the flattened note (Laplacian variance at a fixed 320 px long side, as the
# live hints measure it); a teach view must be crisper than a frame that is merely scanned.
MIN_VIEW_SHARPNESS = 1.5 * DEFAULT.blur_sharpness


@dataclass(frozen=True)
class Examined:
    """What one frame offers for teaching. ``problem``: a ``teach.*`` phrase key, or None."""

    problem: str | None
    quad: np.ndarray | None = None  # note corners in frame pixels, for the preview
    view: View | None = None


def view_from_quad(image: np.ndarray, quad: np.ndarray, side: str, *, keep_image: bool = False,
                   thresholds: Thresholds = DEFAULT) -> Examined:
    """The note inside ``quad`` flattened and described, or the reason it cannot be a view."""
    flat, mask = rectify(to_grey(image), quad)
    # Judged on the note itself: it lies on the dark cloth the person was asked to use.
    quality = assess(flat, thresholds)
    if quality.too_dark:
        return Examined("teach.too_dark", quad)
    sharp = quality.sharpness
    if sharp < MIN_VIEW_SHARPNESS:
        return Examined("teach.blurred", quad)
    pts, desc, level = detect_scales(flat, mask, VIEW_KEYPOINTS, make_sift(VIEW_KEYPOINTS),
                                     levels=True)
    if int((level == 0).sum()) < MIN_VIEW_KEYPOINTS:
        return Examined("teach.plain", quad)
    h, w = flat.shape
    view = View(side, (w, h), pts, desc, level == 0, sharp, flat if keep_image else None,
                colour.note_cells(image, quad))
    return Examined(None, quad, view)


def examine(image: np.ndarray, side: str, *, keep_image: bool = False,
            thresholds: Thresholds = DEFAULT) -> Examined:
    """One frame: find the whole note, then make a view of it."""
    from desktop_app.teaching.outline import find_note, whole_in_view

    if image is None or getattr(image, "size", 0) == 0:
        return Examined("teach.no_note")
    found = find_note(image)
    if found is None:
        return Examined("teach.no_note")
    if not whole_in_view(found.quad, image.shape[:2], VIEW_MARGIN):
        return Examined("teach.partial", found.quad)
    return view_from_quad(image, found.quad, side, keep_image=keep_image, thresholds=thresholds)
