"""One held key, as a person means it: Qt sends autorepeat presses and releases while a key is
held, and some Linux setups deliver them as genuine-looking release/press pairs.
Autorepeat-flagged events are ignored; an unflagged release only counts if no press follows
within ``grace``. The scan session and teach mode's Space both hear the key through this."""
from __future__ import annotations

from desktop_app.timing import RELEASE_GRACE


class HeldKey:
    def __init__(self, grace: float = RELEASE_GRACE):
        self.grace = grace
        self.down = False
        self._release_at: float | None = None  # pending unflagged release

    @property
    def pending(self) -> bool:
        """A release still inside its grace: a press now would be taken for autorepeat."""
        return self._release_at is not None

    @property
    def busy(self) -> bool:
        return self.down or self.pending

    def press(self, autorepeat: bool = False) -> bool:
        """True for a real new press."""
        if autorepeat:
            return False
        if self._release_at is not None:
            # A release followed at once by a press: X11 autorepeat in disguise; the hold goes on.
            self._release_at = None
            return False
        if self.down:
            return False
        self.down = True
        return True

    def release(self, t: float, autorepeat: bool = False) -> None:
        if self.down and not autorepeat:
            self._release_at = t

    def tick(self, t: float) -> float | None:
        """When a release is confirmed now, the time it happened."""
        if self._release_at is None or t - self._release_at < self.grace:
            return None
        released, self._release_at, self.down = self._release_at, None, False
        return released

    def reset(self) -> None:
        self.down = False
        self._release_at = None
