"""The one owner of the frame source and its capture threads, on the UI thread.

It opens what the user asked for, plays it, switches and stops, and says what goes wrong (all
through the Announcer): a camera missing, lost, stalled in read() or failing with an error is
reported once, naming the cause, and looked for again every CAMERA_RETRY until it is back.

Switching and stopping never wait for a read(): the old capture thread is told to stop and
kept referenced until it has finished; it closes its own source once its read() returned, so
close() never runs during a read(). A frame from an old source cannot reach the new one: the
frame slot refuses old generations, and signals of a retired worker are ignored.
"""
from __future__ import annotations

import functools
import logging
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from desktop_app.sources.base import FrameSource, SourceError
from desktop_app.sources.camera import CameraSource
from desktop_app.sources.frames import open_source
from desktop_app.timing import CAMERA_RETRY, CAPTURE_STOP_WAIT, READ_STALL, STALL_CHECK

from .workers import CaptureWorker, LatestFrame

log = logging.getLogger("desktop_app.ui.sources")

# Problems after which, outside the kiosk, the way on is to open a recording (Ctrl+O).
_OFFER_VIDEO = {"camera.missing", "camera.failed", "camera.stalled", "video.error", "source.failed",
                "source.stalled", "folder.unreadable"}

Problem = tuple[str, dict, tuple[str, ...]]


def camera_index(source: FrameSource) -> int | None:
    return getattr(source, "index", None) if source.live else None


class SourceOwner(QObject):
    preview = Signal(QImage)  # a picture of the current source, for the preview
    picture_gone = Signal(str)  # no picture now; the text to show in its place
    camera_changed = Signal(int)  # the camera now playing, -1 for none
    offer_video = Signal()  # nothing plays: the way on is "open a video"
    _reopened = Signal(object, int)  # from a retry thread: (camera source or None, attempt)

    def __init__(self, announcer, controller, settings, *, kiosk: bool = False, clock=time.monotonic,
                 parent=None, opener=open_source, camera_factory=CameraSource):
        super().__init__(parent)
        self.announcer, self.controller, self.settings = announcer, controller, settings
        self.kiosk, self._clock = kiosk, clock
        # Replaceable so tests and the soak can plug in sources that stall, raise or vanish.
        self.opener, self.camera_factory = opener, camera_factory
        self.slot = LatestFrame()
        self.source: FrameSource | None = None
        self.capture: CaptureWorker | None = None
        self.problem: Problem | None = None  # why there are no frames, said again on Space
        self.retiring: list[CaptureWorker] = []  # stopped, still inside a read(); kept until finished
        self.stall_after = READ_STALL
        self._camera_wanted: int | None = None  # a camera we keep looking for while it is away
        self._wanted_back = False  # it played before: "camera is back" rather than "opened"
        self._attempt = 0  # bumped whenever looking stops, so a late reopen is not played
        self._reopening = False
        self._closed = False
        self._retry = QTimer(self, interval=round(CAMERA_RETRY * 1000), timeout=self._retry_camera)
        self._watchdog = QTimer(self, interval=round(STALL_CHECK * 1000), timeout=self._check_stall)
        self._reopened.connect(self._on_reopened)

    # --- opening ----------------------------------------------------------------------------
    def open_spec(self, spec: str, *, remember_camera: bool = True) -> bool:
        """Opens a camera index, video file or image folder; says what went wrong if it fails."""
        try:
            source = self.opener(spec, loop=True)
        except SourceError as exc:
            log.warning("cannot open %s: %s", spec, exc)
            self._cannot_open(spec, exc.key, exc.params)
            return False
        if remember_camera and isinstance(source, CameraSource):
            self.settings.camera = source.index
        self._play(source)
        return True

    def _cannot_open(self, spec: str, key: str, params: dict) -> None:
        problem = self.problem_for(key, params)
        message = self.controller.say_problem(problem)
        if self.source is None:
            self.problem = problem
            self.picture_gone.emit(message.text)
        if key == "camera.missing":
            self._want_camera(int(spec), back=False)
            self.offer_video.emit()
        elif self.source is None:
            self.offer_video.emit()

    def problem_for(self, key: str, params: dict | None = None) -> Problem:
        offer = ("video.offer",) if not self.kiosk and key in _OFFER_VIDEO else ()
        return key, dict(params or {}), offer

    def _play(self, source: FrameSource, *, back: bool = False) -> None:
        """Plays a newly opened source, stops looking for a missing camera, and says so."""
        self._stop_looking()
        camera = camera_index(source)
        self.camera_changed.emit(-1 if camera is None else camera)
        self.use_source(source)
        if back:
            self.announcer.say("camera.back")
        elif camera is not None:
            self.announcer.say("camera.opened", name=str(camera))
        else:
            self.announcer.say("video.opened", name=source.name)

    def use_source(self, source: FrameSource) -> None:
        """Plays frames from an already opened source (its capture thread closes it when done)."""
        self._retire()
        self.problem = None
        self.controller.cancel()
        self.source = source
        worker = CaptureWorker(source, self.slot, clock=self._clock, generation=self.slot.reset())
        for signal, handler in ((worker.preview, self._on_preview), (worker.lost, self._on_lost),
                                (worker.back, self._on_back), (worker.ended, self._on_ended),
                                (worker.died, self._on_died), (worker.preview_failed, self._on_preview_failed),
                                (worker.finished, self._on_finished)):
            signal.connect(functools.partial(handler, worker))
        self.capture = worker
        worker.start()
        self._watchdog.start()

    # --- stopping ---------------------------------------------------------------------------
    def _retire(self) -> None:
        """Stops the current capture without waiting for it: a read() stuck in a driver ends on
        its own thread, which then closes the source."""
        worker, self.capture, self.source = self.capture, None, None
        self.slot.reset()  # frames still arriving from it are refused
        self._watchdog.stop()
        if worker is not None:
            worker.stop()
            if worker.isRunning():
                self.retiring.append(worker)

    def shutdown(self) -> None:
        """Stops everything; waits one frame for threads that can stop, abandons stalled ones."""
        self._closed = True
        self._stop_looking()
        self._retire()
        deadline = time.monotonic() + CAPTURE_STOP_WAIT
        for worker in list(self.retiring):
            worker.wait(round(max(0.0, deadline - time.monotonic()) * 1000))

    # --- what the capture thread reports ----------------------------------------------------
    def _on_preview(self, worker: CaptureWorker, image: QImage) -> None:
        if worker is not self.capture:
            return  # a picture of the source before the switch
        self.preview.emit(image)
        worker.preview_shown()

    def _on_lost(self, worker: CaptureWorker) -> None:
        if worker is self.capture:
            self._no_picture(self.problem_for("camera.lost"))

    def _on_back(self, worker: CaptureWorker) -> None:
        if worker is self.capture:
            self.problem = None
            self.announcer.say("camera.back")

    def _on_ended(self, worker: CaptureWorker) -> None:
        if worker is self.capture:
            self.announcer.say("video.ended")
            self.problem = self.problem_for("video.ended")

    def _on_died(self, worker: CaptureWorker, reason: str) -> None:
        if worker is not self.capture:
            return
        log.error("source %s failed: %s", worker.source.name, reason)
        self._give_up_on(worker.source, "failed", {"reason": reason})

    def _on_preview_failed(self, worker: CaptureWorker, reason: str) -> None:
        if worker is self.capture:
            self.announcer.error("preview.failed", reason=reason)

    def _on_finished(self, worker: CaptureWorker) -> None:
        if worker in self.retiring:
            self.retiring.remove(worker)

    def _check_stall(self) -> None:
        worker = self.capture
        since = worker.reading_since if worker is not None else None
        if since is None or self._clock() - since < self.stall_after:
            return
        log.error("%s: read() has not returned for %.1f s", worker.source.name, self._clock() - since)
        self._give_up_on(worker.source, "stalled", {})

    def _give_up_on(self, source: FrameSource, how: str, params: dict) -> None:
        """The source broke (``how``: "failed" or "stalled"): say so once and, for a camera,
        look for it again until it is back."""
        camera = camera_index(source)
        self._retire()
        if camera is not None:
            self._no_picture(self.problem_for(f"camera.{how}", {"name": str(camera), **params}))
            self._want_camera(camera, back=True)
        else:
            self._no_picture(self.problem_for(f"source.{how}", {"name": source.name, **params}))
            self.offer_video.emit()

    def _no_picture(self, problem: Problem) -> None:
        self.controller.cancel()  # frames from before say nothing about the note now
        self.problem = problem
        message = self.controller.say_problem(problem)
        self.picture_gone.emit(message.text)

    # --- looking for a camera again ---------------------------------------------------------
    def _want_camera(self, index: int, *, back: bool) -> None:
        self._camera_wanted = index
        self._wanted_back = back
        self._retry.start()

    def _stop_looking(self) -> None:
        self._camera_wanted = None
        self._attempt += 1
        self._retry.stop()

    def _retry_camera(self) -> None:
        if self._camera_wanted is None or self.source is not None:
            self._stop_looking()
            return
        if self._reopening:
            return  # the last attempt is still opening the device
        self._reopening = True
        # Opening a wedged device can block too, so it happens off the UI thread.
        threading.Thread(target=self._reopen, args=(self._camera_wanted, self._attempt),
                         name="camera reopen", daemon=True).start()

    def _reopen(self, index: int, attempt: int) -> None:
        try:
            source = self.camera_factory(index)
        except SourceError:
            source = None
        except Exception:
            log.exception("reopening camera %d failed", index)
            source = None
        try:
            self._reopened.emit(source, attempt)
        except RuntimeError:  # the window is gone already
            if source is not None:
                source.close()

    def _on_reopened(self, source: FrameSource | None, attempt: int) -> None:
        self._reopening = False
        if source is None:
            return
        if self._closed or attempt != self._attempt or self.source is not None:
            # The user chose something else meanwhile; this camera is not read, so closing is safe.
            threading.Thread(target=source.close, name="close unused camera", daemon=True).start()
            return
        self._play(source, back=self._wanted_back)
