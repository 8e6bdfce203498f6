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
_ATTENDANT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier  # Ctrl+Alt+Q quits, +T teaches


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
        if self.enabled and (kind == QEvent.Type.ApplicationDeactivate
                             or (kind == QEvent.Type.WindowDeactivate and obj is self.window)):
            # Space held while focus goes elsewhere: its release goes to the other window and
            # never comes here, so losing focus is the release (a no-op when Space is up).
            self.window.release(self._clock(), False)
            return False
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or not self.enabled:
            return False
        if not self._owns(obj):
            return False  # dialogs and menus keep their own keys
        return self._key(event, kind == QEvent.Type.KeyPress)

    def _commands(self) -> dict:
        w = self.window
        a = w.announcer
        return {
            "repeat": w.repeat,
            "language": w.toggle_language,
            "output": w.output.cycle,
            "total": a.say_total,
            "undo": a.undo_count,
            "add": a.add_held_back,
            "clear": a.clear_total,
            "volume_up": lambda: w.speech_controls.change_volume(+VOLUME_STEP),
            "volume_down": lambda: w.speech_controls.change_volume(-VOLUME_STEP),
            "faster": lambda: w.speech_controls.change_rate(+RATE_STEP),
            "slower": lambda: w.speech_controls.change_rate(-RATE_STEP),
            "larger": lambda: w.appearance.change(+1),
            "smaller": lambda: w.appearance.change(-1),
            "help": w.say_help,
        }

    def _handler(self, event: QKeyEvent):
        key = event.key()
        if key == Qt.Key.Key_Escape and not event.modifiers() & _COMMAND_MODS:
            return self.window.escape
        command = self.window.keymap.command_for(key, event.modifiers())
        return self._commands()[command] if command else None

    def _key(self, event: QKeyEvent, pressed: bool) -> bool:
        key = event.key()
        command = event.modifiers() & _COMMAND_MODS
        now = self._clock()
        if self.window.kiosk and pressed and not event.isAutoRepeat():
            self.window.announcer.stop()  # any key interrupts the kiosk's speech (ADA 707.5)
        if pressed and self.window.teach.key(event):
            return True  # the value step of teach mode: 1-7 choose, other keys say which work
        if key == Qt.Key.Key_Space and command and pressed:
            return False  # Ctrl/Alt/Meta+Space are screen-reader and desktop commands, never a scan
        if key == Qt.Key.Key_Space:
            if pressed:
                self.window.press(now, event.isAutoRepeat())
            else:
                self.window.release(now, event.isAutoRepeat())
            return True  # never reaches a focused button
        if key in (Qt.Key.Key_Q, Qt.Key.Key_T) and command == _ATTENDANT:
            if pressed and not event.isAutoRepeat():
                if key == Qt.Key.Key_Q:
                    self.window.quit_now()  # the documented admin combination; the only way out of a kiosk
                else:
                    self.window.teach.start(attendant=True)  # teaching a kiosk is the attendant's
            return True
        handler = self._handler(event)
        if handler is None and command:
            return False  # Ctrl+O, Ctrl+Q and menu accelerators go to their actions
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
