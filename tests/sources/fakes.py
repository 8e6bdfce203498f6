"""Frame sources that misbehave the way real drivers do: stall in read(), raise, return None,
and come back. Each one records what was done to it, so tests can see that close() never ran
during a read() and which thread closed it."""
from __future__ import annotations

import threading

import numpy as np

from desktop_app.sources.base import Frame, SourceError


class FakeCamera:
    """A live source of flat frames of one ``shade``; subclasses misbehave."""

    live = True
    fps = 30.0

    def __init__(self, index: int = 0, shade: int = 90, size=(64, 48)):
        self.index = index
        self.name = f"camera {index}"
        self.shade = shade
        self.size = size
        self.reads = 0
        self.in_read = False
        self.closed = False
        self.closed_during_read = False
        self.closed_by: threading.Thread | None = None
        self._state = "ok"

    @property
    def state(self) -> str:
        return self._state

    def frame(self) -> Frame:
        return Frame(np.full((self.size[1], self.size[0], 3), self.shade, np.uint8), 0.0, self.reads)

    def read(self) -> Frame | None:
        self.in_read = True
        try:
            self.reads += 1
            threading.Event().wait(1 / self.fps)
            return self.next_frame()
        finally:
            self.in_read = False

    def next_frame(self) -> Frame | None:
        return self.frame()

    def close(self) -> None:
        self.closed_during_read = self.closed_during_read or self.in_read
        self.closed = True
        self.closed_by = threading.current_thread()


class FlakyCamera(FakeCamera):
    """Goes away (read() gives None, state "lost") after ``ok_before`` frames and comes back after
    ``gone_for`` reads, like an unplugged webcam plugged in again."""

    def __init__(self, ok_before: int = 5, gone_for: int = 8, index: int = 0):
        super().__init__(index)
        self.ok_before, self.gone_for = ok_before, gone_for

    def next_frame(self) -> Frame | None:
        if self.ok_before < self.reads <= self.ok_before + self.gone_for:
            self._state = "lost"
            return None
        self._state = "ok"
        return self.frame()


class StallingCamera(FakeCamera):
    """Gives ``good`` frames, then blocks in read() until ``release`` is set, then returns one
    more frame (a stale one, if the reader has moved on)."""

    def __init__(self, index: int = 0, shade: int = 200, good: int = 3):
        super().__init__(index, shade)
        self.good = good
        self.release = threading.Event()
        self.stalled = threading.Event()  # set while blocked

    def next_frame(self) -> Frame | None:
        if self.reads > self.good:
            self.stalled.set()
            self.release.wait()
        return self.frame()


class RaisingCamera(FakeCamera):
    """Gives ``good`` frames, then raises what a broken driver raises."""

    def __init__(self, index: int = 0, good: int = 3, error: str = "driver error"):
        super().__init__(index)
        self.good = good
        self.error = error

    def next_frame(self) -> Frame | None:
        if self.reads > self.good:
            raise RuntimeError(self.error)
        return self.frame()


class RaisingOnce(FakeCamera):
    """Raises on one read (a driver hiccup), then works again."""

    def __init__(self, index: int = 0, good: int = 3):
        super().__init__(index)
        self.good = good

    def next_frame(self) -> Frame | None:
        if self.reads == self.good + 1:
            raise RuntimeError("select() timeout")
        return self.frame()


class ComingBack:
    """A camera factory: "no camera" for the first ``missing`` calls, then working cameras."""

    def __init__(self, missing: int = 2, shade: int = 120):
        self.missing = missing
        self.shade = shade
        self.calls = 0
        self.opened: list[FakeCamera] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, index: int) -> FakeCamera:
        self.calls += 1
        self.threads.append(threading.current_thread())
        if self.calls <= self.missing:
            raise SourceError("camera.missing", f"No camera found at index {index}.")
        camera = FakeCamera(index, self.shade)
        self.opened.append(camera)
        return camera


class RaisingClip(RaisingCamera):
    """A recording whose decoder raises part-way through."""

    live = False

    def __init__(self, good: int = 3, error: str = "corrupt packet"):
        super().__init__(0, good, error)
        del self.index
        self.name = "clip.avi"
