"""Key routing: an application-wide event filter, so Space scans wherever the focus is.

A focused button never sees Space (and so is never clicked by it); Enter clicks it instead.
Dialogs and menus keep their own keys. Every key event is stamped with the window's clock
(``time.monotonic()``), the clock the capture thread stamps frames with.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from .settings import RATE_STEP, VOLUME_STEP

_COMMAND_MODS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
_ADMIN_QUIT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


class KeyRouter(QObject):
    """Turns key events on ``window`` into its commands (``press``/``release`` for Space)."""

    def __init__(self, window, clock):
        super().__init__(window)
        self.window = window
        self._clock = clock
        self.enabled = True

    def install(self) -> None:
        QApplication.instance().installEventFilter(self)

    def remove(self) -> None:
        self.enabled = False
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _owns(self, obj: QObject) -> bool:
        if isinstance(obj, QWidget):
            return obj.window() is self.window
        if isinstance(obj, QWindow):
            return obj is self.window.windowHandle()
        return False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or not self.enabled:
            return False
        if not self._owns(obj):
            return False  # dialogs and menus keep their own keys
        return self._key(event, kind == QEvent.Type.KeyPress)

    def _handlers(self) -> dict:
        w = self.window
        return {
            Qt.Key.Key_R: w.repeat,
            Qt.Key.Key_L: w.toggle_language,
            Qt.Key.Key_Plus: lambda: w.speech_controls.change_volume(+VOLUME_STEP),
            Qt.Key.Key_Equal: lambda: w.speech_controls.change_volume(+VOLUME_STEP),
            Qt.Key.Key_Minus: lambda: w.speech_controls.change_volume(-VOLUME_STEP),
            Qt.Key.Key_Underscore: lambda: w.speech_controls.change_volume(-VOLUME_STEP),
            Qt.Key.Key_BracketRight: lambda: w.speech_controls.change_rate(+RATE_STEP),
            Qt.Key.Key_BracketLeft: lambda: w.speech_controls.change_rate(-RATE_STEP),
            Qt.Key.Key_F1: w.say_help,
            Qt.Key.Key_V: w.output.cycle,
            Qt.Key.Key_Escape: w.escape,
        }

    def _key(self, event: QKeyEvent, pressed: bool) -> bool:
        key = event.key()
        command = event.modifiers() & _COMMAND_MODS
        now = self._clock()
        if key == Qt.Key.Key_Space:
            if pressed:
                self.window.press(now, event.isAutoRepeat())
            else:
                self.window.release(now, event.isAutoRepeat())
            return True  # never reaches a focused button
        if key == Qt.Key.Key_Q and command == _ADMIN_QUIT:
            if pressed and not event.isAutoRepeat():
                self.window.quit_now()  # the documented admin combination; the only way out of a kiosk
            return True
        if command:
            return False  # Ctrl+O, Ctrl+Q and menu accelerators go to their actions
        handler = self._handlers().get(key)
        if handler is None and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = QApplication.focusWidget()
            if (isinstance(focused, QAbstractButton) and focused.window() is self.window
                    and focused is not self.window.scan_button):
                handler = focused.animateClick  # Space no longer activates buttons, so Enter does
        if handler is None:
            return False
        if pressed and not event.isAutoRepeat():
            if key != Qt.Key.Key_Escape:
                self.window.quit_guard.cancel()
            handler()
        return True
