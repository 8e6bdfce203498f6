"""The menu bar: File (open a video, teach a note, pick a camera, quit) and Speech (volume, rate, tones,
privacy). The keys themselves are handled by the key router; the menus show them and offer the
same commands to mouse users."""
from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from .accessibility import set_accessible
from .labels import keyed_label, label
from .settings import RATE_STEP, VOLUME_STEP

CAMERA_CHOICES = 4


class Menus:
    def __init__(self, window, announcer):
        self.keymap = window.keymap
        bar = window.menuBar()
        self.file_menu = bar.addMenu("")
        self.open_action = QAction(window, triggered=window.open_video)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.file_menu.addAction(self.open_action)
        self.teach_action = QAction(window, triggered=window.teach.start)
        self.teach_action.setShortcut(QKeySequence("Ctrl+T"))
        self.file_menu.addAction(self.teach_action)
        self.camera_menu = self.file_menu.addMenu("")
        group = QActionGroup(window)
        self.camera_actions: list[QAction] = []
        for index in range(CAMERA_CHOICES):
            action = QAction(window, checkable=True)
            action.triggered.connect(lambda _=False, i=index: window.use_camera(i))
            group.addAction(action)
            self.camera_menu.addAction(action)
            self.camera_actions.append(action)
        self.file_menu.addSeparator()
        self.quit_action = QAction(window, triggered=window.quit_from_menu)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.file_menu.addAction(self.quit_action)

        self.speech_menu = bar.addMenu("")
        self.volume_up_action = QAction(window, triggered=lambda: window.speech_controls.change_volume(+VOLUME_STEP))
        self.volume_down_action = QAction(window, triggered=lambda: window.speech_controls.change_volume(-VOLUME_STEP))
        self.faster_action = QAction(window, triggered=lambda: window.speech_controls.change_rate(+RATE_STEP))
        self.slower_action = QAction(window, triggered=lambda: window.speech_controls.change_rate(-RATE_STEP))
        self.earcons_action = QAction(window, checkable=True)
        self.earcons_action.setChecked(announcer.earcons)
        self.earcons_action.toggled.connect(window.speech_controls.set_earcons)
        self.privacy_action = QAction(window, checkable=True)
        self.privacy_action.setChecked(announcer.privacy)
        self.privacy_action.toggled.connect(window.speech_controls.set_privacy)
        for action in (self.volume_up_action, self.volume_down_action, self.faster_action, self.slower_action):
            self.speech_menu.addAction(action)
        self.speech_menu.addSeparator()
        self.speech_menu.addAction(self.earcons_action)
        self.speech_menu.addAction(self.privacy_action)

    def check_camera(self, index: int) -> None:
        """Marks the camera that plays (-1: none does)."""
        for i, action in enumerate(self.camera_actions):
            action.setChecked(i == index)

    def retranslate(self, lang: str) -> None:
        for menu, item in ((self.file_menu, "menu.file"), (self.camera_menu, "menu.camera"),
                           (self.speech_menu, "menu.speech")):
            text, name, description = label(item, lang)
            menu.setTitle(text)
            set_accessible(menu, name, description)
        for action, item in (
            (self.open_action, "action.open"), (self.teach_action, "action.teach"),
            (self.quit_action, "action.quit"),
            (self.volume_up_action, "action.volume_up"), (self.volume_down_action, "action.volume_down"),
            (self.faster_action, "action.faster"), (self.slower_action, "action.slower"),
            (self.earcons_action, "action.earcons"), (self.privacy_action, "action.privacy"),
        ):
            command = item.removeprefix("action.")
            text, _name, description = keyed_label(item, lang, self.keymap.names(command))
            action.setText(text)
            action.setToolTip(description)
            action.setStatusTip(description)
        for index, action in enumerate(self.camera_actions):
            text, _name, description = label("action.camera", lang, n=index)
            action.setText(text)
            action.setStatusTip(description)
