"""A recorded video, timestamped by its own frame rate (not by wall clock).

Pacing to real time is the caller's job (see ``pacer.Pacer``); headless replay runs as fast as
it can and still gets the same timestamps, which keeps reports deterministic.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .base import Frame, SourceError


class VideoSource:
    live = False

    def __init__(self, path: str | Path, *, loop: bool = False):
        self.path = Path(path)
        self.name = self.path.name
        self.loop = loop
        if not self.path.is_file():
            raise SourceError("video.error", f"Video file not found: {self.path}", name=str(self.path))
        self._cap = cv2.VideoCapture(str(self.path))
        ok, first = self._cap.read() if self._cap.isOpened() else (False, None)
        if not ok or first is None:
            self._cap.release()
            raise SourceError(
                "video.error", f"Cannot read video (corrupt or unsupported): {self.path}", name=str(self.path)
            )
        self._pending: np.ndarray | None = first
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 1.0 <= fps <= 240.0 else 30.0
        # Frames in one pass as the container declares it (None when it does not), for progress bars.
        self.frame_count: int | None = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0) or None
        # Keeps counting across loops, so timestamps keep increasing.
        self._index = 0
        self._state = "ok"

    @property
    def state(self) -> str:
        return self._state

    def read(self) -> Frame | None:
        if self._state == "ended":
            return None
        if self._pending is not None:
            image, self._pending = self._pending, None
        else:
            ok, image = self._cap.read()
            if not ok or image is None:
                if not self.loop or self._index == 0:
                    self._state = "ended"
                    return None
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, image = self._cap.read()
                if not ok or image is None:
                    self._state = "ended"
                    return None
        frame = Frame(image, self._index / self.fps, self._index)
        self._index += 1
        return frame

    def close(self) -> None:
        self._cap.release()
