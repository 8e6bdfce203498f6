"""Where frames come from: a webcam, a video file, or a folder of images.

Every source yields timestamped BGR frames. Sources never raise on a lost device mid-run;
they report their state so the caller can tell the user once and carry on.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import cv2
import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


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

    def close(self) -> None: ...


class CameraSource:
    """A webcam by index. Reopens by itself after being unplugged."""

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
            self._cap.release()
            self._state = "lost"
            self._last_retry = self._clock()
            return None
        self._count += 1
        return Frame(image, self._clock(), self._count - 1)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()


def _open_camera(index: int) -> cv2.VideoCapture:
    cap = cv2.VideoCapture(index)
    if cap.isOpened():
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, 640)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, 480)
    return cap


class VideoSource:
    """A recorded video, timestamped by its own frame rate (not by wall clock).

    Pacing to real time is the caller's job (see ``Pacer``); headless replay runs as fast as
    it can and still gets the same timestamps, which keeps reports deterministic.
    """

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
        self._index = 0
        self._offset = 0.0  # time added on each loop so timestamps keep increasing
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


class ImageFolderSource:
    """Still images in name order, each shown for ``seconds_per_image``."""

    live = False

    def __init__(self, path: str | Path, *, seconds_per_image: float = 2.0, fps: float = 10.0, loop: bool = False):
        self.path = Path(path)
        self.name = self.path.name
        self.fps = fps
        self.loop = loop
        self.files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES) if self.path.is_dir() else []
        if not self.files:
            raise SourceError("video.error", f"No images found in folder: {self.path}", name=str(self.path))
        self._repeat = max(1, round(seconds_per_image * fps))
        self._index = 0
        self._cache: tuple[int, np.ndarray | None] = (-1, None)
        self._state = "ok"
        self.skipped: list[Path] = []

    @property
    def state(self) -> str:
        return self._state

    @property
    def frame_count(self) -> int:
        """Frames in one pass over the folder."""
        return len(self.files) * self._repeat

    def read(self) -> Frame | None:
        while True:
            total = self.frame_count
            if self._index >= total and not self.loop:
                self._state = "ended"
                return None
            file_index = (self._index // self._repeat) % len(self.files)
            if self._cache[0] != file_index:
                image = cv2.imread(str(self.files[file_index]), cv2.IMREAD_COLOR)
                if image is None:
                    # An unreadable image is skipped, not fatal: the rest of the folder still plays.
                    self.skipped.append(self.files[file_index])
                    del self.files[file_index]
                    if not self.files:
                        self._state = "ended"
                        return None
                    continue
                self._cache = (file_index, image)
            frame = Frame(self._cache[1], self._index / self.fps, self._index)
            self._index += 1
            return frame

    def close(self) -> None:
        self._cache = (-1, None)


def open_source(spec: str | int, *, loop: bool = False) -> FrameSource:
    """``0``/``"1"``: a camera by index; a video path; or a folder of images."""
    text = str(spec)
    if text.isdigit():
        return CameraSource(int(text))
    path = Path(text)
    if path.is_dir():
        return ImageFolderSource(path, loop=loop)
    return VideoSource(path, loop=loop)


class Pacer:
    """Plays a recorded source at its own frame rate so the preview looks like a camera."""

    def __init__(self, fps: float, clock: Callable[[], float] = time.monotonic, sleep=time.sleep):
        self.period = 1.0 / fps
        self._clock = clock
        self._sleep = sleep
        self._next = None

    def wait(self) -> None:
        now = self._clock()
        if self._next is None or now - self._next > 0.5:  # resync after a stall
            self._next = now
        delay = self._next - now
        if delay > 0:
            self._sleep(delay)
        self._next += self.period
