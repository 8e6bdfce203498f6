"""The main window: live preview, the last result in very large text, a status line, buttons.

The window holds no recognition logic. It routes keys (stamped with ``time.monotonic()``) and
evidence into the core ``ScanController`` (the scan loop terminal mode and replay drive too),
frames go through ``CaptureWorker`` -> ``RecognitionWorker`` off the UI thread, and every word
for the user goes through the core ``Announcer``.

Keys are caught by an application-wide event filter rather than per-widget handlers, so Space
scans wherever the focus is: a focused button never sees Space (and so is never clicked by it).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QImage, QKeyEvent, QKeySequence, QPixmap, QWindow
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFileDialog,
    QGridLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.voice.announcer import Announcer, Message
from desktop_app.scanning.controller import OFF, Outcome, ScanController
from desktop_app.timing import CAMERA_RETRY, QUIT_CONFIRM, TICK_INTERVAL
from desktop_app.sources.frames import CameraSource, FrameSource, SourceError, open_source
from desktop_app.voice.messages import SpeechUnavailable
from desktop_app.scanning.session import ScanSession
from desktop_app.voice.output import clamp
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

from .accessibility import ScreenReaderBridge, set_accessible
from .labels import label
from .settings import RATE_RANGE, VOLUME_RANGE, AppSettings
from .workers import CaptureWorker, LatestFrame, RecognitionWorker

log = logging.getLogger("desktop_app.ui")

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mkv *.mov *.webm *.m4v *.mpg *.mpeg);;All files (*)"
CAMERA_CHOICES = 4
VOLUME_STEP = 0.1
RATE_STEP = 0.1

STYLE = """
QMainWindow, QWidget#central { background: #000000; }
QLabel#result { color: #FFFF00; background: #000000; font-size: 56pt; font-weight: bold; padding: 12px; }
QLabel#result:focus { border: 4px solid #00FFFF; }
QLabel#status { color: #FFFFFF; background: #000000; font-size: 20pt; padding: 6px; }
QLabel#preview { background: #202020; color: #FFFFFF; font-size: 20pt; }
QPushButton { color: #000000; background: #FFFF00; font-size: 16pt; font-weight: bold;
              padding: 10px 16px; border: 3px solid #FFFFFF; border-radius: 6px; }
QPushButton:focus { border: 5px solid #00FFFF; }
QPushButton:pressed, QPushButton:checked { background: #FFA500; }
QMenuBar, QMenu { font-size: 14pt; }
"""


class PreviewView(QLabel):
    """Shows the newest frame scaled into the available space, keeping its aspect ratio."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("preview")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._image: QImage | None = None
        self.frames_shown = 0

    def show_image(self, image: QImage) -> None:
        self._image = image
        self.frames_shown += 1
        self._rescale()

    def clear_image(self, text: str = "") -> None:
        self._image = None
        self.clear()
        self.setText(text)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._image is None:
            return
        pixmap = QPixmap.fromImage(self._image).scaled(
            self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
        )
        self.setPixmap(pixmap)


class ScanButton(QPushButton):
    """Press and hold with the mouse (or touch) exactly like holding Space."""


class MainWindow(QMainWindow):
    audio_failed = Signal(str)  # from the speech worker thread

    def __init__(
        self,
        announcer: Announcer,
        recognizer,
        settings: AppSettings,
        *,
        kiosk: bool = False,
        thresholds: Thresholds = DEFAULT,
        clock=time.monotonic,
        ask_open_file=None,
        gallery_path: Path | str = "",
    ):
        super().__init__()
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
        self.source: FrameSource | None = None
        self.slot = LatestFrame()
        self.capture: CaptureWorker | None = None
        self.recognition = RecognitionWorker(recognizer, self.slot)
        self.recognition.evidence.connect(self._on_evidence)
        self.recognition.failed.connect(self._on_recognition_failed)
        self._camera_wanted: int | None = None  # a camera we keep looking for while it is missing
        # Why there are no frames (phrase key, params), said again when Space is pressed.
        self._source_problem: tuple[str, dict, tuple[str, ...]] | None = None
        self._quit_armed_until: float | None = None
        self._allow_close = False
        self._shut_down = False
        self.audio_failed.connect(self._on_audio_failed)

        self._build()
        self.screen_reader = ScreenReaderBridge(self)
        announcer.screen_text.append(self._show_message)
        announcer.screen_reader.append(self.screen_reader)

        self._ticker = QTimer(self)
        self._ticker.setInterval(round(TICK_INTERVAL * 1000))
        self._ticker.timeout.connect(self._tick)
        self._camera_retry = QTimer(self)
        self._camera_retry.setInterval(round(CAMERA_RETRY * 1000))
        self._camera_retry.timeout.connect(self._retry_camera)

        QApplication.instance().installEventFilter(self)
        self.recognition.start()
        self._ticker.start()

    # --- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget(self)
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        self.preview = PreviewView(central)
        self.result_label = QLabel("", central)
        self.result_label.setObjectName("result")
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result_label.setWordWrap(True)
        self.result_label.setMinimumHeight(140)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        # Focusable (after the line above, which resets the policy) so a screen-reader user can
        # Tab to the last result and have it read.
        self.result_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.status_label = QLabel("", central)
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        self.status_label.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.scan_button = ScanButton(central)
        self.repeat_button = QPushButton(central)
        self.language_button = QPushButton(central)
        self.open_button = QPushButton(central)
        self.help_button = QPushButton(central)
        self.scan_button.pressed.connect(lambda: self._press(self._clock(), False))
        self.scan_button.released.connect(lambda: self._release(self._clock(), False))
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
        layout.addLayout(buttons)
        self.setCentralWidget(central)
        self.setStyleSheet(STYLE)
        self._build_menus()
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

    @property
    def session(self) -> ScanSession:
        return self.controller.session

    def _buttons(self) -> list[QPushButton]:
        return [self.scan_button, self.repeat_button, self.language_button, self.open_button, self.help_button]

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.open_action = QAction(self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.open_video)
        self.file_menu.addAction(self.open_action)
        self.camera_menu = self.file_menu.addMenu("")
        group = QActionGroup(self)
        self.camera_actions: list[QAction] = []
        for index in range(CAMERA_CHOICES):
            action = QAction(self)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, i=index: self.use_camera(i))
            group.addAction(action)
            self.camera_menu.addAction(action)
            self.camera_actions.append(action)
        self.file_menu.addSeparator()
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self._quit_from_menu)
        self.file_menu.addAction(self.quit_action)

        self.speech_menu = bar.addMenu("")
        # The keys themselves are handled by the event filter; the menu shows them and offers
        # the same commands to mouse users.
        self.volume_up_action = QAction(self, triggered=lambda: self.change_volume(+VOLUME_STEP))
        self.volume_down_action = QAction(self, triggered=lambda: self.change_volume(-VOLUME_STEP))
        self.faster_action = QAction(self, triggered=lambda: self.change_rate(+RATE_STEP))
        self.slower_action = QAction(self, triggered=lambda: self.change_rate(-RATE_STEP))
        self.earcons_action = QAction(self, checkable=True)
        self.earcons_action.setChecked(self.announcer.earcons)
        self.earcons_action.toggled.connect(self.set_earcons)
        self.privacy_action = QAction(self, checkable=True)
        self.privacy_action.setChecked(self.announcer.privacy)
        self.privacy_action.toggled.connect(self.set_privacy)
        for action in (self.volume_up_action, self.volume_down_action, self.faster_action, self.slower_action):
            self.speech_menu.addAction(action)
        self.speech_menu.addSeparator()
        self.speech_menu.addAction(self.earcons_action)
        self.speech_menu.addAction(self.privacy_action)

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
            text, name, description = label(item, lang)
            if isinstance(widget, QAbstractButton):
                widget.setText(text)
            set_accessible(widget, name, description)
        for menu, item in ((self.file_menu, "menu.file"), (self.camera_menu, "menu.camera"),
                           (self.speech_menu, "menu.speech")):
            text, name, description = label(item, lang)
            menu.setTitle(text)
            set_accessible(menu, name, description)
        for action, item in (
            (self.open_action, "action.open"), (self.quit_action, "action.quit"),
            (self.volume_up_action, "action.volume_up"), (self.volume_down_action, "action.volume_down"),
            (self.faster_action, "action.faster"), (self.slower_action, "action.slower"),
            (self.earcons_action, "action.earcons"), (self.privacy_action, "action.privacy"),
        ):
            text, _name, description = label(item, lang)
            action.setText(text)
            action.setToolTip(description)
            action.setStatusTip(description)
        for index, action in enumerate(self.camera_actions):
            text, _name, description = label("action.camera", lang, n=index)
            action.setText(text)
            action.setStatusTip(description)

    # --- start-up ---------------------------------------------------------------------
    def start(self, source_spec: str | None = None, problems=()) -> None:
        """Says the welcome, then any start-up problem, then opens the source."""
        self.scan_button.setFocus(Qt.FocusReason.OtherFocusReason)
        with self.announcer.in_turn():  # each heard in full: "video opened" must not cut off the welcome
            self.announcer.say("kiosk.prompt" if self.kiosk else "welcome")
            for problem in problems:
                self.announcer.error(problem.key, **problem.params)
            spec = source_spec if source_spec is not None else str(self.settings.camera)
            self.open_spec(spec, remember_camera=source_spec is not None)

    def open_spec(self, spec: str, *, remember_camera: bool = True) -> bool:
        """Opens a camera index, video file or image folder; says what went wrong if it fails."""
        try:
            source = open_source(spec, loop=True)
        except SourceError as exc:
            log.warning("cannot open %s: %s", spec, exc)
            problem = self._source_problem_for(exc.key, exc.params)
            message = self.controller.say_problem(problem)
            if self.source is None:
                self._source_problem = problem
                self.preview.clear_image(message.text)
            if exc.key == "camera.missing":
                self._camera_wanted = int(spec)
                self._camera_retry.start()
                self._offer_video()
            elif self.source is None:
                self._offer_video()
            return False
        if remember_camera and isinstance(source, CameraSource):
            self.settings.camera = source.index
        self._play(source)
        return True

    def _play(self, source: FrameSource) -> None:
        """Plays a newly opened source, stops looking for a missing camera, and says so."""
        self._camera_wanted = None
        self._camera_retry.stop()
        camera = source.index if isinstance(source, CameraSource) else None
        self._check_camera_action(camera)
        self.use_source(source)
        if camera is not None:
            self.announcer.say("camera.opened", name=str(camera))
        else:
            self.announcer.say("video.opened", name=source.name)

    def _source_problem_for(self, key: str, params: dict | None = None) -> tuple[str, dict, tuple[str, ...]]:
        # Outside the kiosk there is always a way on: open a recording instead (Ctrl+O).
        offer = ("video.offer",) if not self.kiosk and key in ("camera.missing", "video.error") else ()
        return key, dict(params or {}), offer

    def _scan_problem(self) -> tuple[str, dict, tuple[str, ...]] | None:
        """Why a press cannot scan: no gallery first, then no picture."""
        if not self.recognizer.ready:
            return "gallery.missing", {"path": self.gallery_path}, ()
        return self._source_problem

    def _offer_video(self) -> None:
        # The app stays usable without a camera: focus lands on "Open video", so a screen reader
        # reads that choice next and Enter opens the file dialog.
        if not self.kiosk:
            self.open_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _retry_camera(self) -> None:
        if self._camera_wanted is None or self.source is not None:
            self._camera_retry.stop()
            return
        try:
            source = CameraSource(self._camera_wanted)
        except SourceError:
            return
        self._play(source)

    def _check_camera_action(self, index: int | None) -> None:
        for i, action in enumerate(self.camera_actions):
            action.setChecked(i == index)

    def use_source(self, source: FrameSource) -> None:
        """Plays frames from an already opened source (the window closes it when done)."""
        self._stop_capture()
        self._source_problem = None
        self.controller.cancel()
        self.source = source
        self.slot.clear()
        self.capture = CaptureWorker(source, self.slot, clock=self._clock)
        self.capture.preview.connect(self._on_preview)
        self.capture.lost.connect(self._on_camera_lost)
        self.capture.back.connect(self._on_camera_back)
        self.capture.ended.connect(self._on_source_ended)
        self.capture.failed.connect(self._on_source_failed)
        self.capture.start()

    def _stop_capture(self) -> None:
        if self.capture is not None:
            capture, self.capture = self.capture, None
            for signal in (capture.preview, capture.lost, capture.back, capture.ended, capture.failed):
                try:
                    signal.disconnect()
                except (RuntimeError, TypeError):
                    pass
            capture.stop()
        if self.source is not None:
            self.source.close()
            self.source = None

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
        self.announcer.say("help")

    def toggle_language(self) -> None:
        language = "en" if self.announcer.language == "ne" else "ne"
        self.settings.language = language
        self.announcer.set_language(language)
        self.retranslate()

    def change_volume(self, step: float) -> None:
        speech = self.announcer.speech
        if speech is None:
            return
        speech.volume = clamp(round(speech.volume + step, 2), *VOLUME_RANGE)
        self.settings.volume = speech.volume
        self.announcer.say("volume.changed", percent=round(speech.volume * 100))

    def change_rate(self, step: float) -> None:
        speech = self.announcer.speech
        if speech is None:
            return
        speech.rate = clamp(round(speech.rate + step, 2), *RATE_RANGE)
        self.settings.rate = speech.rate
        self.announcer.say("rate.changed", percent=round(speech.rate * 100))

    def set_earcons(self, on: bool) -> None:
        self.announcer.earcons = on
        if self.announcer.speech is not None and hasattr(self.announcer.speech, "earcons_enabled"):
            self.announcer.speech.earcons_enabled = on
        self.settings.earcons = on
        self.announcer.say("earcons.on" if on else "earcons.off")

    def set_privacy(self, on: bool) -> None:
        self.announcer.privacy = on
        if self.announcer.speech is not None and hasattr(self.announcer.speech, "privacy"):
            self.announcer.speech.privacy = on
        self.settings.privacy = on
        self.announcer.say("privacy.on" if on else "privacy.off")

    # --- keys -------------------------------------------------------------------------
    def _owns(self, obj: QObject) -> bool:
        if isinstance(obj, QWidget):
            return obj.window() is self
        if isinstance(obj, QWindow):
            return obj is self.windowHandle()
        return False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or self._shut_down:
            return False
        if not self._owns(obj):
            return False  # dialogs and menus keep their own keys
        return self._key(event, kind == QEvent.Type.KeyPress)

    def _key(self, event: QKeyEvent, pressed: bool) -> bool:
        key = event.key()
        mods = event.modifiers()
        now = self._clock()
        command = mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                          | Qt.KeyboardModifier.MetaModifier)
        if key == Qt.Key.Key_Space:
            if pressed:
                self._press(now, event.isAutoRepeat())
            else:
                self._release(now, event.isAutoRepeat())
            return True  # never reaches a focused button
        if key == Qt.Key.Key_Q and command == (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            if pressed and not event.isAutoRepeat():
                self.quit_now()  # the documented admin combination; the only way out of a kiosk
            return True
        if command:
            return False  # Ctrl+O, Ctrl+Q and menu accelerators go to their actions
        handler = {
            Qt.Key.Key_R: self.repeat,
            Qt.Key.Key_L: self.toggle_language,
            Qt.Key.Key_Plus: lambda: self.change_volume(+VOLUME_STEP),
            Qt.Key.Key_Equal: lambda: self.change_volume(+VOLUME_STEP),
            Qt.Key.Key_Minus: lambda: self.change_volume(-VOLUME_STEP),
            Qt.Key.Key_Underscore: lambda: self.change_volume(-VOLUME_STEP),
            Qt.Key.Key_BracketRight: lambda: self.change_rate(+RATE_STEP),
            Qt.Key.Key_BracketLeft: lambda: self.change_rate(-RATE_STEP),
            Qt.Key.Key_F1: self.say_help,
            Qt.Key.Key_Escape: self._escape,
        }.get(key)
        if handler is None and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = QApplication.focusWidget()
            if isinstance(focused, QAbstractButton) and focused.window() is self and focused is not self.scan_button:
                # Space no longer activates buttons, so Enter does.
                handler = focused.animateClick
        if handler is None:
            return False
        if pressed and not event.isAutoRepeat():
            if key != Qt.Key.Key_Escape:
                self._cancel_quit()
            handler()
        return True

    def _press(self, t: float, autorepeat: bool) -> None:
        if not autorepeat:
            self._cancel_quit()
        # Scanning that cannot work says why (once per hold) instead of "not sure" after it.
        self.controller.problem = self._scan_problem()
        self._handle(self.controller.press(t, autorepeat))

    def _release(self, t: float, autorepeat: bool) -> None:
        self._handle(self.controller.release(t, autorepeat))

    # --- quitting ---------------------------------------------------------------------
    def _escape(self) -> None:
        if self.kiosk:
            return  # a customer must not be able to close the kiosk
        now = self._clock()
        if self._quit_armed_until is not None and now <= self._quit_armed_until:
            self.quit_now()
            return
        self._quit_armed_until = now + QUIT_CONFIRM
        self.announcer.say("quit.confirm")

    def _cancel_quit(self) -> None:
        if self._quit_armed_until is not None:
            self._quit_armed_until = None
            self.announcer.say("quit.cancelled")

    def _quit_from_menu(self) -> None:
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
            self._escape()  # the window manager's close button asks like Escape does

    def shutdown(self) -> None:
        """Stops the threads and the speech; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._ticker.stop()
        self._camera_retry.stop()
        self._stop_capture()
        self.recognition.stop()
        self.announcer.stop()
        self.settings.sync()

    # --- the scan loop ----------------------------------------------------------------
    def _tick(self) -> None:
        now = self._clock()
        if self._quit_armed_until is not None and now > self._quit_armed_until:
            self._quit_armed_until = None  # the question lapses quietly
        self._handle(self.controller.tick(now))

    def _on_evidence(self, evidence, mode: str) -> None:
        if self._shut_down:
            return
        self._handle(self.controller.add(evidence, mode))

    def _handle(self, outcomes: list[Outcome]) -> None:
        """The window's part of each scan event (the controller has said what is said)."""
        for outcome in outcomes:
            if outcome.event.kind == "started":
                self.status_label.setText(self.announcer.catalogue.text("scan.started", self.announcer.language))
            elif outcome.event.kind == "decision" and outcome.event.decision is not None:
                self.status_label.setText(self.announcer.catalogue.text("ready", self.announcer.language))
        self._update_mode()

    def _update_mode(self) -> None:
        # A kiosk with no picture to watch has nothing to ask the recogniser.
        mode = self.controller.mode if self.source is not None or self.session.wants_frames else OFF
        if self.recognition.mode != mode:
            self.recognition.set_mode(mode)
        self.scan_button.setDown(self.session.wants_frames)

    # --- output -----------------------------------------------------------------------
    def _show_message(self, message: Message) -> None:
        if message.kind == "result" or message.key.startswith("kiosk."):
            self.result_label.setText(message.text)
        else:
            self.status_label.setText(message.text)

    def _on_preview(self, image: QImage) -> None:
        self.preview.show_image(image)
        if self.capture is not None:
            self.capture.preview_shown()

    def _on_camera_lost(self) -> None:
        self.controller.cancel()
        self._source_problem = self._source_problem_for("camera.lost")
        message = self.controller.say_problem(self._source_problem)
        self.preview.clear_image(message.text)

    def _on_camera_back(self) -> None:
        self._source_problem = None
        self.announcer.say("camera.back")

    def _on_source_ended(self) -> None:
        self.announcer.say("video.ended")
        self._source_problem = self._source_problem_for("video.ended")

    def _on_source_failed(self, reason: str) -> None:
        name = self.source.name if self.source is not None else ""
        log.error("source %s failed: %s", name, reason)
        if isinstance(self.source, CameraSource):
            self._source_problem = self._source_problem_for("camera.lost")
        else:
            self._source_problem = self._source_problem_for("video.error", {"name": name})
        self.controller.say_problem(self._source_problem)

    def _on_recognition_failed(self, reason: str) -> None:
        log.error("recognition failed: %s", reason)
        self.announcer.error("model.corrupt", path=str(getattr(self.recognizer.model, "path", "")))

    def report_audio_failure(self, exc: SpeechUnavailable) -> None:
        """Called by the speech backend from its worker thread."""
        self.audio_failed.emit(str(exc))

    def _on_audio_failed(self, reason: str) -> None:
        self.announcer.audio_failed(SpeechUnavailable(reason))
