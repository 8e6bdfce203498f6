"""A webcam by index, which reopens by itself after being unplugged."""
from __future__ import annotations

import time
from typing import Callable

import cv2
import numpy as np

from desktop_app.timing import CAMERA_FROZEN

from .base import Frame, SourceError


class CameraSource:
    live = True

    def __init__(
        self,
        index: int = 0,
        *,
        opener: Callable[[int], cv2.VideoCapture] | None = None,
        retry_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.index = index
        self.name = f"camera {index}"
        self._opener = opener or _open_camera
        self._retry_interval = retry_interval
        self._clock = clock
        self._count = 0
        self._last_retry = 0.0
        self._cap = self._opener(index)
        if self._cap is None or not self._cap.isOpened():
            raise SourceError("camera.missing", f"No camera found at index {index}.")
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 30.0) or 30.0
        self._state = "ok"
        self._last: np.ndarray | None = None  # the previous picture, to notice a frozen camera
        self._same_since = 0.0
        self._frozen: np.ndarray | None = None  # the picture it froze on, while "lost" for it

    @property
    def state(self) -> str:
        return self._state

    def read(self) -> Frame | None:
        if self._state == "lost":
            if self._clock() - self._last_retry < self._retry_interval:
                return None
            self._last_retry = self._clock()
            cap = self._opener(self.index)
            if cap is None or not cap.isOpened():
                return None
            self._cap = cap
            self._state = "ok"
        ok, image = self._cap.read()
        if not ok or image is None:
            # A failed grab from an opened camera means it was unplugged (or the driver died).
            self._lose()
            return None
        if self._is_frozen(image):
            return None
        self._count += 1
        return Frame(image, self._clock(), self._count - 1)

    def _lose(self) -> None:
        self._cap.release()
        self._state = "lost"
        self._last_retry = self._clock()

    def _is_frozen(self, image: np.ndarray) -> bool:
        """A picture repeated for CAMERA_FROZEN is lost like an unplugged camera (and reopened),
        so a stale note is never named as the one held now. Flat pictures (a covered lens) are
        left to the "too dark" hint."""
        now = self._clock()
        if self._frozen is not None:  # reopened after freezing: back only once the picture moves
            if np.array_equal(image, self._frozen):
                self._lose()  # still the same picture: "lost" it stays, retried as before
                return True
            self._frozen = None
        same = (self._last is not None and np.array_equal(image, self._last)
                and int(image.max()) - int(image.min()) > 8)
        if not same:
            self._same_since = now
        self._last = image
        if same and now - self._same_since >= CAMERA_FROZEN:
            self._frozen, self._last = image, None
            self._lose()
            return True
        return False

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()


def _open_camera(index: int) -> cv2.VideoCapture:
    cap = cv2.VideoCapture(index)
    if cap.isOpened():
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, 640)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, 480)
    return cap
