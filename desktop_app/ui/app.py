"""Starts the desktop app: Qt application, announcer, recognizer and the main window."""
from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.paths import DEFAULT_GALLERY, DEFAULT_MODEL

log = logging.getLogger("desktop_app.ui")


@dataclass
class AppOptions:
    """What the command line (desktop_app.cli) hands to ``run_app``."""

    source: str | None = None  # camera index or video/folder path; None: the saved camera
    language: str | None = None  # "ne" | "en"; None: the saved language
    kiosk: bool = False
    model: Path = field(default_factory=lambda: DEFAULT_MODEL)
    gallery: Path = field(default_factory=lambda: DEFAULT_GALLERY)
    fullscreen: bool = False
    data_dir: Path | None = None  # taught notes (None: $NCR_DATA_DIR or the platform's data folder)
    speech: object | None = None  # a Speech backend to use instead of the real one (tests)


@dataclass
class AppParts:
    """Everything ``build_app`` made; tests drive the window through these."""

    app: object  # QApplication
    window: object  # MainWindow
    announcer: object
    recognizer: object
    settings: object
    problems: list


def build_app(options: AppOptions, settings=None, *, start_delay_ms: int | None = None) -> AppParts:
    """Builds and shows the window and opens the source, without entering the event loop.

    With ``start_delay_ms`` the welcome and the source wait that long after the event loop
    starts, so a screen reader connected over AT-SPI (which attaches once the loop runs) hears
    the start-up messages too.
    """
    from PySide6.QtWidgets import QApplication

    from desktop_app.voice.announcer import Announcer
    from desktop_app.voice.checks import to_tell
    from desktop_app.voice.phrases import PhraseCatalogue
    from desktop_app.recognition.recognizer import load_recognizer

    from .main_window import MainWindow
    from .settings import AppSettings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Nepali Cash Reader")
    settings = settings or AppSettings.open()
    if options.language is not None:
        settings.language = options.language
    language = settings.language

    window_ref: list = []  # the speech backend may fail before the window exists

    def on_unavailable(exc) -> None:
        if window_ref:
            window_ref[0].report_audio_failure(exc)

    catalogue = PhraseCatalogue.load()
    speech_problems: list = []
    if options.speech is not None:
        speech = options.speech
        speech.volume, speech.rate = settings.volume, settings.rate
    else:
        from desktop_app.voice.checks import check_speech
        from desktop_app.voice.fallback import make_speech

        speech = make_speech(volume=settings.volume, rate=settings.rate, earcons_enabled=settings.earcons,
                             privacy=settings.privacy, on_unavailable=on_unavailable)
        speech_problems = check_speech(catalogue, speech)
    announcer = Announcer(catalogue, speech, language=language,
                          earcons=settings.earcons, privacy=settings.privacy)
    from desktop_app.teaching.loading import open_taught

    taught = open_taught(options.data_dir)
    recognizer, problems = load_recognizer(options.model, options.gallery, phrases=catalogue,
                                           extend=taught)
    for problem in problems + speech_problems:  # every file in the log, each kind said once
        log.warning("start-up problem %s: %s", problem.key, problem.message)
    problems = problems + to_tell(speech_problems)

    window = MainWindow(announcer, recognizer, settings, kiosk=options.kiosk, gallery_path=options.gallery,
                        taught=taught)
    window_ref.append(window)
    if options.kiosk or options.fullscreen:
        screen = window.screen()
        if screen is not None:
            # Without a window manager (a bare kiosk X session) full-screen is only a hint.
            window.setGeometry(screen.geometry())
        window.showFullScreen()
    else:
        window.show()
    window.activateWindow()
    if app.platformName() not in ("offscreen", "minimal"):  # they cannot raise and say so
        window.raise_()
    if start_delay_ms is None:
        window.start(options.source, problems)
    else:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(start_delay_ms, lambda: window.start(options.source, problems))
    app.aboutToQuit.connect(window.shutdown)
    return AppParts(app, window, announcer, recognizer, settings, problems)


def check_qt_binding() -> str | None:
    """A known-bad PySide6 build, named so the log says why the app may crash.

    PySide6 6.12.0 drops a reference to None on every call of a void C++ method when run on
    Python < 3.12 (where None is not immortal); a window repainting its preview then aborts
    with "none_dealloc" within minutes. 6.11.3 does not.
    """
    import PySide6

    if PySide6.__version__.startswith("6.12.") and sys.version_info < (3, 12):
        return (f"PySide6 {PySide6.__version__} on Python {sys.version_info.major}.{sys.version_info.minor} "
                "corrupts None's reference count and will crash; install PySide6-Essentials<6.12 "
                "or use Python 3.12+")
    return None


def start_delay_ms() -> int:
    """How long the window waits after the event loop starts before the welcome (see
    ``build_app``); ``NCR_START_DELAY_MS`` overrides it. The benchmark starts the app with it too."""
    return int(os.environ.get("NCR_START_DELAY_MS", "400"))


def run_app(options: AppOptions) -> int:
    """Runs the window until the user quits; returns the process exit status."""
    problem = check_qt_binding()
    if problem:
        log.error(problem)
    parts = build_app(options, start_delay_ms=start_delay_ms())
    try:
        return parts.app.exec()
    finally:
        parts.window.shutdown()
        speech = parts.announcer.speech
        if speech is not None:
            speech.close()
