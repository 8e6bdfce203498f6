"""The ratio test's second rule: the second-best taken from another place (``Options.apart``,
shipped in four looks; the evaluation measures it with and without)."""
import cv2
import numpy as np
import pytest

from desktop_app.recognition import deblur, imaging
from desktop_app.recognition.gallery import RATIO, ratio_filter
from desktop_app.recognition.verifier import Options, Verifier
from tests.builders.notes import place_note, synthetic_gallery, synthetic_note, synthetic_scene
from training.evaluate import APART_LOOKS

# Gallery keypoints: reference 0 has two keypoints on one spot (a SIFT twin: another
# orientation) and one elsewhere; reference 1 has one.
OWNERS = np.array([0, 0, 0, 1])
POINTS = np.float32([[10, 10], [11, 10], [60, 40], [10, 10]])


def _lists(rows):
    idx = np.array([[g for g, _ in r] for r in rows])
    dist = np.array([[d for _, d in r] for r in rows], np.float64)
    return idx, dist


def test_a_twin_on_the_same_spot_fails_the_usual_test_and_passes_the_apart_one():
    # Query 0: best is keypoint 0; its twin 1 px away is nearly as close; the same reference's
    # nearest keypoint elsewhere is far. Query 1: the nearest keypoint elsewhere is close.
    idx, dist = _lists([[(0, 0.30), (1, 0.31), (3, 0.35), (2, 0.60)],
                        [(0, 0.30), (2, 0.32), (3, 0.60), (1, 0.70)]])
    q, g = ratio_filter(idx, dist, OWNERS)
    # Usual: query 0 fails against its twin, query 1 against keypoint 2; query 0 passes for
    # reference 1 (keypoint 3: no second-best of its own among the neighbours).
    assert sorted(zip(q.tolist(), g.tolist())) == [(0, 3)]
    q, g = ratio_filter(idx, dist, OWNERS, POINTS, apart=imaging.APART_PX)
    # Apart: query 0's twin is skipped and keypoint 2, elsewhere at 0.60, is its second-best;
    # query 1's second-best was elsewhere already, and still fails.
    assert sorted(zip(q.tolist(), g.tolist())) == [(0, 0), (0, 3)]


def test_the_twin_is_skipped_not_the_test():
    # Past the twin, the same reference's next keypoint (elsewhere, 0.36) is close: no match.
    idx, dist = _lists([[(0, 0.30), (1, 0.31), (2, 0.36), (3, 0.90)]])
    assert not 0.30 < RATIO * 0.36
    q, _ = ratio_filter(idx, dist, OWNERS, POINTS, apart=imaging.APART_PX)
    assert len(q) == 0


def test_the_apart_rule_needs_positions():
    idx, dist = _lists([[(0, 0.3), (1, 0.31)]])
    with pytest.raises(ValueError, match="positions"):
        ratio_filter(idx, dist, OWNERS, None, apart=4.0)


@pytest.fixture(scope="module")
def gallery():
    return synthetic_gallery(("5", "10", "20", "100", "500"))


def _smeared(length: int, angle: float, frame: np.ndarray) -> np.ndarray:
    return cv2.filter2D(frame, -1, deblur.line_kernel(length, angle))


CORNERS = [[140, 100], [500, 130], [480, 320], [130, 300]]
# The looks it is used in, as shipped.
LOOKS = APART_LOOKS


def _calls(v: Verifier, monkeypatch) -> list[float]:
    seen: list[float] = []
    orig = v._matcher.ratio_per_reference
    monkeypatch.setattr(v._matcher, "ratio_per_reference",
                        lambda knn, apart=0.0: seen.append(apart) or orig(knn, apart))
    return seen


def test_a_smeared_note_the_usual_test_cannot_place_is_named_by_the_apart_test(gallery,
                                                                                monkeypatch):
    """Rs 500 smeared over 17 px (measured on this scene): the usual test leaves 8 inliers
    and too little value evidence; with the twins skipped, 18 inliers and the value."""
    frame = _smeared(17, 20, place_note(synthetic_note("500"), synthetic_scene(0), CORNERS))
    usual = Verifier(gallery, options=Options(retries=(), apart=())).verify(frame)
    assert not usual.accepted
    assert set(Options().apart) == {"plain", "deblurred", "enlarged", "deblurred_enlarged"}
    v = Verifier(gallery, options=Options(retries=(), apart=LOOKS))
    seen = _calls(v, monkeypatch)
    out = v.verify(frame)
    assert out.accepted and out.denomination == "500"
    assert out.inliers > usual.inliers
    # The quick look, the usual test, then the apart one: it runs only where the usual one
    # named nothing.
    assert seen == [0.0, 0.0, imaging.APART_PX]
    np.testing.assert_allclose(out.outline, CORNERS, atol=25)


def test_a_note_named_at_once_never_pays_for_the_second_test(gallery, monkeypatch):
    frame = place_note(synthetic_note("100"), synthetic_scene(1), CORNERS)
    v = Verifier(gallery, options=Options(apart=LOOKS))
    seen = _calls(v, monkeypatch)
    assert v.verify(frame).denomination == "100"
    assert imaging.APART_PX not in seen
    # Not in the tilted and pooled looks (several views' keypoints, and their chance matches),
    # nor anywhere when switched off.
    frame = _smeared(17, 20, place_note(synthetic_note("500"), synthetic_scene(0), CORNERS))
    seen.clear()
    for look in ("tilted", "pooled"):
        v.verify_features(v.features(frame, look), pass_=look)
    assert seen and set(seen) == {0.0}
    off = Verifier(gallery, options=Options(apart=()))
    seen_off = _calls(off, monkeypatch)
    off.verify(frame)
    assert seen_off and set(seen_off) == {0.0}
