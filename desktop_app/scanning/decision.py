"""Turning per-frame evidence into one answer: a value, "no note seen", or "not sure".

The rules (thresholds in ``thresholds.py``):
- A frame counts for a denomination only if the verifier accepted it (enough validated inliers
  and a clear margin over every other denomination).
- A still photo is named when its one frame is accepted (``decide_still``); ``classify`` and the
  evaluation use exactly this.
- A hold is named as soon as ``agree_frames`` accepted frames name the same denomination, or one
  accepted frame is strong on its own (never one whose placement was refitted: its inliers are
  not ratio-test matches); any accepted frame naming another denomination vetoes the
  hold for good, because two disagreeing "sure" frames mean one of them was wrong.
- ... and only while the frames that placed a note but named no value are not more than
  ``unnamed_per_named`` per accepted frame: that is how a design the gallery does not know
  looks (placed by the artwork all values share, named now and then by chance).
- Otherwise, when the hold ends: "no note seen" if the model saw no note in most frames (and the
  verifier found nothing), else "not sure" with the most common reason as a hint.
"""
from __future__ import annotations

from collections import Counter

from desktop_app.recognition.evidence import Decision, FrameEvidence
from desktop_app.recognition.thresholds import DEFAULT, Thresholds


def _margin(evidence: FrameEvidence) -> float:
    v = evidence.verification
    if v.runner_up_score <= 0:
        return float("inf")
    return v.score / v.runner_up_score


def is_strong(evidence: FrameEvidence, th: Thresholds = DEFAULT) -> bool:
    v = evidence.verification
    # A refitted placement's inliers are guided, not ratio-test, matches: the strong bar was
    # measured on the latter, so such a frame always waits for another to agree.
    return (v.accepted and not v.refined and v.inliers >= th.strong_inliers
            and _margin(evidence) >= th.strong_margin)


def _confidence(evidence: FrameEvidence, th: Thresholds) -> float:
    """A 0..1 figure for reports: how far past the acceptance bar the frame was."""
    v = evidence.verification
    if not v.accepted:
        return 0.0
    by_inliers = min(1.0, v.inliers / max(1, th.strong_inliers))
    by_margin = min(1.0, _margin(evidence) / th.strong_margin)
    return round(0.5 * by_inliers + 0.5 * by_margin, 3)


def _looks_empty(evidence: FrameEvidence, th: Thresholds) -> bool:
    v = evidence.verification
    if v.denomination is not None:
        return False
    if evidence.model is not None:
        return evidence.model.presence < th.presence_off
    return v.keypoints < th.empty_view_keypoints


def _hint(evidences: list[FrameEvidence], th: Thresholds = DEFAULT) -> str | None:
    if not evidences:
        return None
    n = len(evidences)
    dark = sum(e.quality.too_dark for e in evidences)
    blurred = sum(e.quality.blurred for e in evidences)
    if dark * 2 > n:
        return "too_dark"
    if blurred * 2 > n:
        return "blurred"
    hints = Counter(e.verification.hint for e in evidences if e.verification.hint)
    if hints:
        hint, count = hints.most_common(1)[0]
        if count * 2 >= n:
            return hint
    # The model sees a note in most frames but no reference could be placed on it: the
    # commonest cause in the hard set is a note too small in the frame for its artwork to
    # be matched, and moving closer is something a person can always do.
    seen = sum(e.model is not None and e.model.presence >= th.presence_on
               and e.verification.denomination is None for e in evidences)
    if seen * 2 > n:
        return "move_closer"
    return None


def decide_still(evidence: FrameEvidence, th: Thresholds = DEFAULT) -> Decision:
    """The single-frame decision used for photos."""
    v = evidence.verification
    if v.accepted:
        return Decision(
            "note", v.denomination, v.side, _confidence(evidence, th), 1, None, evidence.t,
            f"{v.inliers} inliers, margin {_margin(evidence):.1f}",
        )
    if _looks_empty(evidence, th):
        return Decision("none", frames_used=1, t=evidence.t, reason="no note in view")
    return Decision("unsure", frames_used=1, hint=_hint([evidence], th), t=evidence.t, reason=_why_unsure([evidence]))


def _why_unsure(evidences: list[FrameEvidence]) -> str:
    best = max(evidences, key=lambda e: e.verification.inliers, default=None)
    if best is None:
        return "no frames"
    v = best.verification
    if v.denomination is None:
        return "no reference matched"
    return f"best {v.denomination} with {v.inliers} inliers, runner-up {v.runner_up}"


class HoldVotes:
    """Evidence gathered during one hold, and the rules that turn it into a decision."""

    def __init__(self, thresholds: Thresholds = DEFAULT):
        self.th = thresholds
        self.evidences: list[FrameEvidence] = []
        self.accepted: Counter[str] = Counter()
        self.unnamed = 0  # frames that placed a note (min_inliers) but named no value
        self._strong: FrameEvidence | None = None

    @property
    def frames(self) -> int:
        return len(self.evidences)

    @property
    def conflicting(self) -> bool:
        return len(self.accepted) > 1

    def add(self, evidence: FrameEvidence) -> Decision | None:
        """Adds one frame; returns a note decision the moment the hold is sure."""
        self.evidences.append(evidence)
        v = evidence.verification
        if v.accepted:
            self.accepted[v.denomination] += 1
            if self._strong is None and is_strong(evidence, self.th):
                self._strong = evidence
        elif v.denomination is not None and v.inliers >= self.th.min_inliers:
            self.unnamed += 1
        return self.sure()

    @property
    def mostly_unnamed(self) -> bool:
        """More frames placed a note without naming it than the rule allows per named one."""
        return self.unnamed > self.th.unnamed_per_named * sum(self.accepted.values())

    def sure(self) -> Decision | None:
        if not self.accepted or self.conflicting:
            return None
        denomination, count = self.accepted.most_common(1)[0]
        if count < self.th.agree_frames and self._strong is None:
            return None
        if self.mostly_unnamed:
            return None
        supporting = [e for e in self.evidences if e.verification.accepted]
        last = supporting[-1]
        confidence = max(_confidence(e, self.th) for e in supporting)
        reason = f"{count} frame(s) agree" + (", one strong" if self._strong is not None else "")
        return Decision(
            "note", denomination, last.verification.side, round(confidence, 3), len(self.evidences), None,
            last.t, reason,
        )

    def conclude(self, t: float, *, reason: str = "") -> Decision:
        """The answer when the hold ends without being sure."""
        decided = self.sure()
        if decided is not None:
            return decided
        n = len(self.evidences)
        if self.conflicting:
            names = ", ".join(sorted(self.accepted))
            return Decision("unsure", frames_used=n, t=t, reason=f"frames disagree ({names})")
        if self.accepted and self.mostly_unnamed:
            named = sum(self.accepted.values())
            return Decision("unsure", frames_used=n, hint=_hint(self.evidences, self.th), t=t,
                            reason=reason or f"note placed in {self.unnamed} frames without a "
                            f"value, named in {named}: an unknown design?")
        if n and sum(_looks_empty(e, self.th) for e in self.evidences) * 2 > n:
            return Decision("none", frames_used=n, t=t, reason=reason or "no note in view")
        return Decision(
            "unsure", frames_used=n, hint=_hint(self.evidences, self.th), t=t,
            reason=reason or (_why_unsure(self.evidences) if n else "no frames"),
        )
