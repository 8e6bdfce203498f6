"""The running total, once for the window, the terminal and the kiosk (Qt-free).

Counting is explicit. A scan's value is added once (a hold decides once). The same value again
within ``RESCAN_WINDOW`` seconds of the last counted note is most likely the same note scanned
again, so it is not added; the user is told, and A adds it after all (two notes of the same
value in a row). U takes back the last counted note; 0 asks once, and a second 0 within
``CLEAR_CONFIRM`` seconds clears.
"""
from __future__ import annotations

from desktop_app.timing import CLEAR_CONFIRM, RESCAN_WINDOW

COUNTED, HELD_BACK = "counted", "held_back"


class Tally:
    def __init__(self, *, rescan_window: float = RESCAN_WINDOW, clear_confirm: float = CLEAR_CONFIRM):
        self.rescan_window = rescan_window
        self.clear_confirm = clear_confirm
        self.notes: list[int] = []  # counted values, oldest first
        self.held_back: int | None = None  # a rescan not added; A adds it
        self._last: tuple[int, float] | None = None  # value and time of the last scan of a note
        self._clear_asked: float | None = None

    @property
    def total(self) -> int:
        return sum(self.notes)

    def scanned(self, value: int, t: float) -> str:
        """A hold named a note: COUNTED, or HELD_BACK when it looks like the same note again."""
        self._clear_asked = None
        last, self._last = self._last, (value, t)
        if last is not None and last[0] == value and t - last[1] < self.rescan_window and self.notes:
            self.held_back = value
            return HELD_BACK
        self.held_back = None
        self.notes.append(value)
        return COUNTED

    def add_held_back(self) -> int | None:
        """A: the held-back rescan was a second note after all."""
        value, self.held_back = self.held_back, None
        if value is not None:
            self.notes.append(value)
        return value

    def undo(self) -> int | None:
        """U: takes back the last counted note (None: nothing counted)."""
        self.held_back = None
        self._last = None
        return self.notes.pop() if self.notes else None

    def clear(self, t: float) -> bool:
        """0: True when cleared; False when this press only asked (or there was nothing)."""
        if not self.notes:
            self.reset()
            return True
        if self._clear_asked is not None and t - self._clear_asked <= self.clear_confirm:
            self.reset()
            return True
        self._clear_asked = t
        return False

    def reset(self) -> None:
        """Nothing counted: a new customer (kiosk) or a confirmed clear."""
        self.notes.clear()
        self.held_back = None
        self._last = None
        self._clear_asked = None
