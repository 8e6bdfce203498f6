"""Hold-to-scan: key presses and frame evidence in, one decision per hold out.

The session is a plain state machine driven by the caller's clock, so the window (monotonic
time) and headless replay (video time) run exactly the same logic.

Key handling (autorepeat, and X11's release/press pairs while a key is held) is
``held_key.HeldKey``'s: an unflagged release only ends the hold if no press follows within
``release_grace``.
"""
from __future__ import annotations

from dataclasses import dataclass

from desktop_app.scanning.decision import HoldVotes
from desktop_app.scanning.held_key import HeldKey
from desktop_app.recognition.evidence import Decision, FrameEvidence
from desktop_app.recognition.thresholds import DEFAULT, Thresholds
from desktop_app.timing import RELEASE_GRACE

IDLE, SCANNING, FINISHING, DONE = "idle", "scanning", "finishing", "done"


@dataclass(frozen=True)
class ScanEvent:
    """Something the user should hear about: a scan started, or a decision."""

    kind: str  # "started" | "decision" | "blocked" (a hold began while scanning cannot work)
    t: float
    decision: Decision | None = None
    hold_started: float = 0.0  # when the hold began, for time-to-announce


class ScanSession:
    release_grace = RELEASE_GRACE

    def __init__(self, thresholds: Thresholds = DEFAULT):
        self.th = thresholds
        self.state = IDLE
        self.key = HeldKey(self.release_grace)
        self.votes = HoldVotes(thresholds)
        self.hold_started = 0.0
        self._finish_by = 0.0
        self.last_decision: Decision | None = None

    # --- keys -------------------------------------------------------------------------
    def press(self, t: float, autorepeat: bool = False, blocked: bool = False) -> list[ScanEvent]:
        """A key press. ``blocked``: scanning cannot work now (no camera, no gallery); the hold
        is tracked like any other, so it gets one "blocked" event however long the key stays down."""
        if not self.key.press(autorepeat):
            return []
        if self.state in (SCANNING, FINISHING):
            return []  # pressed again during a tap burst: the same scan continues
        if blocked:
            self.state = DONE  # answered (with why not); nothing more until the key is released
            return [ScanEvent("blocked", t, hold_started=t)]
        self.state = SCANNING
        self.votes = HoldVotes(self.th)
        self.hold_started = t
        return [ScanEvent("started", t, hold_started=t)]

    def release(self, t: float, autorepeat: bool = False) -> list[ScanEvent]:
        self.key.release(t, autorepeat)
        return []

    @property
    def key_down(self) -> bool:
        return self.key.down

    # --- time and frames --------------------------------------------------------------
    @property
    def wants_frames(self) -> bool:
        return self.state in (SCANNING, FINISHING)

    @property
    def busy(self) -> bool:
        """Scanning, or a release still inside its autorepeat grace: a press now would be taken
        for autorepeat and swallowed, so a front end that queues commands waits."""
        return self.wants_frames or self.key.pending

    def add(self, evidence: FrameEvidence) -> list[ScanEvent]:
        events = self.tick(evidence.t)
        if not self.wants_frames or evidence.t < self.hold_started:
            return events  # a frame captured before the press says nothing about this hold
        decision = self.votes.add(evidence)
        if decision is not None:
            events.append(self._decide(decision))
        return events

    def tick(self, t: float) -> list[ScanEvent]:
        """Lets time pass: confirms pending releases, ends tap bursts and over-long holds."""
        events: list[ScanEvent] = []
        released = self.key.tick(t)
        if released is not None:
            events += self._real_release(released)
        if self.state == FINISHING and t >= self._finish_by:
            events.append(self._decide(self.votes.conclude(t)))
        elif self.state == SCANNING and t - self.hold_started >= self.th.max_hold:
            events.append(self._decide(self.votes.conclude(t, reason="held too long"), held_too_long=True))
        return events

    def _real_release(self, t: float) -> list[ScanEvent]:
        if self.state == DONE:
            self.state = IDLE
            return []
        if self.state != SCANNING:
            return []
        # A short tap still gets a short burst of frames; a long hold decides now.
        self._finish_by = max(t, self.hold_started + self.th.tap_burst)
        if self.votes.frames < 2:
            self._finish_by = max(self._finish_by, t + self.th.tap_burst / 2)
        self.state = FINISHING
        if t >= self._finish_by:
            return [self._decide(self.votes.conclude(t))]
        return []

    def _decide(self, decision: Decision, held_too_long: bool = False) -> ScanEvent:
        if held_too_long and decision.kind == "unsure":
            decision = Decision(
                "unsure", frames_used=decision.frames_used, hint="held_too_long", t=decision.t,
                reason=decision.reason,
            )
        self.last_decision = decision
        # Once per hold: while the key stays down nothing more is said until it is released.
        self.state = DONE if self.key_down else IDLE
        return ScanEvent("decision", decision.t, decision, self.hold_started)

    def cancel(self) -> None:
        self.state = IDLE
        self.key.reset()
