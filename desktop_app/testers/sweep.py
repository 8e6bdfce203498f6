"""The threshold sweep: the verifier's acceptance rule replayed on stored numbers for a grid of
(min_inliers, min_margin), so one pass of matching shows the whole coverage / wrong-value
trade-off. ``classify`` and ``training.evaluate`` use the same grid, so their tables line up.

The verifier keeps ``runner_up_score`` exact for margins up to ``strong_margin``, so the grid's
margins stay within that. The stored numbers are those of the look and round that decided at
the shipped thresholds (a frame's refit round runs only where its first round named nothing),
so the grid is exact at the shipped setting and an estimate away from it.
"""
from __future__ import annotations

import dataclasses
from typing import Sequence

from desktop_app.recognition.evidence import DENOMINATIONS
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

SWEEP_INLIERS = (6, 8, 10, 12, 15, 20, 25, 30, 40, 50)  # 6: the verifier's own noise floor
SWEEP_MARGINS = (1.0, 1.25, 1.5, 2.0, 3.0)  # at most strong_margin (see the module doc)


def threshold_grid(th: Thresholds = DEFAULT, inliers: Sequence[int] = SWEEP_INLIERS,
                   margins: Sequence[float] = SWEEP_MARGINS) -> list[Thresholds]:
    """``th`` varied over the grid, margin by margin; the shipped setting is always in it."""
    return [dataclasses.replace(th, min_inliers=mi, min_margin=margin)
            for margin in sorted(set(margins) | {th.min_margin})
            for mi in sorted(set(inliers) | {th.min_inliers})]


def accepted_at(r, min_inliers: int, min_margin: float, th: Thresholds = DEFAULT) -> bool:
    """The verifier's own acceptance rule (``verifier.accepts``) on a result's stored numbers
    (``candidate``, ``inliers``, ``score``, ``runner_up_score``)."""
    from desktop_app.recognition.verifier import accepts

    varied = dataclasses.replace(th, min_inliers=min_inliers, min_margin=min_margin)
    return r.candidate is not None and accepts(r.inliers, r.score, r.runner_up_score, varied,
                                               bool(getattr(r, "refined", False)),
                                               getattr(r, "regions", None))


def sweep(results: Sequence, th: Thresholds = DEFAULT,
          inliers: Sequence[int] = SWEEP_INLIERS, margins: Sequence[float] = SWEEP_MARGINS) -> list[dict]:
    """Coverage and wrong announcements for each setting of the grid."""
    labelled = [r for r in results if r.truth is not None]
    notes = [r for r in labelled if r.truth in DENOMINATIONS]
    points = []
    for varied in threshold_grid(th, inliers, margins):
        mi, margin = varied.min_inliers, varied.min_margin
        spoken = [r for r in labelled if accepted_at(r, mi, margin, th)]
        wrong = sum(1 for r in spoken if r.candidate != r.truth)
        points.append({
            "min_inliers": mi, "min_margin": margin, "spoken": len(spoken), "right": len(spoken) - wrong,
            "wrong": wrong,
            "coverage": round(sum(1 for r in notes if accepted_at(r, mi, margin, th)) / len(notes), 4)
            if notes else None,
            "wrong_rate": round(wrong / len(labelled), 4) if labelled else None,
            "shipped": mi == th.min_inliers and margin == th.min_margin,
        })
    return points
