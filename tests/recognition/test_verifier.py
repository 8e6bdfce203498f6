import numpy as np
import pytest

from desktop_app.recognition.gallery import Reference
from desktop_app.recognition.thresholds import DEFAULT, Thresholds
from desktop_app.recognition.verifier import Verifier, accepts, plausible_outline
from tests.builders.notes import place_note, synthetic_gallery, synthetic_note, synthetic_scene

CORNERS = [[120, 90], [520, 120], [500, 330], [110, 300]]


@pytest.fixture(scope="module")
def verifier():
    return Verifier(synthetic_gallery(("5", "10", "20", "100", "500")))


def test_warped_note_is_accepted_with_outline_near_true_corners(verifier):
    frame = place_note(synthetic_note("500"), synthetic_scene(3), CORNERS)
    v = verifier.verify(frame)
    assert v.accepted and v.denomination == "500" and v.side == "front"
    assert v.inliers >= DEFAULT.min_inliers and v.score >= DEFAULT.min_margin * v.runner_up_score
    assert v.reference == "synthetic/500/front"
    assert np.abs(v.outline - np.float32(CORNERS)).max() < 6
    assert v.hint is None and v.keypoints > 100


def test_outline_is_in_original_frame_pixels(verifier):
    big = place_note(synthetic_note("20"), synthetic_scene(5, (1280, 960)),
                     np.float32(CORNERS) * 2)
    v = verifier.verify(big)
    assert v.accepted and v.denomination == "20"
    assert np.abs(v.outline - np.float32(CORNERS) * 2).max() < 12


def test_empty_scenes_are_not_accepted(verifier):
    for seed in range(4):
        assert not verifier.verify(synthetic_scene(seed)).accepted


def test_denomination_missing_from_gallery_is_not_accepted(verifier):
    # Shares the common panel with every gallery note, like Everest-series artwork.
    frame = place_note(synthetic_note("50"), synthetic_scene(3), CORNERS)
    v = verifier.verify(frame)
    assert not v.accepted


def test_mirrored_note_is_rejected(verifier):
    mirrored = synthetic_note("500")[:, ::-1].copy()
    v = verifier.verify(place_note(mirrored, synthetic_scene(3), CORNERS))
    assert not v.accepted


def test_plausibility_rejects_mirror_concave_and_sliver():
    ref = Reference("r", "5", "front", "s", (600, 280),
                    np.float32([[0, 0], [599, 0], [599, 279], [0, 279]]))
    good = np.float32(CORNERS)
    assert plausible_outline(good, ref, (480, 640))
    assert not plausible_outline(good[::-1].copy(), ref, (480, 640))  # mirrored
    concave = good.copy()
    concave[2] = [300, 150]
    assert not plausible_outline(concave, ref, (480, 640))
    sliver = np.float32([[100, 100], [540, 100], [540, 110], [100, 110]])
    assert not plausible_outline(sliver, ref, (480, 640))


def test_hints_for_small_and_partial_notes(verifier):
    note = synthetic_note("100")
    small = place_note(note, synthetic_scene(1), [[250, 200], [400, 200], [400, 270], [250, 270]])
    v = verifier.verify(small)
    assert v.denomination == "100" and v.hint == "move_closer"
    partial = place_note(note, synthetic_scene(1), [[200, 100], [900, 100], [900, 426], [200, 426]])
    v = verifier.verify(partial)
    assert v.denomination == "100" and v.hint == "partial"
    assert v.outline[:, 0].max() > 640


def test_candidates_do_not_change_the_answer(verifier):
    frame = place_note(synthetic_note("10"), synthetic_scene(2), CORNERS)
    a = verifier.verify(frame)
    b = verifier.verify(frame, candidates=["500", "20"])
    assert a.accepted and b.accepted and a.denomination == b.denomination == "10"


def test_acceptance_rule_uses_thresholds():
    t = Thresholds(min_inliers=12, min_value=12, min_margin=1.5)
    assert accepts(20, 15.0, 10.0, t)
    assert not accepts(11, 15.0, 0.0, t)  # too few inliers
    assert not accepts(40, 11.0, 0.0, t)  # many inliers, but all in shared artwork
    assert not accepts(40, 30.0, 21.0, t)  # margin 1.43 < 1.5


def test_a_refitted_placement_has_its_own_inlier_bar():
    t = Thresholds(min_inliers=12, min_refined_inliers=20, min_value=8, min_margin=1.5)
    assert accepts(15, 9.0, 0.0, t)
    assert not accepts(15, 9.0, 0.0, t, refined=True)
    assert accepts(20, 9.0, 0.0, t, refined=True)
    assert not accepts(60, 7.0, 0.0, t, refined=True)  # the value bar is the same


def test_value_evidence_has_its_own_bar():
    """Alignment inliers place the note; the value needs its own evidence (min_value)."""
    t = Thresholds(min_inliers=12, min_value=8, min_margin=1.5)
    assert accepts(12, 8.0, 0.0, t)
    assert not accepts(200, 7.5, 0.0, t)  # a well-placed note whose value parts do not match
    assert not accepts(11, 50.0, 0.0, t)  # value parts match, but too few to place the note


def test_stricter_thresholds_abstain(verifier):
    frame = place_note(synthetic_note("500"), synthetic_scene(3), CORNERS)
    strict = Verifier(verifier.gallery, Thresholds(min_inliers=10_000))
    v = strict.verify(frame)
    assert v.denomination == "500" and not v.accepted


def test_bad_input_is_a_clear_error(verifier):
    with pytest.raises(ValueError):
        verifier.verify(np.zeros((0, 0, 3), np.uint8))
    assert not verifier.verify(np.zeros((480, 640, 3), np.uint8)).accepted
