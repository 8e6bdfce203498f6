"""The verifier's quick first look: a clear note is named from it alone; anything near the bar,
and anything it does not name, is decided by the full look exactly as without it."""
from dataclasses import replace

import numpy as np
import pytest

from desktop_app.recognition import imaging
from desktop_app.recognition.evidence import Verification
from desktop_app.recognition.imaging import in_pairs
from desktop_app.recognition.thresholds import Thresholds
from desktop_app.recognition.verifier import QUICK_CLEAR, Options, Verifier
from tests.builders.notes import place_note, synthetic_gallery, synthetic_note, synthetic_scene

CORNERS = np.float32([[130, 100], [500, 130], [485, 330], [120, 300]])
PLAIN = replace(Options(), retries=())


@pytest.fixture(scope="module")
def gallery():
    return synthetic_gallery(("5", "20", "100"))


@pytest.fixture(scope="module")
def clear_frame():
    return place_note(synthetic_note("20"), synthetic_scene(7), CORNERS)


def _searches(verifier: Verifier, monkeypatch) -> list[int]:
    """The checks of every neighbour search the verifier makes, in order."""
    checks: list[int] = []
    knn = verifier._matcher.knn

    def spy(desc, c=imaging.FLANN_CHECKS):
        checks.append(c)
        return knn(desc, c)
    monkeypatch.setattr(verifier._matcher, "knn", spy)
    return checks


def _same(a: Verification, b: Verification) -> None:
    assert (a.accepted, a.denomination, a.reference, a.inliers, a.score, a.runner_up_score,
            a.refined, a.hint) == (b.accepted, b.denomination, b.reference, b.inliers, b.score,
                                   b.runner_up_score, b.refined, b.hint)


def test_a_clear_note_is_named_from_the_quick_look_alone(gallery, clear_frame, monkeypatch):
    verifier = Verifier(gallery, options=PLAIN)
    checks = _searches(verifier, monkeypatch)
    v = verifier.verify(clear_frame)
    assert v.accepted and v.denomination == "20"
    assert checks == [imaging.QUICK_CHECKS]
    assert imaging.QUICK_CHECKS < imaging.FLANN_CHECKS


def test_a_verdict_near_the_bar_is_decided_by_the_full_look(gallery, clear_frame, monkeypatch):
    score = Verifier(gallery, options=PLAIN).verify(clear_frame).score
    # Named by the quick look, but with less than QUICK_CLEAR times the value bar to spare.
    near = Thresholds(min_value=score * 0.8)
    verifier = Verifier(gallery, near, options=PLAIN)
    checks = _searches(verifier, monkeypatch)
    v = verifier.verify(clear_frame)
    assert checks == [imaging.QUICK_CHECKS, imaging.FLANN_CHECKS]
    _same(v, Verifier(gallery, near, options=replace(PLAIN, quick_first=False)).verify(clear_frame))


def test_a_frame_the_quick_look_does_not_name_gets_every_full_look(gallery, monkeypatch):
    """The retries are full looks only; the frame's verdict is the one without a quick look."""
    frame = synthetic_scene(11)
    verifier = Verifier(gallery)
    checks = _searches(verifier, monkeypatch)
    v = verifier.verify(frame)
    assert not v.accepted
    assert checks[0] == imaging.QUICK_CHECKS
    assert checks[1:] == [imaging.FLANN_CHECKS] * (1 + len(Options().retries))
    _same(v, Verifier(gallery, options=replace(Options(), quick_first=False)).verify(frame))


@pytest.mark.parametrize("part", ["inliers", "score", "margin"])
def test_clear_means_every_part_of_the_bar_met_with_room_to_spare(gallery, part):
    t = Thresholds()
    verifier = Verifier(gallery, t)
    k = QUICK_CLEAR
    runner = 10.0
    ok = dict(inliers=int(k * t.min_inliers), score=k * max(t.min_value, t.min_margin * runner))
    assert verifier._clear(Verification(accepted=True, runner_up_score=runner, **ok))
    short = dict(ok)
    if part == "inliers":
        short["inliers"] -= 1
    elif part == "score":
        short["score"] = k * t.min_value - 0.5
        runner = 0.0
    else:
        runner = short["score"] / (k * t.min_margin) + 0.5
    assert verifier._clear(Verification(accepted=True, runner_up_score=0.0, **ok))
    assert not verifier._clear(Verification(accepted=True, runner_up_score=runner, **short))


def test_a_refitted_verdict_is_held_to_its_own_bar_with_room_to_spare(gallery):
    t = Thresholds()
    verifier = Verifier(gallery, t)
    inliers = int(QUICK_CLEAR * t.min_refined_inliers) - 1
    v = Verification(accepted=True, inliers=inliers, score=100.0, refined=True)
    assert not verifier._clear(v)
    assert verifier._clear(replace(v, refined=False))


def test_in_pairs_keeps_order_and_results_on_two_threads(monkeypatch):
    import cv2
    monkeypatch.setattr(cv2, "getNumThreads", lambda: 2)
    items = list(range(11))
    assert in_pairs(lambda x: x * x, items) == [x * x for x in items]
    assert in_pairs(lambda x: -x, [3]) == [-3]


def test_in_pairs_passes_on_a_failure_from_either_thread(monkeypatch):
    import cv2
    monkeypatch.setattr(cv2, "getNumThreads", lambda: 2)

    def fail_on(bad):
        def fn(x):
            if x == bad:
                raise ValueError(f"item {x}")
            return x
        return fn
    for bad in (0, 1):  # evens run here, odds on the helper thread
        with pytest.raises(ValueError, match=f"item {bad}"):
            in_pairs(fail_on(bad), [0, 1, 2, 3])
