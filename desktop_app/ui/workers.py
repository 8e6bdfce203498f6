"""The two background threads: capture (frames and preview) and recognition (evidence).

Neither touches a widget or the announcer; they talk to the UI thread only through Qt signals
(queued across threads) and one lock-protected slot holding the newest frame. Memory stays
bounded however long the app runs: there is one frame in the slot, one in flight per thread,
and the UI drops preview images it has not painted yet.
"""
from __future__ import annotations

import logging
import threading
import time

import cv2
import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from desktop_app.scanning.controller import OFF, PRESENCE, SCAN
from desktop_app.sources.frames import Frame, FrameSource, Pacer

log = logging.getLogger("desktop_app.ui.workers")

MODES = (OFF, SCAN, PRESENCE)


class LatestFrame:
    """A one-frame mailbox: the writer replaces, the reader takes the newest unseen frame."""

    def __init__(self):
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._seq = 0

    def put(self, frame: Frame) -> None:
        with self._cond:
            self._frame = frame
            self._seq += 1
            self._cond.notify_all()

    def newer_than(self, seq: int, timeout: float) -> tuple[int, Frame | None]:
        """Waits up to ``timeout`` for a frame newer than ``seq``; returns (seq, frame or None)."""
        with self._cond:
            if self._seq <= seq:
                self._cond.wait(timeout)
            if self._seq <= seq:
                return seq, None
            return self._seq, self._frame

    def clear(self) -> None:
        with self._cond:
            self._frame = None


def to_qimage(image: np.ndarray, max_width: int = 960) -> QImage:
    """BGR frame -> an RGB QImage that owns its pixels (safe to hand to another thread)."""
    height, width = image.shape[:2]
    if width > max_width:
        scale = max_width / width
        image = cv2.resize(image, (max_width, max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
        height, width = image.shape[:2]
    rgb = np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class CaptureWorker(QThread):
    """Reads a FrameSource, restamps frames with ``time.monotonic()`` (the clock key events use),
    keeps the newest in ``slot`` and emits a preview image per frame.

    State changes are reported once each: ``lost`` when a camera goes away, ``back`` when it
    returns, ``ended`` when a file finishes, ``failed`` (with a reason) when reading breaks.
    """

    preview = Signal(QImage)
    lost = Signal()
    back = Signal()
    ended = Signal()
    failed = Signal(str)

    def __init__(self, source: FrameSource, slot: LatestFrame, *, clock=time.monotonic, parent=None):
        super().__init__(parent)
        self.source = source
        self.slot = slot
        self._clock = clock
        self._stop = threading.Event()
        self._painted = threading.Event()  # the UI has shown the last preview; send the next
        self._painted.set()
        self.frames = 0  # frames captured, for status and tests

    def preview_shown(self) -> None:
        """The UI calls this after painting a preview, so previews never pile up in the queue."""
        self._painted.set()

    def stop(self) -> None:
        self._stop.set()
        self.wait(3000)

    def run(self) -> None:
        pacer = None if self.source.live else Pacer(self.source.fps)
        was_lost = False
        while not self._stop.is_set():
            try:
                frame = self.source.read()
            except Exception as exc:  # a driver crash must not take the window down
                log.exception("reading %s failed", self.source.name)
                self.failed.emit(str(exc))
                return
            if frame is None:
                state = self.source.state
                if state == "ended":
                    self.ended.emit()
                    return
                if state == "lost" and not was_lost:
                    was_lost = True
                    self.lost.emit()
                self._stop.wait(0.05)  # the camera retries on its own schedule; do not spin
                continue
            if was_lost:
                was_lost = False
                self.back.emit()
            if pacer is not None:
                pacer.wait()
            stamped = Frame(frame.image, self._clock(), self.frames)
            self.frames += 1
            self.slot.put(stamped)
            if self._painted.is_set():
                self._painted.clear()
                self.preview.emit(to_qimage(frame.image))


class RecognitionWorker(QThread):
    """Runs the recognizer on the newest frame it has not seen, whenever the UI asks for it.

    Mode ``scan`` verifies against the gallery (a hold is in progress); ``presence`` only asks
    the model whether a note is in view (a kiosk waiting for a customer); ``off`` idles.
    Frames that arrive while one is being evaluated are skipped, never queued.
    """

    evidence = Signal(object, str)  # FrameEvidence, mode it was computed in
    failed = Signal(str)

    def __init__(self, recognizer, slot: LatestFrame, parent=None):
        super().__init__(parent)
        self.recognizer = recognizer
        self.slot = slot
        self._mode = OFF
        self._scan_since = 0.0  # monotonic time the current scan began
        self._stop = threading.Event()
        self._mode_lock = threading.Lock()
        self.evaluated = 0

    @property
    def mode(self) -> str:
        with self._mode_lock:
            return self._mode

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        with self._mode_lock:
            if mode == SCAN and self._mode != SCAN:
                self._scan_since = time.monotonic()
            self._mode = mode

    def stop(self) -> None:
        self._stop.set()
        self.wait(5000)

    def run(self) -> None:
        seen = 0
        reported = False
        while not self._stop.is_set():
            mode = self.mode
            if mode == OFF:
                self._stop.wait(0.02)
                continue
            seen, frame = self.slot.newer_than(seen, timeout=0.1)
            if frame is None:
                continue
            with self._mode_lock:
                mode, scan_since = self._mode, self._scan_since
            if mode == OFF:  # the hold may have ended while we waited
                continue
            if mode == SCAN and frame.t < scan_since:
                # Captured before Space went down: the scan session would ignore its evidence, so
                # evaluating it would only delay the first frame that counts.
                continue
            try:
                evidence = self.recognizer.evaluate(frame.image, frame.t, verify=(mode == SCAN))
            except Exception as exc:
                log.exception("recognition failed")
                if not reported:  # said once; a broken model must not flood the user
                    reported = True
                    self.failed.emit(str(exc))
                self._stop.wait(0.2)
                continue
            self.evaluated += 1
            self.evidence.emit(evidence, mode)
