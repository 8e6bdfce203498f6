"""Text size and contrast: sizes follow the system font (not fixed points) times the user's
scale (> and < keys, or the View menu; remembered), and colours follow the system's
high-contrast setting when it asks for one, otherwise the app's own yellow on black."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication

from .labels import keyed_label

SCALE_STEP = 1.25
SCALE_RANGE = (0.5, 3.2)
# Sizes as multiples of the system font; on a 10 pt desktop these are the former fixed sizes.
RELATIVE = {"result": 5.6, "status": 2.0, "preview": 2.0, "button": 1.6, "menu": 1.4}

COLOURS = """
QMainWindow, QWidget#central {{ background: #000000; }}
QLabel#result {{ color: #FFFF00; background: #000000; }}
QLabel#result:focus {{ border: 4px solid #00FFFF; }}
QLabel#status {{ color: #FFFFFF; background: #000000; }}
QLabel#preview {{ background: #202020; color: #FFFFFF; }}
QListWidget#history {{ color: #FFFFFF; background: #000000; }}
QListWidget#history:focus {{ border: 4px solid #00FFFF; }}
QPushButton {{ color: #000000; background: #FFFF00; border: 3px solid #FFFFFF; border-radius: 6px; }}
QPushButton:focus {{ border: 5px solid #00FFFF; }}
QPushButton:pressed, QPushButton:checked {{ background: #FFA500; }}
"""
SIZES = """
QLabel#result {{ font-size: {result}pt; font-weight: bold; padding: 12px; }}
QLabel#status {{ font-size: {status}pt; padding: 6px; }}
QLabel#preview {{ font-size: {preview}pt; }}
QListWidget#history {{ font-size: {status}pt; }}
QPushButton {{ font-size: {button}pt; font-weight: bold; padding: 10px 16px; }}
QMenuBar, QMenu {{ font-size: {menu}pt; }}
"""


def system_high_contrast() -> bool:
    hints = QGuiApplication.styleHints()
    try:
        return hints.accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast
    except AttributeError:  # Qt before 6.10 cannot say
        return False


def stylesheet(base_pt: float, scale: float, high_contrast: bool) -> str:
    sizes = {name: round(base_pt * factor * scale, 1) for name, factor in RELATIVE.items()}
    # The system's high-contrast theme is the user's own choice of colours: keep out of its way.
    return ("" if high_contrast else COLOURS.format()) + SIZES.format(**sizes)


class Appearance:
    def __init__(self, window, settings):
        self.window = window
        self.settings = settings
        self.scale = settings.text_scale
        self.larger_action = QAction(window, triggered=lambda: self.change(+1))
        self.smaller_action = QAction(window, triggered=lambda: self.change(-1))
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "accessibility"):
            hints.accessibility().contrastPreferenceChanged.connect(lambda *_: self.apply())

    @property
    def base_pt(self) -> float:
        size = QGuiApplication.font().pointSizeF()
        return size if size > 0 else 10.0

    def apply(self) -> None:
        self.window.setStyleSheet(stylesheet(self.base_pt, self.scale, system_high_contrast()))

    def change(self, steps: int) -> None:
        low, high = SCALE_RANGE
        self.scale = round(min(high, max(low, self.scale * SCALE_STEP ** steps)), 3)
        self.settings.text_scale = self.scale
        self.apply()
        self.window.announcer.say("text.size", percent=round(self.scale * 100))

    def add_to(self, menu) -> None:
        menu.addSeparator()
        menu.addAction(self.larger_action)
        menu.addAction(self.smaller_action)

    def retranslate(self, lang: str) -> None:
        for action, item in ((self.larger_action, "action.larger"), (self.smaller_action, "action.smaller")):
            text, _name, description = keyed_label(item, lang, self.window.keymap.names(item.removeprefix("action.")))
            action.setText(text)
            action.setStatusTip(description)
            action.setToolTip(description)
