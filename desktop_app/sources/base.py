"""What every frame source shares: the frame, the error that says why a source cannot open,
and the protocol the capture threads read through.

Sources never raise on a lost device mid-run; they report their state so the caller can tell
the user once and carry on. A source that does raise (a driver error) is the caller's to report.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR uint8, HxWx3
    t: float  # seconds on the source's clock (video time for files)
    index: int


class SourceError(Exception):
    """A source cannot be opened. ``key`` names the phrase that tells the user why."""

    def __init__(self, key: str, message: str, **params):
        super().__init__(message)
        self.key = key
        self.params = params


class FrameSource(Protocol):
    name: str
    live: bool  # a camera: frames arrive in real time and may be lost and regained
    fps: float

    def read(self) -> Frame | None:
        """The next frame, or None at the end of a file or while a camera is away."""

    @property
    def state(self) -> str:
        """"ok", "lost" (a camera went away) or "ended" (a file finished)."""

    def close(self) -> None:
        """Never called while ``read`` runs: the thread that reads is the one that closes."""
