"""Teaching a note step by step, by keys and voice alone (Qt-free; the window drives it).

    start -> "value": keys 1-7 pick Rs 5 ... Rs 1000 (said back)
          -> "side" 1: hold Space; frames are examined while it is down ("collecting")
          -> enough views of this side: "turn the note over", "side" 2, collecting again
          -> "checking": the caller runs ``Teacher.learn`` off the UI thread, then ``finish``
          -> "done"
    Escape (``cancel``) at any step before the check ends it and nothing is saved.

Frames flow one way, as in scanning: the source's frame is examined (``views.examine``, on the
recognition thread), the Examined result comes here, and this session tells the announcer.
Guidance ("hold still", "show the whole note") is said once per hold, and only after a run of
frames that all failed the same way, so a person is not talked over while adjusting the note.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from desktop_app.recognition.evidence import DENOMINATIONS
from desktop_app.teaching.checks import same_note
from desktop_app.teaching.store import View
from desktop_app.teaching.teacher import spoken
from desktop_app.teaching.views import Examined
from desktop_app.timing import TEACH_GUIDANCE_AFTER, TEACH_VIEW_SPACING

VIEWS_PER_SIDE = 3
SIDE_LABELS = ("first", "second")  # which side is the front is not known; the order is

VALUE, SIDE, COLLECTING, CHECKING, DONE = "value", "side", "collecting", "checking", "done"


@dataclass
class TeachRequest:
    """What the session asks the caller to check and keep."""

    value: str
    views: list[View] = field(default_factory=list)


class TeachSession:
    def __init__(self, announcer, *, views_per_side: int = VIEWS_PER_SIDE):
        self.announcer = announcer
        self.views_per_side = views_per_side
        self.state = DONE
        self.value: str | None = None
        self.side = 0  # index into SIDE_LABELS
        self.views: list[View] = []
        self.outcome = None
        self._last_kept = -1e9
        self._problem_since: float | None = None
        self._problem: str | None = None
        self._told = False  # guidance already said in this hold
        self.last_quad = None  # outline found in the latest frame, for the preview

    # --- what the window asks ------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.state != DONE

    @property
    def wants_frames(self) -> bool:
        return self.state == COLLECTING

    @property
    def side_label(self) -> str:
        return SIDE_LABELS[self.side]

    def side_views(self) -> list[View]:
        return [v for v in self.views if v.side == self.side_label]

    # --- steps ----------------------------------------------------------------------------
    def start(self) -> None:
        self.state, self.value, self.side, self.views, self.outcome = VALUE, None, 0, [], None
        self.announcer.say("teach.start")

    def choose(self, digit: int) -> None:
        """A number key in the value step: 1 = Rs 5 ... 7 = Rs 1000."""
        if self.state != VALUE:
            return
        if not 1 <= digit <= len(DENOMINATIONS):
            self.announcer.say("teach.bad_key")
            return
        self.value = DENOMINATIONS[digit - 1]
        self.state = SIDE
        self.announcer.say("teach.value", value=int(self.value))

    def other_key(self) -> None:
        """Any other key in the value step says which keys work."""
        if self.state == VALUE:
            self.announcer.say("teach.bad_key")

    def press(self, t: float) -> None:
        if self.state == VALUE:
            self.announcer.say("teach.bad_key")
        elif self.state == SIDE:
            self.state = COLLECTING
            self._problem_since, self._problem, self._told = None, None, False
            self.announcer.tone("start")

    def release(self, t: float, *, quiet: bool = False) -> None:
        """Space let go. ``quiet``: the front end has said why no picture could come."""
        if self.state != COLLECTING:
            return
        self.state = SIDE
        self.last_quad = None
        if not self._told and not quiet:
            # Let go too early: say why no picture was kept, else to keep holding.
            self.announcer.say(self._problem or "teach.keep_holding")

    def add(self, examined: Examined, t: float) -> TeachRequest | None:
        """One examined frame while Space is held. Returns the request to check and keep when
        both sides have enough views."""
        if self.state != COLLECTING:
            return None
        self.last_quad = examined.quad
        problem = examined.problem
        if problem is None and examined.view is not None:
            if t - self._last_kept < TEACH_VIEW_SPACING:
                return None  # a near-copy of the last picture adds nothing; wait for another
            problem = self._unfit(examined.view)
            if problem is None:
                return self._keep(examined.view, t)
        if problem != self._problem:
            self._problem, self._problem_since = problem, t
        elif (not self._told and self._problem_since is not None
              and t - self._problem_since >= TEACH_GUIDANCE_AFTER):
            self._told = True
            self.announcer.say(problem)
        return None

    def _unfit(self, view: View) -> str | None:
        """Why this view cannot join the side being collected: another note, or (on the
        second side) the side already shown."""
        mine = self.side_views()
        if mine:
            return None if same_note(view, mine[0])[0] else "teach.same_note"
        if self.side > 0:
            first = [v for v in self.views if v.side == SIDE_LABELS[0]]
            if first and same_note(view, first[0])[0]:
                return "teach.turn_over"
        return None

    def _keep(self, view: View, t: float) -> TeachRequest | None:
        from dataclasses import replace

        self.views.append(replace(view, side=self.side_label))
        self._last_kept = t
        self._problem, self._problem_since = None, None
        self.announcer.tone("tick")
        if len(self.side_views()) < self.views_per_side:
            return None
        if self.side + 1 < len(SIDE_LABELS):
            self.side += 1
            self.state = SIDE
            self._told = True  # nothing more to say in this hold
            self.announcer.say("teach.other_side")
            return None
        self.state = CHECKING
        self._told = True
        self.announcer.say("teach.checking")
        return TeachRequest(self.value, list(self.views))

    def finish(self, outcome) -> None:
        """The check's outcome (``teacher.Outcome``): said, and the session ends."""
        if self.state != CHECKING:
            return
        self.outcome = outcome
        self.state = DONE
        say = self.announcer.say if outcome.ok else self.announcer.error
        say(outcome.key, **spoken(outcome.params))

    def cancel(self) -> bool:
        """Escape: ends the session before anything is saved. False when there is nothing to
        cancel (the check is already running: its result will be said)."""
        if self.state in (DONE, CHECKING):
            return False
        self.state, self.views, self.last_quad = DONE, [], None
        self.announcer.say("teach.cancelled")
        return True

