"""The newest frame of a source, kept by a background thread (terminal mode's capture).

Qt-free. The thread reports state changes and driver errors through a callback the caller
marshals to its own thread; it closes its own source when it ends, so close() never runs
during a read(), and stopping never waits longer than a frame for a read() stuck in a driver.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from desktop_app.timing import CAMERA_RETRY, CAPTURE_STOP_WAIT, IDLE_POLL

from .base import Frame
from .pacer import Pacer

log = logging.getLogger("desktop_app.sources.grabber")


@dataclass(frozen=True)
class _Captured:
    frame: Frame
    seq: int


class FrameGrabber:
    """Keeps the newest frame of a source, restamped with the caller's clock at capture.

    State changes go to ``on_state(state, detail)`` (called on the grabber's thread; the console
    queues them for its own): "lost", "ok", "ended", and "failed" with the driver's words when
    read() raises. A failed camera is closed and reopened (``reopen``) every ``retry`` seconds
    until it works; a failed file ends the thread. The thread closes its own source when it
    ends, so close() never runs during a read().
    """

    def __init__(self, source, clock: Callable[[], float] = time.monotonic,
                 on_state: Callable[[str, str], None] | None = None, *,
                 reopen: Callable[[], object] | None = None, retry: float = CAMERA_RETRY):
        self.source = source
        self._clock = clock
        self._on_state = on_state
        self._reopen = reopen
        self._retry = retry
        self._latest: _Captured | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="frame-grabber", daemon=True)

    def start(self) -> "FrameGrabber":
        self._thread.start()
        return self

    def latest(self) -> _Captured | None:
        with self._lock:
            return self._latest

    def _report(self, state: str, detail: str = "") -> None:
        if self._on_state is not None:
            self._on_state(state, detail)

    def _run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # the thread's end is said, never silent
            log.exception("frame grabber died")
            self._report("failed", str(exc) or type(exc).__name__)
        finally:
            try:
                self.source.close()
            except Exception:
                log.exception("closing %s failed", getattr(self.source, "name", "source"))

    def _loop(self) -> None:
        pacer = None if self.source.live else Pacer(self.source.fps, clock=self._clock)
        state = "ok"
        seq = 0
        while not self._stop.is_set():
            if pacer is not None:
                pacer.wait()
            try:
                frame = self.source.read()
            except Exception as exc:
                log.exception("reading %s failed", getattr(self.source, "name", "source"))
                with self._lock:
                    self._latest = None  # a frame from before the failure says nothing now
                if state != "failed":
                    state = "failed"
                    self._report(state, str(exc) or type(exc).__name__)
                if not self.source.live:
                    return
                self._stop.wait(self._retry)
                self._try_reopen()
                continue
            if self.source.state != state:
                state = self.source.state
                self._report(state)
            if frame is None:
                if state == "ended":
                    return
                self._stop.wait(IDLE_POLL)
                continue
            seq += 1
            with self._lock:
                self._latest = _Captured(Frame(frame.image, self._clock(), frame.index), seq)

    def _try_reopen(self) -> None:
        if self._reopen is None or self._stop.is_set():
            return
        try:
            fresh = self._reopen()
        except Exception as exc:  # still away; the failure was said once already
            log.info("camera still unavailable: %s", exc)
            return
        old, self.source = self.source, fresh
        old.close()  # this thread read it last and is not reading it now

    def stop(self, timeout: float = CAPTURE_STOP_WAIT) -> None:
        """Waits one frame at most: a read() stuck in a driver is left to finish on its thread."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)
