"""The scan loop's wiring, once: keys, frame evidence and time in; announcements out.

The window, the terminal mode and headless replay all drive a ``ScanController``, so a hold
behaves the same everywhere: which frames are verified, what the kiosk trigger sees, and what
is said when a scan starts, decides, or the kiosk re-arms for the next customer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from desktop_app.voice.announcer import Announcer, Message
from desktop_app.recognition.evidence import FrameEvidence
from desktop_app.scanning.kiosk import AutoTrigger
from desktop_app.scanning.session import ScanEvent, ScanSession
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

SCAN, PRESENCE, OFF = "scan", "presence", "off"


@dataclass(frozen=True)
class Outcome:
    """A scan event and what was said about it (None: only a tone)."""

    event: ScanEvent
    message: Message | None


def presence_of(evidence: FrameEvidence, th: Thresholds = DEFAULT) -> float:
    """The kiosk's "is a note in view" signal: the model's, else a verified gallery match."""
    if evidence.model is not None:
        return evidence.model.presence
    v = evidence.verification
    return 1.0 if v.denomination and v.inliers >= th.min_inliers else 0.0


class ScanController:
    def __init__(self, announcer: Announcer, *, has_model: bool, kiosk: bool = False,
                 thresholds: Thresholds = DEFAULT):
        self.announcer = announcer
        self.th = thresholds
        self.has_model = has_model
        self.kiosk = kiosk
        self.session = ScanSession(thresholds)
        # Why scanning cannot work right now, said once per hold: (phrase key, params, advice
        # keys said after it). Set by the front end: no gallery, no camera, a broken video.
        self.problem: tuple[str, dict, tuple[str, ...]] | None = None
        self.trigger = AutoTrigger(self.session, thresholds) if kiosk else None
        # Called when the kiosk re-arms, before "next customer" is said (the kiosk's voice reset).
        self.on_rearm: Callable[[], None] | None = None

    @property
    def mode(self) -> str:
        """What the recogniser should do with the next frame."""
        if self.session.wants_frames:
            return SCAN
        if self.trigger is not None:
            # Without a model there is no cheap presence signal; verification stands in for it.
            return PRESENCE if self.has_model else SCAN
        return OFF

    def press(self, t: float, autorepeat: bool = False) -> list[Outcome]:
        return self._handle(self.session.press(t, autorepeat, blocked=self.problem is not None))

    def say_problem(self, problem: tuple[str, dict, tuple[str, ...]] | None = None) -> Message | None:
        """Says why scanning cannot work (the given problem, or the current one)."""
        problem = problem or self.problem
        if problem is None:
            return None
        key, params, advice = problem
        return self.announcer.error(key, then=advice, **params)

    def release(self, t: float, autorepeat: bool = False) -> list[Outcome]:
        return self._handle(self.session.release(t, autorepeat))

    def tick(self, t: float) -> list[Outcome]:
        return self._handle(self.session.tick(t))

    def add(self, evidence: FrameEvidence, mode: str) -> list[Outcome]:
        """One evaluated frame; ``mode`` is the mode it was evaluated in (verified or not)."""
        events: list[ScanEvent] = []
        if self.trigger is not None:
            events += self.trigger.observe(presence_of(evidence, self.th), evidence.t,
                                           blocked=self.problem is not None)
        if mode == SCAN:
            events += self.session.add(evidence)
        return self._handle(events)

    def cancel(self) -> None:
        """The frames stopped meaning anything (camera lost, source changed)."""
        self.session.cancel()

    def _handle(self, events: list[ScanEvent]) -> list[Outcome]:
        outcomes = []
        for event in events:
            message = None
            if event.kind == "started":
                if self.trigger is not None and self.trigger.state == "scanning":
                    message = self.announcer.say("kiosk.scanning")
                else:
                    # A person holding Space hears only the start tone: words would delay the answer.
                    self.announcer.scan_started()
            elif event.kind == "blocked":
                message = self.say_problem()
            elif event.kind == "decision" and event.decision is not None:
                message = self.announcer.announce(event.decision)
            elif event.kind == "rearmed":
                if self.on_rearm is not None:
                    self.on_rearm()
                self.announcer.tally.reset()  # a new customer starts from nothing
                message = self.announcer.say("kiosk.next_customer")
            outcomes.append(Outcome(event, message))
        return outcomes
