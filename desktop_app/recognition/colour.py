"""Does the placed note have the colours of the reference it was placed with?

SIFT sees grey only. A design the gallery does not know (a new series, a commemorative note,
the other side of a value) is still placed by artwork it shares with a known one, and a few
chance matches can then name a value: the Rs 20 back was named Rs 50 in 23 of 36 frames of a
hand-held video (tools/hold_check.py). The colours tell them apart at once: an orange note
placed on a blue-grey one. So each reference keeps the mean colour of a grid of cells over
its face, and an accepted frame must show the same *pattern* of colour over the same cells.

The comparison is between patterns, not colours: a webcam's white balance, a warm evening
lamp, a crushed gamma (the hard set's low light) move every cell's colour together, which
the per-channel log offsets and the correlation below do not see. What counts is whether the
cells that are redder than the note's average in the reference are redder in the frame too.
Cells the frame does not show (the note partly out of view) are left out; with too few
cells, or a reference whose cells hardly differ in colour, there is nothing to compare and
the check does not apply (``agreement`` returns None).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

import cv2
import numpy as np

from desktop_app.recognition.evidence import Verification
from desktop_app.recognition.flatten import note_quad
from desktop_app.recognition.thresholds import Thresholds

GRID = (8, 4)  # columns x rows of cells over the note's face, in reference coordinates
CELL_PX = 16  # each cell is averaged over this many pixels square in the warped frame
MIN_VALID = 0.6  # share of a cell that must lie on the note (and in the frame) to count
MIN_CELLS = 12  # fewer cells in common: no comparison
# The pattern must agree over this share of the cells in common (``agreement``).
TRIM_KEEP = 0.5
TRIM_ROUNDS = 2
# Log-chroma spread (per-channel standard deviation across cells) below which a reference is
# all one colour and the correlation would compare noise.
MIN_SPREAD = 0.01
_OFFSET = 4.0  # grey levels added before the log: dark cells of a dim frame stay finite


def cells(image_bgr: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """GRID rows*cols x 3 mean BGR of a note already flat (the whole image is the note); NaN
    for a cell less than MIN_VALID inside ``valid`` (uint8 mask, nonzero = note)."""
    if image_bgr.ndim != 3 or image_bgr.shape[2] < 3:
        raise ValueError("colour cells need a BGR image")
    img = image_bgr[..., :3].astype(np.float32)
    h, w = img.shape[:2]
    ok = np.ones((h, w), bool) if valid is None else valid > 0
    cols, rows = GRID
    out = np.full((rows * cols, 3), np.nan, np.float32)
    for i in range(rows):
        for j in range(cols):
            ys, ye = i * h // rows, (i + 1) * h // rows
            xs, xe = j * w // cols, (j + 1) * w // cols
            m = ok[ys:ye, xs:xe]
            if m.size and m.mean() >= MIN_VALID:
                out[i * cols + j] = img[ys:ye, xs:xe][m].mean(axis=0)
    return out


def placed_cells(frame_bgr: np.ndarray, quad: Sequence[Sequence[float]],
                 valid: np.ndarray | None = None) -> np.ndarray:
    """The cells of the note whose four corners (clockwise from the reference's top left)
    are ``quad`` in this image; cells outside the image, or outside ``valid`` (a mask in the
    image's pixels: the marked polygon of a note cut by a photo's edge), are NaN."""
    cols, rows = GRID
    w, h = cols * CELL_PX, rows * CELL_PX
    quad = np.asarray(quad, np.float32).reshape(4, 2)
    m = cv2.getPerspectiveTransform(quad, np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
    # Smoothed first where the note is much larger than the cells' pixels: its print would
    # otherwise alias into the cell means.
    scale = max(np.ptp(quad[:, 0]) / w, np.ptp(quad[:, 1]) / h)
    src = frame_bgr[..., :3]
    if scale > 2:
        k = int(scale) | 1
        src = cv2.blur(src, (k, k))
    flat = cv2.warpPerspective(src, m, (w, h), flags=cv2.INTER_LINEAR)
    inside = np.full(frame_bgr.shape[:2], 255, np.uint8) if valid is None else valid
    inside = cv2.warpPerspective(inside, m, (w, h), flags=cv2.INTER_NEAREST)
    return cells(flat, inside)


def note_cells(image: np.ndarray, outline=None) -> np.ndarray | None:
    """The cells of the note inside ``outline`` (its corners, or a polygon where a photo cuts
    it: ``flatten.note_quad``), only from inside the outline; the whole image without one;
    None for a grey image, which has no colours to keep."""
    if image.ndim != 3 or image.shape[2] < 3:
        return None
    if outline is None:
        return cells(image)
    poly = np.asarray(outline, np.float32).reshape(-1, 2)
    valid = cv2.fillPoly(np.zeros(image.shape[:2], np.uint8), [np.round(poly).astype(np.int32)], 255)
    return placed_cells(image, note_quad(poly), valid)


def agreement(frame_cells: np.ndarray, ref_cells: np.ndarray) -> float | None:
    """How well the two notes' colour patterns agree (a correlation, -1..1), or None where
    there is too little to compare.

    Each cell's log colour less its own mean over the channels is its chroma, whatever its
    brightness; less each channel's mean over the cells, what is left is the pattern, free of
    the light's colour and the camera's white balance. A thumb, a fold's other half, a curl
    or glare can show something else in many cells, so the pattern need agree only over the
    half of the cells that fit it best (least trimmed squares, refitted TRIM_ROUNDS times):
    a design of other colours agrees nowhere."""
    both = ~(np.isnan(frame_cells).any(axis=1) | np.isnan(ref_cells).any(axis=1))
    if both.sum() < MIN_CELLS:
        return None
    f, r = (np.log(c[both].astype(np.float64) + _OFFSET) for c in (frame_cells, ref_cells))
    f, r = f - f.mean(axis=1, keepdims=True), r - r.mean(axis=1, keepdims=True)
    if (r - r.mean(axis=0)).std(axis=0).mean() < MIN_SPREAD:
        return None
    keep = np.ones(len(f), bool)
    for _ in range(TRIM_ROUNDS):
        fc, rc = f - f[keep].mean(axis=0), r - r[keep].mean(axis=0)
        gain = (fc[keep] * rc[keep]).sum() / max((rc[keep] ** 2).sum(), 1e-12)
        misfit = ((fc - gain * rc) ** 2).sum(axis=1)
        keep = misfit <= np.percentile(misfit, 100 * TRIM_KEEP)
    fk, rk = f[keep] - f[keep].mean(axis=0), r[keep] - r[keep].mean(axis=0)
    denom = np.sqrt((fk * fk).sum() * (rk * rk).sum())
    return float((fk * rk).sum() / denom) if denom > 1e-12 else 0.0


def checked(v: Verification, ref_cells: np.ndarray | None, image_of: Callable[[], np.ndarray],
            thresholds: Thresholds) -> Verification:
    """An accepted verdict, kept only where the placed note's colour pattern agrees with its
    reference's, or its value is proven without colour (``Thresholds.colour_passes``; the
    agreement is recorded either way). Where it does not, the frame names nothing; the note
    was still placed, so a hold counts it as placed but unnamed (``HoldVotes``), and the hint
    is the one that helps with a side the gallery does not know: the other side."""
    if ref_cells is None:
        return v
    image = image_of()
    if image is None or image.ndim != 3:
        return v
    agree = agreement(placed_cells(image, v.outline), ref_cells)
    if thresholds.colour_passes(agree, v.score, v.regions):
        return replace(v, colour=agree)
    return replace(v, accepted=False, colour=agree, hint=v.hint or "other_side")
