"""Who speaks, in the window: the output mode chosen in the Speech menu or by V, remembered,
or (until the user chooses) following whether a screen reader runs, watched while the app runs.

``NCR_SCREEN_READER=1`` or ``0`` overrides detection (tests, and a kiosk image that knows).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup

from desktop_app.voice import screen_reader as detect
from desktop_app.voice.output_mode import APP, MODE_PHRASE, MODES, default_mode, next_mode
from desktop_app.voice.reader_speech import NvdaSink, SpeechDispatcherSink

from .labels import keyed_label, label

log = logging.getLogger("desktop_app.ui")

screen_reader_running = detect.screen_reader_running  # NCR_SCREEN_READER=1/0 overrides it


class OutputControl(QObject):
    _changed = Signal(bool)  # from the watcher thread

    def __init__(self, window, announcer, settings, bridge, *, probe=screen_reader_running, watch: bool = True):
        super().__init__(window)
        self.announcer = announcer
        self.settings = settings
        self.bridge = bridge
        self.reader_running = bool(probe())
        chosen = settings.output_mode
        self.mode = chosen or default_mode(self.reader_running)
        self.direct = None  # a sink for the screen reader's own speech path, when one is used
        self.path = detect.ANNOUNCEMENT
        self._apply()
        self._changed.connect(self._on_reader_changed)
        self.watcher = None
        if watch and detect.forced_screen_reader() is None:
            self.watcher = detect.ScreenReaderWatcher(self._changed.emit, probe=probe,
                                                      initial=self.reader_running).start()
        self.menu = window.speech_menu.addMenu("")
        group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for mode in MODES:
            action = QAction(self, checkable=True)
            action.triggered.connect(lambda _=False, m=mode: self.choose(m))
            group.addAction(action)
            self.menu.addAction(action)
            self.actions[mode] = action
        self._check()

    # --- what the user does ---------------------------------------------------------------
    def choose(self, mode: str, *, remember: bool = True) -> None:
        self.mode = mode
        if remember:
            self.settings.output_mode = mode
        self._apply()
        self._check()
        self.announcer.say(MODE_PHRASE[mode])

    def cycle(self) -> None:
        self.choose(next_mode(self.mode))

    def phrases(self) -> tuple[str, str]:
        """What the welcome adds: who speaks, and how to change it."""
        return MODE_PHRASE[self.mode], "output.how"

    # --- plumbing ---------------------------------------------------------------------
    def _apply(self) -> None:
        self.announcer.output_mode = self.mode
        path = detect.reader_path(self.settings.reader_path) if self.mode != APP else detect.ANNOUNCEMENT
        if path != self.path:
            if self.direct is not None:
                self.announcer.screen_reader.remove(self.direct)
                self.direct.close()
            connect = {detect.SPEECHD: SpeechDispatcherSink.connect, detect.NVDA: NvdaSink.connect}.get(path)
            self.direct = connect() if connect else None
            if self.direct is not None:
                self.announcer.screen_reader.append(self.direct)
            self.path = path
        # Words go one way to the screen reader, never both ways at once.
        self.bridge.enabled = self.direct is None
        log.info("output mode %s, screen reader path %s", self.mode,
                 path if self.direct is not None else detect.ANNOUNCEMENT)

    def _check(self) -> None:
        for mode, action in self.actions.items():
            action.setChecked(mode == self.mode)

    def _on_reader_changed(self, running: bool) -> None:
        self.reader_running = running
        if self.settings.output_mode is None:  # the user has not chosen: follow the screen reader
            self.choose(default_mode(running), remember=False)

    def retranslate(self, lang: str) -> None:
        text, name, description = keyed_label("menu.output", lang, self.parent().keymap.names("output"))
        self.menu.setTitle(text)
        self.menu.setAccessibleName(name)
        self.menu.setAccessibleDescription(description)
        for mode, action in self.actions.items():
            text, _name, description = label(f"action.output.{mode}", lang)
            action.setText(text)
            action.setStatusTip(description)
            action.setToolTip(description)

    def shutdown(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.direct is not None:
            self.direct.close()
