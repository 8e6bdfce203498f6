"""Each safety check refuses what it must, and lets a good note through."""
import numpy as np

from desktop_app.recognition.sharing import merge
from desktop_app.recognition.verifier import Verifier
from desktop_app.teaching import checks
from desktop_app.teaching.checks import Negatives
from desktop_app.teaching.teacher import taught_gallery
from desktop_app.teaching.store import TaughtNote
from desktop_app.teaching.views import examine
from tests.teaching.conftest import frame_of


def views_of(denomination, poses=(0, 1), side="front"):
    return [examine(frame_of(denomination, p, side), side).view for p in poses]


def test_two_shots_of_one_note_agree_and_two_values_sharing_artwork_do_not():
    a, b = views_of("50")
    ok, how = checks.same_note(a, b)
    assert ok, how
    other = views_of("20", (1,))[0]
    n, cover = checks.alignment(a, other)
    # They share the made-up "Everest panel": many inliers, but over a third of the note only.
    assert n >= checks.CONSISTENT_INLIERS and cover < checks.MIN_COVERAGE
    refusal = checks.inconsistent([a, other])
    assert refusal is not None and refusal.key == "teach.refused.different"
    assert checks.inconsistent([a, b]) is None


def test_sides_are_compared_only_with_their_own_side():
    front = views_of("50")
    back = views_of("50", side="back")
    assert checks.inconsistent(front + back) is None


def test_a_note_the_gallery_names_as_another_value_is_refused_with_that_value(gallery):
    verifier = Verifier(gallery)
    refusal = checks.known_as(views_of("500"), "100", verifier)
    assert refusal.key == "teach.refused.other_value" and refusal.params == {"value": "500"}
    assert checks.known_as(views_of("500"), "500", verifier) is None  # teaching it again is harmless
    assert checks.known_as(views_of("50"), "50", verifier) is None


def test_a_taught_note_that_a_foreign_note_would_match_is_refused(negatives):
    views = views_of("50")
    note = TaughtNote("50-x", "50", "now", tuple(views))
    alone = Verifier(taught_gallery([note]))
    assert checks.matches_negatives(alone, negatives, 12) is None
    from training.build_negatives import negative_features

    foreign = Negatives(negatives.names + ("inr:look-alike",),
                        negatives.frames + (negative_features(frame_of("50", 3, seed=9)),))
    refusal = checks.matches_negatives(alone, foreign, 12)
    assert refusal.key == "teach.refused.foreign" and "inr:look-alike" in refusal.detail


def test_a_note_left_with_nothing_of_its_own_after_the_merge_is_refused(gallery):
    # The same artwork as the shipped Rs 500, taught as Rs 50: after the merge every keypoint of
    # it is shared with the Rs 500 reference, so it cannot be named and would blur the 500.
    views = views_of("500")
    note = TaughtNote("50-copy", "50", "now", tuple(views))
    merged = merge(gallery, taught_gallery([note]))
    refusal = checks.keeps_others(gallery, merged)
    assert refusal is not None and refusal.key == "teach.refused.not_distinct"
    assert "synthetic/500/front" in refusal.detail
    good = views_of("50")
    merged_ok = merge(gallery, taught_gallery([TaughtNote("50-ok", "50", "now", tuple(good))]))
    assert checks.keeps_others(gallery, merged_ok) is None
    assert checks.distinct(good, "50", Verifier(merged_ok)) is None


def test_a_taught_note_its_own_views_do_not_name_is_refused(gallery):
    views = views_of("50")
    merged = Verifier(merge(gallery, taught_gallery([TaughtNote("50-a", "50", "now", tuple(views))])))
    # Views of Rs 50 checked as if they had been taught as Rs 20: the merged gallery names them 50.
    refusal = checks.distinct(views, "20", merged)
    assert refusal is not None and refusal.key == "teach.refused.not_distinct"


def test_negatives_survive_a_round_trip(tmp_path, negatives):
    path = tmp_path / "neg.npz"
    negatives.save(path, info={"half": "tune"})
    back = Negatives.load(path)
    assert back.names == negatives.names
    for a, b in zip(back.frames, negatives.frames):
        assert a.shape == b.shape
        np.testing.assert_array_equal(a.descriptors, b.descriptors)


class _Placed:
    """A verifier that places every view on one reference without naming it (a worn note)."""

    def __init__(self, gallery, ref_id, denomination):
        from desktop_app.recognition.evidence import Verification

        self.gallery = gallery
        self.result = Verification(denomination=denomination, reference=ref_id, inliers=90,
                                   score=3.0, accepted=False)

    def verify_features(self, _features):
        return self.result


def test_a_note_placed_all_over_on_another_values_design_is_refused_even_unnamed(gallery):
    placed = _Placed(gallery, "synthetic/500/front", "500")
    refusal = checks.known_as(views_of("500"), "100", placed)
    assert refusal is not None and refusal.params == {"value": "500"}
    assert "aligned by" in refusal.detail
    # A new value placed on the Rs 500 only by the artwork all values share is not refused.
    assert checks.known_as(views_of("50"), "50", placed) is None
