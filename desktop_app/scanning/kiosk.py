"""The kiosk's own trigger: scan when a note is shown, re-arm when it is taken away.

It turns the model's presence signal into the same press/release calls a person makes with
Space, so a kiosk runs exactly the scan logic of the desktop app.
"""
from __future__ import annotations

from desktop_app.scanning.session import ScanEvent, ScanSession
from desktop_app.recognition.thresholds import DEFAULT, Thresholds
from desktop_app.timing import KIOSK_SCAN_LENGTH

ARMED, SCANNING, WAIT_CLEAR = "armed", "scanning", "wait_clear"
# Video timestamps are index / fps, so 1.4 - 1.0 can come out as 0.3999...; without a little
# slack a note would settle one frame late on some frame rates and not others.
_EPS = 1e-6


class AutoTrigger:
    scan_length = KIOSK_SCAN_LENGTH

    def __init__(self, session: ScanSession, thresholds: Thresholds = DEFAULT):
        self.session = session
        self.th = thresholds
        self.state = ARMED
        self._present_since: float | None = None
        self._clear_since: float | None = None

    def observe(self, presence: float, t: float, blocked: bool = False) -> list[ScanEvent]:
        """Feed the model's presence for a frame; returns scan events (start) to announce.

        ``blocked``: scanning cannot work now (no gallery, say). The customer's note still starts
        a virtual hold, so they hear the real problem once, not "Scanning" then "Not sure"."""
        if self.state == ARMED:
            if presence >= self.th.presence_on:
                if self._present_since is None:
                    self._present_since = t
                if t - self._present_since + _EPS >= self.th.kiosk_settle:
                    self.state = SCANNING
                    self._present_since = None
                    events = self.session.press(t, blocked=blocked)
                    self.session.release(t + self.scan_length)
                    return events
            else:
                self._present_since = None
            return []
        if self.state == SCANNING:
            if not self.session.wants_frames and self.session.state == "idle":
                self.state = WAIT_CLEAR
                self._clear_since = None
            return []
        # WAIT_CLEAR: the same customer's note is still there; wait until the view is empty.
        if presence <= self.th.presence_off:
            if self._clear_since is None:
                self._clear_since = t
            if t - self._clear_since + _EPS >= self.th.kiosk_settle:
                self.state = ARMED
                self._clear_since = None
                return [ScanEvent("rearmed", t)]
        else:
            self._clear_since = None
        return []
