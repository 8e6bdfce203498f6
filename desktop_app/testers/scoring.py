"""Scoring what the app said against what was in view.

Shared by ``replay`` (a video with holds) and ``classify`` (photos): both reduce to pairs of
(truth, what the app said), scored the same way. A wrong value costs a blind person money,
so "wrong" (a value spoken that is not the truth) is kept apart from abstentions ("not sure",
"no note seen"), which only cost a retry. Where no Nepali note is in view (label "none": an
empty view, or a foreign note), "no note seen" and "not sure" are both right, and any value is
wrong.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Iterable, Sequence

from desktop_app.recognition.evidence import DENOMINATIONS
from desktop_app.testers.reading import NONE_LABEL, Span

UNSURE_LABEL = "unsure"
MISSED_LABEL = "missed"
# Columns of the confusion matrix: every answer the app can give, then "no answer at all".
SAID_COLUMNS: tuple[str, ...] = (*DENOMINATIONS, NONE_LABEL, UNSURE_LABEL, MISSED_LABEL)
TRUTH_ROWS: tuple[str, ...] = (*DENOMINATIONS, NONE_LABEL)
OUTCOMES = ("right", "wrong", "unsure", "none", "missed")


# --- what was in view ---------------------------------------------------------------------------
def label_at(t: float, labels: Sequence[Span]) -> str | None:
    """The label in view at ``t``; spans are half-open [start, end), like video frames."""
    for span in reversed(labels):  # at a boundary the span that is just beginning wins
        if span.start - 1e-9 <= t < span.end - 1e-9:
            return span.label
    return None


def hold_truth(start: float, end: float | None, said: str | None, announced_at: float | None,
               labels: Sequence[Span]) -> str | None:
    """What a hold should have said.

    A value is judged against what was in view when it was spoken: the frame that completed the
    agreement is the one the app trusted. An abstention (or no answer) is judged against what was
    in view for most of the scan, since all its frames went into it.
    """
    if said in DENOMINATIONS and announced_at is not None:
        at = label_at(announced_at, labels)
        if at is not None:
            return at
    stop = announced_at if announced_at is not None else end
    return truth_for(start, start if stop is None else max(start, stop), labels)


def truth_for(start: float, end: float, labels: Sequence[Span]) -> str | None:
    """The label in view for most of [start, end]; a zero-length window takes the label at start."""
    if end <= start:
        for span in labels:
            if span.start <= start <= span.end:
                return span.label
        return None
    best, best_overlap = None, 0.0
    for span in labels:
        overlap = min(end, span.end) - max(start, span.start)
        if overlap > best_overlap + 1e-9:
            best, best_overlap = span.label, overlap
    return best


# --- scoring ------------------------------------------------------------------------------------
def outcome(truth: str | None, said: str | None) -> str | None:
    """right | wrong | unsure | none | missed; None when there is no truth to score against."""
    if truth is None:
        return None
    if said is None:
        return "missed"
    if said == truth:
        return "right"
    if said in DENOMINATIONS:
        return "wrong"
    if truth == NONE_LABEL:
        # No Nepali note (an empty view or a foreign note): not naming a value is the right answer.
        return "right"
    return said  # "unsure", or "none" while a note was in view


@dataclass(frozen=True)
class Scored:
    """One scored item: a hold of a replay or a photo of classify."""

    truth: str | None
    said: str | None
    time_to_announce: float | None = None

    @property
    def outcome(self) -> str | None:
        return outcome(self.truth, self.said)


def stats(values: list[float]) -> dict | None:
    """count, mean, median and max of some durations (None when there are none)."""
    if not values:
        return None
    return {
        "count": len(values),
        "mean": round(statistics.fmean(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
    }


def summarise(items: Sequence[Scored]) -> dict:
    """Totals, per-class figures and the confusion matrix for scored items."""
    labelled = [i for i in items if i.truth is not None]
    counts = {name: sum(1 for i in labelled if i.outcome == name) for name in OUTCOMES}
    notes = [i for i in labelled if i.truth != NONE_LABEL]
    summary = {
        "items": len(items),
        "labelled": len(labelled),
        "unlabelled": len(items) - len(labelled),
        **counts,
        "accuracy": _ratio(counts["right"], len(labelled)),
        "wrong_rate": _ratio(counts["wrong"], len(labelled)),
        "abstentions": counts["unsure"] + counts["none"],
        # Coverage: share of items showing a note whose value was spoken (right or wrong).
        "coverage": _ratio(sum(1 for i in notes if i.said in DENOMINATIONS), len(notes)),
        # How long a person waits for the value: right answers that name one.
        "time_to_announce_s": stats([i.time_to_announce for i in labelled if i.outcome == "right"
                                     and i.said in DENOMINATIONS and i.time_to_announce is not None]),
        "time_to_any_answer_s": stats([i.time_to_announce for i in items if i.time_to_announce is not None]),
    }
    per_class = {}
    for truth in TRUTH_ROWS:
        rows = [i for i in labelled if i.truth == truth]
        if not rows:
            continue
        per = {name: sum(1 for i in rows if i.outcome == name) for name in OUTCOMES}
        per_class[truth] = {"count": len(rows), **per, "accuracy": _ratio(per["right"], len(rows))}
    summary["per_class"] = per_class
    summary["confusion"] = confusion(labelled)
    return summary


def confusion(items: Iterable[Scored]) -> dict:
    matrix = {t: {s: 0 for s in SAID_COLUMNS} for t in TRUTH_ROWS}
    for item in items:
        if item.truth in matrix:
            matrix[item.truth][item.said if item.said is not None else MISSED_LABEL] += 1
    return {"rows": list(TRUTH_ROWS), "columns": list(SAID_COLUMNS),
            "counts": [[matrix[t][s] for s in SAID_COLUMNS] for t in TRUTH_ROWS]}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None
