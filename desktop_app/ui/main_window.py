"""The main window: live preview, the last result in very large text, a status line, buttons.

The window holds no recognition logic and owns no device. Keys (``keys.KeyRouter``, stamped
with ``time.monotonic()``) and evidence go into the core ``ScanController`` (the scan loop
terminal mode and replay drive too); the source and its capture thread belong to
``source_owner.SourceOwner``; frames go through the capture thread -> ``RecognitionWorker`` off
the UI thread, and come back only by signals; every word for the user goes through the
core ``Announcer``.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QAbstractButton, QApplication, QFileDialog, QGridLayout, QMainWindow,
                               QPushButton, QVBoxLayout, QWidget)

from desktop_app.recognition.thresholds import DEFAULT, Thresholds
from desktop_app.scanning.controller import OFF, Outcome, ScanController
from desktop_app.scanning.session import ScanSession
from desktop_app.timing import RECOGNITION_STOP_WAIT, TICK_INTERVAL
from desktop_app.voice.announcer import Announcer, Message
from desktop_app.voice.messages import SpeechUnavailable

from .accessibility import ScreenReaderBridge, set_accessible
from .appearance import Appearance
from .history import HistoryList
from .keys import KeyRouter
from .labels import keyed_label, label
from .menus import Menus
from .output_control import OutputControl
from .preview import PreviewView
from .quitting import QuitGuard
from .readout import Readout
from .settings import AppSettings
from .source_owner import SourceOwner
from .speech_controls import SpeechControls
from .teach_flow import TeachFlow
from .workers import RecognitionWorker

log = logging.getLogger("desktop_app.ui")

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mkv *.mov *.webm *.m4v *.mpg *.mpeg);;All files (*)"
RECOGNITION_RESTARTS = 3  # a recogniser thread that keeps dying is explained, not restarted for ever


class MainWindow(QMainWindow):
    audio_failed = Signal(str)  # from the speech worker thread

    def __init__(self, announcer: Announcer, recognizer, settings: AppSettings, *, kiosk: bool = False,
                 thresholds: Thresholds = DEFAULT, clock=time.monotonic, ask_open_file=None,
                 gallery_path: Path | str = "", taught=None):
        super().__init__()
        self.taught = taught  # teaching.loading.TaughtNotes: notes taught here, and teaching more
        self.announcer = announcer
        self.recognizer = recognizer
        self.settings = settings
        self.kiosk = kiosk
        self.th = thresholds
        self._clock = clock
        self.gallery_path = str(gallery_path)
        # Tests replace the file dialog; it returns a path or "" (cancelled).
        self._ask_open_file = ask_open_file or self._file_dialog
        self.controller = ScanController(announcer, has_model=recognizer.model is not None, kiosk=kiosk,
                                         thresholds=thresholds)
        self.quit_guard = QuitGuard(announcer, clock, kiosk=kiosk)
        self.speech_controls = SpeechControls(announcer, settings)
        self.kiosk_speech = settings.kiosk_speech() if kiosk else None
        if self.kiosk_speech is not None:
            self.speech_controls.kiosk = self.kiosk_speech
            self.kiosk_speech.apply(announcer)  # the first customer starts with the attendant's voice
            self.controller.on_rearm = self._next_customer
        self.sources = SourceOwner(announcer, self.controller, settings, kiosk=kiosk, clock=clock, parent=self)
        self.slot = self.sources.slot
        self._recognition_deaths = 0
        self.teach = TeachFlow(self)  # teach mode: its keys, frames and check (teach_flow.py)
        self.recognition = self._new_recognition()
        self._allow_close = False
        self._shut_down = False
        self.audio_failed.connect(self._on_audio_failed)

        self.keymap = settings.keymap()  # before any label is drawn: labels name its keys
        self._build()
        self.sources.preview.connect(self.preview.show_image)
        self.sources.picture_gone.connect(self.preview.clear_image)
        self.sources.camera_changed.connect(self.menus.check_camera)
        self.sources.offer_video.connect(self._offer_video)
        self.screen_reader = ScreenReaderBridge(self)
        announcer.screen_text.append(self._show_message)
        announcer.screen_text.append(self.history.add)
        announcer.screen_reader.append(self.screen_reader)
        self.output = OutputControl(self, announcer, settings, self.screen_reader)
        self.output.retranslate(announcer.language)

        self._ticker = QTimer(self, interval=round(TICK_INTERVAL * 1000), timeout=self._tick)
        self.keys = KeyRouter(self, clock)
        self.keys.install()
        self.recognition.start()
        self._ticker.start()

    # --- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget(self)
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        self.preview = PreviewView(central)
        self.result_label = Readout("", central)
        self.result_label.setObjectName("result")
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result_label.setWordWrap(True)
        self.result_label.setMinimumHeight(140)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        # Focusable (after the line above, which resets the policy) so a screen-reader user can
        # Tab to the last result and have it read.
        self.result_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.status_label = Readout("", central)
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        self.status_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reads the status line too
        self.history = HistoryList(central)

        # The scan button is pressed and held with the mouse (or touch) exactly like Space.
        self.scan_button = QPushButton(central)
        self.repeat_button = QPushButton(central)
        self.language_button = QPushButton(central)
        self.open_button = QPushButton(central)
        self.help_button = QPushButton(central)
        self.scan_button.pressed.connect(lambda: self.press(self._clock(), False))
        self.scan_button.released.connect(lambda: self.release(self._clock(), False))
        self.repeat_button.clicked.connect(self.repeat)
        self.language_button.clicked.connect(self.toggle_language)
        self.open_button.clicked.connect(self.open_video)
        self.help_button.clicked.connect(self.say_help)
        # Two rows, so the labels stay whole at large text sizes and in Nepali.
        buttons = QGridLayout()
        buttons.addWidget(self.scan_button, 0, 0, 1, 2)
        buttons.addWidget(self.repeat_button, 0, 2)
        for column, button in enumerate((self.language_button, self.open_button, self.help_button)):
            buttons.addWidget(button, 1, column)
        for button in self._buttons():
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setAutoDefault(False)
            button.setMinimumHeight(56)

        layout.addWidget(self.preview, stretch=3)
        layout.addWidget(self.result_label, stretch=1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.history)
        layout.addLayout(buttons)
        self.setCentralWidget(central)
        self.appearance = Appearance(self, self.settings)
        self.appearance.apply()
        self.menus = Menus(self, self.announcer)
        self.appearance.add_to(self.menus.speech_menu)
        self.file_menu, self.camera_menu, self.speech_menu = (
            self.menus.file_menu, self.menus.camera_menu, self.menus.speech_menu)
        self.open_action = self.menus.open_action
        if self.kiosk:
            # Locked: no menus and no file dialog; only scanning, repeat and language remain.
            self.menuBar().hide()
            self.open_button.hide()
        self.retranslate()
        self.setMinimumSize(640, 480)
        screen = QApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        if room is not None:
            self.resize(min(1100, room.width()), min(820, room.height()))

    def _buttons(self) -> list[QPushButton]:
        return [self.scan_button, self.repeat_button, self.language_button, self.open_button, self.help_button]

    def retranslate(self) -> None:
        """Labels, accessible names and descriptions in the current language."""
        lang = self.announcer.language
        title, name, description = label("window", lang)
        self.setWindowTitle(title)
        set_accessible(self, name, description)
        for widget, item in (
            (self.preview, "preview"), (self.result_label, "result"), (self.status_label, "status"),
            (self.scan_button, "scan"), (self.repeat_button, "repeat"), (self.language_button, "language"),
            (self.open_button, "open"), (self.help_button, "help"),
        ):
            key = self.keymap.names(item) if item in ("repeat", "language", "help") else ""
            text, name, description = keyed_label(item, lang, key)
            if isinstance(widget, QAbstractButton):
                widget.setText(text)
                if widget is not self.scan_button:  # Space scans; Enter is how a button is pressed
                    description = f"{description} {label('enter', lang)[2]}"
            set_accessible(widget, name, description)
            if isinstance(widget, Readout):
                widget.name_default(name)
        self.menus.retranslate(lang)
        self.appearance.retranslate(lang)
        self.history.retranslate(lang)
        if hasattr(self, "output"):
            self.output.retranslate(lang)

    # --- what tests and the bench look at -------------------------------------------
    @property
    def session(self) -> ScanSession:
        return self.controller.session

    @property
    def source(self):
        return self.sources.source

    @property
    def capture(self):
        return self.sources.capture

    # --- start-up and sources -----------------------------------------------------------
    def start(self, source_spec: str | None = None, problems=()) -> None:
        """Says the welcome, then any start-up problem, then opens the source."""
        self.scan_button.setFocus(Qt.FocusReason.OtherFocusReason)
        with self.announcer.in_turn():  # each heard in full: "video opened" must not cut off the welcome
            # The welcome says who speaks and how to change it, in the same message.
            self.announcer.say("kiosk.prompt" if self.kiosk else "welcome", then=self.output.phrases())
            for problem in problems:
                self.announcer.error(problem.key, **problem.params)
            spec = source_spec if source_spec is not None else str(self.settings.camera)
            self.open_spec(spec, remember_camera=source_spec is not None)
        self.teach.prepare()  # taught notes whose merge was not cached: merged off this thread

    def open_spec(self, spec: str, *, remember_camera: bool = True) -> bool:
        return self.sources.open_spec(spec, remember_camera=remember_camera)

    def use_source(self, source) -> None:
        self.sources.use_source(source)

    def _offer_video(self) -> None:
        # The app stays usable without a camera: focus lands on "Open video", so a screen reader
        # reads that choice next and Enter opens the file dialog.
        if not self.kiosk:
            self.open_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- commands ---------------------------------------------------------------------
    def open_video(self) -> None:
        if self.kiosk:
            return
        path = self._ask_open_file()
        if path:
            self.open_spec(str(path))

    def _file_dialog(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self, label("action.open", self.announcer.language)[1],
                                              str(Path.home()), VIDEO_FILTER)
        return path

    def use_camera(self, index: int) -> None:
        self.open_spec(str(index))

    def repeat(self) -> None:
        self.announcer.repeat()

    def say_help(self) -> None:
        self.announcer.say("help.kiosk" if self.kiosk else "help")  # customers cannot teach

    def toggle_language(self) -> None:
        language = "en" if self.announcer.language == "ne" else "ne"
        if not self.kiosk:  # a kiosk customer's language ends with that customer
            self.settings.language = language
        self.announcer.set_language(language)
        self.retranslate()

    def _next_customer(self) -> None:
        self.kiosk_speech.apply(self.announcer)
        self.retranslate()

    # --- the scan key -------------------------------------------------------------------
    def press(self, t: float, autorepeat: bool) -> None:
        if not autorepeat:
            self.quit_guard.cancel()
        if self.teach.press(t, autorepeat):
            return
        # Scanning that cannot work says why (once per hold) instead of "not sure" after it.
        self.controller.problem = self._scan_problem()
        self._handle(self.controller.press(t, autorepeat))

    def release(self, t: float, autorepeat: bool) -> None:
        if not self.teach.release(t, autorepeat):
            self._handle(self.controller.release(t, autorepeat))

    def _scan_problem(self):
        """Why a press cannot scan: no gallery first, then no picture."""
        if not self.recognizer.ready:
            return self.recognizer.why_not_ready(self.gallery_path)
        return self.sources.problem

    # --- quitting ---------------------------------------------------------------------
    def escape(self) -> None:
        if not self.teach.escape() and self.quit_guard.escape():
            self.quit_now()

    def quit_from_menu(self) -> None:
        if not self.kiosk:
            self.quit_now()

    def quit_now(self) -> None:
        self._allow_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt naming)
        if self._allow_close:
            self.shutdown()
            event.accept()
            return
        event.ignore()
        if not self.kiosk:
            self.escape()  # the window manager's close button asks like Escape does

    def shutdown(self) -> None:
        """Stops the threads and the speech; safe to call twice. Never waits on a device."""
        if self._shut_down:
            return
        self._shut_down = True
        self.keys.remove()
        self._ticker.stop()
        self.sources.shutdown()
        self.recognition.stop()
        self.recognition.wait(round(RECOGNITION_STOP_WAIT * 1000))
        self.announcer.stop()
        self.output.shutdown()
        self.settings.sync()

    # --- the scan loop ----------------------------------------------------------------
    def _new_recognition(self) -> RecognitionWorker:
        worker = RecognitionWorker(self.recognizer, self.slot, examine=self.teach.examine)
        worker.evidence.connect(self._on_evidence)
        worker.examined.connect(self.teach.on_examined)
        worker.failed.connect(self._on_recognition_failed)
        worker.died.connect(self._on_recognition_died)
        return worker

    def _tick(self) -> None:
        now = self._clock()
        self.quit_guard.tick(now)
        self._handle(self.controller.tick(now))

    def _on_evidence(self, evidence, mode: str) -> None:
        if self._shut_down:
            return
        self._handle(self.controller.add(evidence, mode))

    def _handle(self, outcomes: list[Outcome]) -> None:
        """The window's part of each scan event (the controller has said what is said)."""
        for outcome in outcomes:
            if outcome.event.kind == "started":
                self.status_label.show_text(self.announcer.catalogue.text("scan.started", self.announcer.language))
            elif outcome.event.kind == "decision" and outcome.event.decision is not None:
                self.status_label.show_text(self.announcer.catalogue.text("ready", self.announcer.language))
        self._update_mode()

    def _update_mode(self) -> None:
        # A kiosk with no picture to watch has nothing to ask the recogniser; teaching has its own.
        mode = self.teach.mode(self.controller.mode if self.source is not None or self.session.wants_frames else OFF)
        if self.recognition.mode != mode:
            self.recognition.set_mode(mode)
        self.scan_button.setDown(self.session.wants_frames)

    def _on_recognition_failed(self, reason: str) -> None:
        log.error("recognition failed: %s", reason)
        self.announcer.error("model.corrupt", path=str(getattr(self.recognizer.model, "path", "")))

    def _on_recognition_died(self, reason: str) -> None:
        """The recogniser thread ended by an error: started again, or explained if it keeps dying."""
        if self._shut_down:
            return
        self._recognition_deaths += 1
        if self._recognition_deaths > RECOGNITION_RESTARTS:
            self.announcer.error("recognition.stopped", reason=reason)
            return
        log.warning("recognition thread died (%s); starting it again", reason)
        mode = self.recognition.mode
        self.recognition = self._new_recognition()
        self.recognition.set_mode(mode)
        self.recognition.start()

    # --- output -----------------------------------------------------------------------
    def _show_message(self, message: Message) -> None:
        widget = self.result_label if message.kind == "result" or message.key.startswith("kiosk.") else self.status_label
        # Privacy mode keeps the value from the screen reader, so the name carries reader_text.
        widget.show_text(message.text, message.reader_text)

    def report_audio_failure(self, exc: SpeechUnavailable) -> None:
        """Called by the speech backend from its worker thread."""
        self.audio_failed.emit(str(exc))

    def _on_audio_failed(self, reason: str) -> None:
        self.announcer.audio_failed(SpeechUnavailable(reason))
