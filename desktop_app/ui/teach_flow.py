"""Teach mode in the window: keys in, frames examined, the check off the UI thread, the swap.

The steps and every word said belong to ``teaching.session.TeachSession``; this module only
connects it to the window:

- Ctrl+T (the File menu's "Teach a note…"), or the attendant's Ctrl+Alt+T in a kiosk, starts
  it; keys 1-7 choose the value; Space press and release go to the session instead of the
  scan (autorepeat handled as the scan key's is); Escape cancels without arming "quit".
- While the session wants frames the recognition worker runs in its ``teach`` mode: each
  frame goes through ``views.examine`` there, and comes back here by the ``examined`` signal.
  The preview draws the outline found, for a sighted helper.
- The check (``Teacher.learn``, seconds on a real gallery) and the Verifier of the merged
  gallery are made on a daemon thread (``CheckWorker``); the window stays responsive and
  swaps the new verifier into the recognizer when it is back, so the next hold names the note.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop_app.recognition.verifier import Verifier
from desktop_app.scanning.controller import OFF
from desktop_app.scanning.held_key import HeldKey
from desktop_app.teaching import views
from desktop_app.teaching.session import CHECKING, SIDE, VALUE, TeachRequest, TeachSession
from desktop_app.teaching.teacher import Outcome
from desktop_app.timing import TICK_INTERVAL

from .workers import TEACH, Worker

log = logging.getLogger("desktop_app.ui.teach")

_COMMAND_MODS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
# Keys the value step leaves alone: modifiers on their own (the first half of Ctrl+T), the
# screen readers' own keys (Insert, CapsLock), Tab to move the focus, and Space and Escape,
# which have their own ways in (``press``, ``escape``).
_PASSED = {int(k) for k in (
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_AltGr, Qt.Key.Key_Meta,
    Qt.Key.Key_Super_L, Qt.Key.Key_Super_R, Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock,
    Qt.Key.Key_Insert, Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Space, Qt.Key.Key_Escape)}


class CheckWorker(Worker):
    """``Teacher.learn`` and, when the note was saved, the Verifier of the merged gallery."""

    done = Signal(object, object)  # teacher.Outcome, Verifier or None

    def __init__(self, teacher, request: TeachRequest, thresholds, parent=None):
        super().__init__("teach check", parent)
        self.teacher = teacher
        self.request = request
        self.thresholds = thresholds

    def run(self) -> None:
        outcome = self.teacher.learn(self.request.value, self.request.views, origin="window")
        verifier = outcome.verifier  # the checks' own Verifier of the merged gallery
        if outcome.ok and verifier is None and outcome.gallery is not None:
            verifier = Verifier(outcome.gallery, self.thresholds)
        self.done.emit(outcome, verifier)


class PrepareWorker(Worker):
    """The merge of taught notes that the start left for later (``TaughtNotes.finish``), and
    the Verifier of it."""

    done = Signal(object)  # Verifier

    def __init__(self, taught, thresholds):
        super().__init__("taught notes")
        self.taught = taught
        self.thresholds = thresholds

    def run(self) -> None:
        verifier = self.taught.finish_verifier(self.thresholds)
        if verifier is not None:
            self.done.emit(verifier)


class TeachFlow(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.announcer = window.announcer
        self.session = TeachSession(window.announcer)
        self.space = HeldKey()
        self.check: CheckWorker | None = None
        self.prepared_by: PrepareWorker | None = None  # the start's merge of taught notes
        self._side = self.session.side_label
        self._keep_images = False
        self._frame_size = (1, 1)
        # Its own tick, so a release is confirmed even when no frame comes.
        self._ticker = QTimer(self, interval=round(TICK_INTERVAL * 1000), timeout=self._tick)
        self._ticker.start()

    @property
    def active(self) -> bool:
        return self.session.active

    def prepare(self) -> None:
        """After the start: merges taught notes whose merge was not cached, off the UI thread."""
        taught = self.window.taught
        if taught is None or taught.pending is None:
            return
        worker = PrepareWorker(taught, self.window.th)
        worker.done.connect(self._on_prepared)
        worker.died.connect(self._on_prepare_died)
        self.prepared_by = worker
        worker.start()

    def _on_prepare_died(self, reason: str) -> None:
        if not self.window._shut_down:  # taught notes stay "not sure"; the person is told why
            self.announcer.error("teach.prepare_failed", reason=reason)

    def _on_prepared(self, verifier) -> None:
        if self.window._shut_down:
            return
        self.window.recognizer.verifier = verifier
        self.announcer.say_after("teach.ready")

    # --- starting ------------------------------------------------------------------------
    def start(self, *, attendant: bool = False) -> None:
        """Ctrl+T; in a kiosk only the attendant's Ctrl+Alt+T (``attendant``) counts."""
        w = self.window
        if w.kiosk and not attendant:
            return  # a customer cannot teach the kiosk
        w.quit_guard.cancel()
        taught = w.taught
        preparing = self.prepared_by is not None and self.prepared_by.isRunning()
        if self.session.state == CHECKING:
            self.announcer.say("teach.busy")
        elif preparing:
            # Its merge would be swapped in after this teach's, without the new note.
            self.announcer.say("teach.preparing")
        elif taught is not None and taught.store.locked:
            self.announcer.error("teach.locked")
        elif taught is None or taught.teacher is None:
            self.announcer.error("teach.unavailable")
        elif taught.teacher.negatives is None:
            # Nothing could be checked: said now, not after both sides were shown.
            self.announcer.error("teach.no_negatives", path=str(taught.negatives_path))
        else:
            w.controller.cancel()  # a scan held when teaching starts ends without a word
            self.session.start()
        self._refresh()

    # --- keys ----------------------------------------------------------------------------
    def key(self, event) -> bool:
        """A key press in the value step: a digit chooses, any other key says which keys work.
        True when the key was used here."""
        if self.session.state != VALUE:
            return False
        key = int(event.key())
        if event.modifiers() & _COMMAND_MODS or key in _PASSED:
            return False
        if not event.isAutoRepeat():
            digit = key - int(Qt.Key.Key_0)
            if 0 <= digit <= 9:
                self.session.choose(digit)
            else:
                self.session.other_key()
            self._refresh()
        return True

    def press(self, t: float, autorepeat: bool) -> bool:
        """Space (or the scan button) down; True when teaching took it."""
        if not (self.session.active or self.space.busy):
            return False
        if self.space.press(autorepeat) and self.session.active:
            if self.session.state == CHECKING:
                self.announcer.say("teach.busy")
            elif self.session.state == SIDE and self.window.sources.problem is not None:
                # No picture to learn from (no camera, the video ended): why, not "keep holding".
                self.window.controller.say_problem(self.window.sources.problem)
            else:
                self._side = self.session.side_label
                self._keep_images = self.window.taught.store.keep_images
                self.session.press(t)
            self._refresh()
        return True

    def release(self, t: float, autorepeat: bool) -> bool:
        # A Space held when teaching ended is still teaching's until it is let go, so its
        # autorepeat cannot start a scan.
        if not (self.session.active or self.space.busy):
            return False
        self.space.release(t, autorepeat)
        return True

    def escape(self) -> bool:
        """Escape while teaching: cancels (True), never a step towards quitting."""
        if self.session.state == CHECKING:
            self.announcer.say("teach.busy")  # the check cannot be stopped; its result follows
            return True
        if self.session.cancel():
            self._refresh()
            return True
        return False

    def _tick(self) -> None:
        released = self.space.tick(self.window._clock())
        if released is not None and self.session.active:
            problem = self.window.sources.problem
            # No picture came (camera lost, video ended; said when it happened): not "keep
            # holding", which cannot help.
            self.session.release(released, quiet=problem is not None)
            self._refresh()

    # --- frames --------------------------------------------------------------------------
    def mode(self, scanning: str) -> str:
        """The recognition worker's mode: ``teach`` while collecting, off for the rest of a
        teach session (no scanning while teaching), else the scan's own."""
        if self.session.wants_frames:
            return TEACH
        return OFF if self.session.active else scanning

    def examine(self, image):
        """Runs on the recognition thread: reads only what ``press`` set on the UI thread."""
        return views.examine(image, self._side, keep_image=self._keep_images, thresholds=self.window.th)

    def on_examined(self, examined, t: float, frame_size) -> None:
        if self.window._shut_down or not self.session.wants_frames:
            return
        self._frame_size = frame_size
        request = self.session.add(examined, t)
        if request is not None:
            self._run_check(request)
        self._refresh()

    def _refresh(self) -> None:
        """The preview's outline and the worker's mode, after any step."""
        quad = self.session.last_quad if self.session.wants_frames else None
        self.window.preview.show_outline(quad, self._frame_size)
        self.window._update_mode()

    # --- the check -----------------------------------------------------------------------
    def _run_check(self, request: TeachRequest) -> None:
        # No Qt parent: the thread keeps it alive, even past a window closed during the check.
        check = CheckWorker(self.window.taught.teacher, request, self.window.th)
        check.done.connect(self._on_checked)
        check.died.connect(self._on_check_died)
        self.check = check
        check.start()

    def _on_checked(self, outcome: Outcome, verifier) -> None:
        if self.window._shut_down:
            return
        if verifier is not None:
            self.window.recognizer.verifier = verifier  # the next hold names the taught note
        log.info("teach check: %s in %.1f s %s", outcome.key, outcome.seconds, outcome.detail)
        self.session.finish(outcome)
        self._refresh()

    def _on_check_died(self, reason: str) -> None:
        if self.window._shut_down:
            return
        self.session.finish(Outcome(False, "teach.failed", {"reason": reason}, reason))
        self._refresh()
