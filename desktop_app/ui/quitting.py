"""Quitting asks first: Escape (or the window manager's close button) arms a question, a second
Escape within QUIT_CONFIRM quits, any other command cancels it, and it lapses quietly.
A kiosk cannot be quit this way at all (only by the admin combination)."""
from __future__ import annotations

from desktop_app.timing import QUIT_CONFIRM


class QuitGuard:
    def __init__(self, announcer, clock, *, kiosk: bool):
        self.announcer = announcer
        self._clock = clock
        self.kiosk = kiosk
        self._armed_until: float | None = None

    def escape(self) -> bool:
        """True when this Escape confirms the question asked by the one before."""
        if self.kiosk:
            return False  # a customer must not be able to close the kiosk
        now = self._clock()
        if self._armed_until is not None and now <= self._armed_until:
            return True
        self._armed_until = now + QUIT_CONFIRM
        self.announcer.say("quit.confirm")
        return False

    def cancel(self) -> None:
        if self._armed_until is not None:
            self._armed_until = None
            self.announcer.say("quit.cancelled")

    def tick(self, now: float) -> None:
        if self._armed_until is not None and now > self._armed_until:
            self._armed_until = None  # the question lapses quietly
