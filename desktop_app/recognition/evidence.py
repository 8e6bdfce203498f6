"""What one frame tells us, and what a whole scan decides.

These value types are the seams between the stages of the pipeline
(FrameSource -> Recognizer -> ScanSession -> Announcer); every stage speaks them and none
reaches back.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DENOMINATIONS: tuple[str, ...] = ("5", "10", "20", "50", "100", "500", "1000")


@dataclass(frozen=True)
class Quality:
    """Cheap image statistics used for hints ("too dark", "hold still")."""

    brightness: float  # mean grey level 0..255
    sharpness: float  # variance of the Laplacian on a downscaled grey image
    too_dark: bool
    blurred: bool


@dataclass(frozen=True)
class ModelOutput:
    """The ONNX model's view of one frame. It never decides the value on its own."""

    presence: float  # probability that a banknote is in view, 0..1
    ranking: tuple[tuple[str, float], ...]  # (denomination, probability), best first
    embedding: np.ndarray | None = None  # L2-normalised, for teach mode


@dataclass(frozen=True)
class Verification:
    """Geometric verification of the frame against the reference gallery.

    ``denomination`` is the best geometrically verified candidate (or None when no reference
    produced a plausible homography). ``accepted`` says whether this single frame clears the
    per-frame bar (enough validated inliers and a clear margin over the runner-up); the scan
    session still combines frames before anything is spoken.
    """

    denomination: str | None = None
    side: str | None = None  # "front" | "back"
    series: str | None = None
    reference: str | None = None  # id of the best-matching reference
    inliers: int = 0  # validated RANSAC inliers of the best candidate
    score: float = 0.0  # weighted inlier score of the best candidate
    runner_up: str | None = None  # best candidate of a *different* denomination
    runner_up_score: float = 0.0
    accepted: bool = False
    outline: np.ndarray | None = None  # 4x2 float32 corners of the note in frame pixels
    keypoints: int = 0  # features detected in the frame
    # phrase key suffix: "move_closer" | "partial" | "hold_flat" | "other_side" | None
    hint: str | None = None
    # The best candidate's placement was refitted on guided correspondences (verifier's
    # ``refine``): its inliers are not ratio-test matches, so it is never strong on its own.
    refined: bool = False
    # Regions of the note (``verifier.REGION_GRID``) its value evidence lies in; None where
    # not measured (the v1 score).
    regions: int | None = None
    # Which look named it (``frames.PASSES``): "plain", or the retry whose verdict stands.
    look: str = "plain"
    # How well the placed note's colour pattern agrees with its reference's (``colour.py``,
    # -1..1); None where not compared (nothing accepted, a grey frame or reference, too
    # little of the note in view).
    colour: float | None = None


@dataclass(frozen=True)
class FrameEvidence:
    t: float  # seconds on the source's clock
    quality: Quality
    verification: Verification
    model: ModelOutput | None = None
    elapsed: float = 0.0  # seconds spent computing this evidence


@dataclass(frozen=True)
class Decision:
    """What a scan concluded; the announcer turns it into words."""

    kind: str  # "note" | "none" (no note seen) | "unsure"
    denomination: str | None = None
    side: str | None = None
    confidence: float = 0.0  # 0..1, for reports; never shown as a guess
    frames_used: int = 0
    hint: str | None = None  # "too_dark" | "blurred" | a Verification hint | None
    t: float = 0.0  # source time when decided
    reason: str = ""  # short human-readable why, for logs and reports
    extra: dict = field(default_factory=dict)

    @property
    def phrase_key(self) -> str:
        if self.kind == "note":
            return f"note.{self.denomination}"
        if self.kind == "none":
            return "result.none"
        return "result.unsure"

    @property
    def label(self) -> str:
        """Machine label for reports: a denomination, "none" or "unsure"."""
        return self.denomination if self.kind == "note" else self.kind
