"""The two background threads: capture (frames and preview) and recognition (evidence).

Neither touches a widget or the announcer; they talk to the UI thread only through Qt signals
(queued across threads, since the worker objects live on the UI thread) and one lock-protected
slot holding the newest frame. Memory stays bounded however long the app runs: there is one
frame in the slot, one in flight per thread, and the UI drops preview images it has not painted.

The threads are daemon Python threads, not QThreads: a camera driver can block in read() for
ever, and a QThread can be neither abandoned (destroying a running one aborts the process with
"QThread: Destroyed while thread is still running") nor waited for without freezing the window.
A daemon thread is left to finish on its own and never holds up the process's exit.
"""
from __future__ import annotations

import logging
import threading
import time

import cv2
import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop_app.scanning.controller import OFF, PRESENCE, SCAN
from desktop_app.sources.base import Frame, FrameSource
from desktop_app.sources.pacer import Pacer
from desktop_app.timing import IDLE_POLL

log = logging.getLogger("desktop_app.ui.workers")

TEACH = "teach"  # teach mode collects pictures of a note the gallery does not know yet
MODES = (OFF, SCAN, PRESENCE, TEACH)


class LatestFrame:
    """A one-frame mailbox: the writer replaces, the reader takes the newest unseen frame.

    ``reset`` starts a new generation (a new source); a writer of an older generation is
    refused under the same lock, so a frame read from the previous source cannot slip in
    after the switch however late its read() returns.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._seq = 0
        self._generation = 0

    def put(self, frame: Frame, generation: int | None = None) -> bool:
        with self._cond:
            if generation is not None and generation != self._generation:
                return False
            self._frame = frame
            self._seq += 1
            self._cond.notify_all()
            return True

    def newer_than(self, seq: int, timeout: float) -> tuple[int, Frame | None]:
        """Waits up to ``timeout`` for a frame newer than ``seq``; returns (seq, frame or None)."""
        with self._cond:
            if self._seq <= seq:
                self._cond.wait(timeout)
            if self._seq <= seq or self._frame is None:
                return seq, None
            return self._seq, self._frame

    def reset(self) -> int:
        """Empties the slot and returns the new generation, the only one ``put`` accepts now."""
        with self._cond:
            self._frame = None
            self._generation += 1
            return self._generation

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


class Worker(QObject):
    """A daemon thread with a stop flag, and a report when it ends: ``died`` (with the reason)
    when its loop raised, then ``finished`` whatever the reason."""

    died = Signal(str)
    finished = Signal()

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._started = False

    def start(self) -> None:
        self._started = True
        self._thread.start()

    def stop(self) -> None:
        """Asks the loop to end and returns at once; ``wait`` for it if it must be gone."""
        self._stop.set()

    def wait(self, timeout_ms: int) -> bool:
        if self._started:
            self._thread.join(timeout_ms / 1000)
        return not self._thread.is_alive()

    def isRunning(self) -> bool:  # noqa: N802 (the QThread name tests and callers know)
        return self._thread.is_alive()

    def isFinished(self) -> bool:  # noqa: N802
        return self._started and not self._thread.is_alive()

    def _main(self) -> None:
        try:
            self.run()
        except Exception as exc:  # reported, never a thread that vanishes without a word
            log.exception("%s died", self._thread.name)
            self.died.emit(str(exc) or type(exc).__name__)
        finally:
            self._finish()
            self.finished.emit()

    def run(self) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Clean-up on the worker's own thread, after its loop ended."""


class CaptureWorker(Worker):
    """Reads a FrameSource, restamps frames with the clock key events use, keeps the newest in
    ``slot`` and emits a preview image per painted frame.

    State changes are reported once each: ``lost`` when a camera goes away, ``back`` when it
    returns, ``ended`` when a file finishes; a read() that raises ends the thread with ``died``.
    The worker closes its source itself when its loop ends, after the last read() returned,
    so close() never runs during a read(). ``reading_since`` tells a watchdog how long the
    current read() has been running.
    """

    preview = Signal(QImage)
    lost = Signal()
    back = Signal()
    ended = Signal()
    preview_failed = Signal(str)

    def __init__(self, source: FrameSource, slot: LatestFrame, *, clock=time.monotonic,
                 generation: int | None = None, parent=None):
        super().__init__(f"capture {source.name}", parent)
        self.source = source
        self.slot = slot
        self.generation = generation
        self._clock = clock
        self._painted = threading.Event()  # the UI has shown the last preview; send the next
        self._painted.set()
        self._reading_since: float | None = None
        self.frames = 0  # frames captured, for status and tests

    @property
    def reading_since(self) -> float | None:
        return self._reading_since

    def preview_shown(self) -> None:
        """The UI calls this after painting a preview, so previews never pile up in the queue."""
        self._painted.set()

    def run(self) -> None:
        pacer = None if self.source.live else Pacer(self.source.fps)
        was_lost = False
        preview_ok = True
        while not self._stop.is_set():
            self._reading_since = self._clock()
            try:
                frame = self.source.read()
            finally:
                self._reading_since = None
            if self._stop.is_set():
                return  # stopped during the read: its frame belongs to a source no longer shown
            if frame is None:
                state = self.source.state
                if state == "ended":
                    self.ended.emit()
                    return
                if state == "lost" and not was_lost:
                    was_lost = True
                    self.lost.emit()
                self._stop.wait(IDLE_POLL)  # the camera retries on its own schedule; do not spin
                continue
            if was_lost:
                was_lost = False
                self.back.emit()
            if pacer is not None:
                pacer.wait()
            if not self.slot.put(Frame(frame.image, self._clock(), self.frames), self.generation):
                return  # the slot moved on to another source while this frame was read
            self.frames += 1
            if preview_ok and self._painted.is_set():
                try:
                    image = to_qimage(frame.image)
                except Exception as exc:  # scanning goes on without a picture on screen
                    log.exception("preview of %s failed", self.source.name)
                    preview_ok = False
                    self.preview_failed.emit(str(exc) or type(exc).__name__)
                    continue
                self._painted.clear()
                self.preview.emit(image)

    def _finish(self) -> None:
        try:
            self.source.close()
        except Exception:
            log.exception("closing %s failed", self.source.name)


class RecognitionWorker(Worker):
    """Runs the recognizer on the newest frame it has not seen, whenever the UI asks for it.

    Mode ``scan`` verifies against the gallery (a hold is in progress); ``presence`` only asks
    the model whether a note is in view (a kiosk waiting for a customer); ``teach`` hands the
    frame to ``examine`` (``teach_flow.TeachFlow.examine``: the note's outline and a view of it)
    instead of the recognizer and emits ``examined``; ``off`` idles.
    Frames that arrive while one is being evaluated are skipped, never queued.
    """

    evidence = Signal(object, str)  # FrameEvidence, mode it was computed in
    examined = Signal(object, float, object)  # teaching.views.Examined, frame time, (width, height)
    failed = Signal(str)

    def __init__(self, recognizer, slot: LatestFrame, parent=None, *, examine=None):
        super().__init__("recognition", parent)
        self.recognizer = recognizer
        self.slot = slot
        self.examine = examine  # image -> Examined; teach mode needs it
        self._mode = OFF
        self._scan_since = 0.0  # monotonic time the current scan began
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
            if mode in (SCAN, TEACH) and self._mode != mode:
                self._scan_since = time.monotonic()
            self._mode = mode

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
            if mode in (SCAN, TEACH) and frame.t < scan_since:
                # Captured before Space went down: the scan session would ignore its evidence, so
                # evaluating it would only delay the first frame that counts.
                continue
            if mode == TEACH:
                self._teach(frame)
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

    def _teach(self, frame: Frame) -> None:
        try:
            examined = self.examine(frame.image)
        except Exception:
            # Logged, not said as "model corrupt": the session's own guidance ("show the whole
            # note") follows from the frames that do get examined.
            log.exception("examining a frame for teaching failed")
            self._stop.wait(0.2)
            return
        height, width = frame.image.shape[:2]
        self.evaluated += 1
        self.examined.emit(examined, frame.t, (width, height))
