"""Which key does what, and how a user or attendant changes it (WCAG 2.1.4, character key
shortcuts): every single-character shortcut can be moved to another key, turned off (an empty
value), or all of them made to need Alt+Shift, from the settings file:

    [keys]
    repeat=R          ; another key, e.g. F5, or empty to turn it off
    require=alt_shift ; character shortcuts then need Alt+Shift (none: plain keys, the default)

Nothing here uses the screen readers' own keys: no Insert, CapsLock or numpad combinations
(Orca's and NVDA's modifiers), and Space with Ctrl, Alt or Meta is left to them.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

# command -> default key (QKeySequence text). The order is the order help lists them.
DEFAULT_KEYS: dict[str, tuple[str, ...]] = {
    "repeat": ("R",),
    "language": ("L",),
    "output": ("V",),
    "total": ("T",),
    "undo": ("U",),
    "add": ("A",),
    "clear": ("0",),
    "volume_up": ("+", "="),
    "volume_down": ("-", "_"),
    "faster": ("]",),
    "slower": ("[",),
    "larger": (">", "."),
    "smaller": ("<", ","),
    "help": ("F1",),
}
REQUIRE_NONE, REQUIRE_ALT_SHIFT = "none", "alt_shift"
_FORBIDDEN = {Qt.Key.Key_Insert, Qt.Key.Key_CapsLock, Qt.Key.Key_Space, Qt.Key.Key_Escape}


def key_of(text: str) -> Qt.Key | None:
    """One key from its name ("R", "F5", "+"); None for an empty or unknown name."""
    text = (text or "").strip()
    if not text:
        return None
    sequence = QKeySequence(text)
    if sequence.count() != 1:
        return None
    combo = sequence[0]
    if combo.keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
        return None  # a remap names a key; the modifiers come from "require"
    key = combo.key()
    return None if key in _FORBIDDEN or key == Qt.Key.Key_unknown else key


def is_character(key: Qt.Key) -> bool:
    """A key that types a character (letters, digits, punctuation): what 2.1.4 is about."""
    return 0x20 < int(key) < 0x7F


class KeyMap:
    def __init__(self, chosen: dict[str, str | None] | None = None, require: str = REQUIRE_NONE):
        """``chosen``: command -> key name ("" turns it off, None or absent keeps the default)."""
        self.require = require if require in (REQUIRE_NONE, REQUIRE_ALT_SHIFT) else REQUIRE_NONE
        self.keys: dict[str, tuple[Qt.Key, ...]] = {}
        for command, defaults in DEFAULT_KEYS.items():
            choice = (chosen or {}).get(command)
            names = defaults if choice is None else (choice,)
            self.keys[command] = tuple(k for k in (key_of(n) for n in names) if k is not None)

    def command_for(self, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> str | None:
        """The command a key press means, or None (the key goes on to Qt and the screen reader)."""
        if modifiers & Qt.KeyboardModifier.KeypadModifier:
            return None  # the numpad is Orca's flat review (desktop layout) and NVDA's review cursor
        alt_shift = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier
        held = modifiers & (alt_shift | Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier)
        for command, keys in self.keys.items():
            if key not in keys:
                continue
            if self.require == REQUIRE_ALT_SHIFT and is_character(key):
                return command if held & alt_shift == alt_shift and not held & ~alt_shift else None
            if held & ~Qt.KeyboardModifier.ShiftModifier:
                return None  # Ctrl/Alt/Meta combinations belong to menus and screen readers
            return command
        return None

    def names(self, command: str) -> str:
        """How help and labels name the key ("" when it is off)."""
        keys = self.keys.get(command, ())
        if not keys:
            return ""
        text = QKeySequence(keys[0]).toString()
        return f"Alt+Shift+{text}" if self.require == REQUIRE_ALT_SHIFT and is_character(keys[0]) else text
