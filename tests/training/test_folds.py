"""Evaluation plumbing on made-up items and synthetic frames (no shared data needed)."""
import numpy as np

from desktop_app.recognition.verifier import Verifier
from tests.builders.notes import place_note, synthetic_gallery, synthetic_note, synthetic_scene
from training.build_gallery import MAX_PHOTOS_PER_NOTE, gallery_items
from training.data import Item
from training.hard_eval import hard_folds, summarise_hard

QUAD = [[0, 0], [10, 0], [10, 5], [0, 5]]


def burst(n: int, denomination="100", side="front") -> list[Item]:
    return [Item(f"photos/{denomination}/mmanishh__IMG_20180308_1221{i:02d}.jpg", denomination,
                 side, "everest", "photo", QUAD) for i in range(n)]


def test_gallery_keeps_scans_and_a_few_outlined_shots_per_note():
    ref = Item("refs/100/x__scan.jpg", "100", "front", "everest", "ref", None)
    no_outline = Item("photos/100/ann__y_1.jpg", "100", "front", "everest", "photo", None)
    shots = burst(10)
    kept = gallery_items([ref, no_outline] + shots)
    assert ref in kept and no_outline not in kept
    kept_shots = [it for it in kept if it in shots]
    assert len(kept_shots) == MAX_PHOTOS_PER_NOTE
    # spread over the burst, not its first shots
    assert kept_shots[0] == shots[0] and kept_shots[-1].file > shots[MAX_PHOTOS_PER_NOTE].file
    assert len(gallery_items(burst(2))) == 2


def test_hard_folds_leave_out_a_sources_scans_of_one_side_together():
    a = Item("refs/1000/src__a.jpg", "1000", "front", "everest", "ref", None)
    b = Item("refs/1000/src__b.jpg", "1000", "front", "everest", "ref", None)
    c = Item("refs/1000/src__c.jpg", "1000", "back", "n/a", "ref", None)
    d = Item("refs/1000/other__d.jpg", "1000", "front", "everest", "ref", None)
    folds = hard_folds([a, b, c, d] + burst(3))
    assert sorted(len(v) for v in folds.values()) == [1, 1, 2, 3]
    together = next(v for v in folds.values() if a in v)
    assert b in together and c not in together and d not in together


def test_hard_summary_counts_only_covered_positives_as_the_target():
    rows = [dict(truth="5", covered=True, outcome="right", transforms=["fold"], accepted=True),
            dict(truth="5", covered=True, outcome="not_sure", transforms=[], accepted=False),
            dict(truth="10", covered=False, outcome="not_sure", transforms=["jpeg"],
                 accepted=False),
            dict(truth=None, covered=False, outcome="rejected", transforms=[], accepted=False)]
    s = summarise_hard(rows)
    assert (s["covered"], s["covered_right"], s["wrong"], s["uncovered"]) == (2, 1, 0, 1)
    assert s["negatives"] == 1 and s["negatives_accepted"] == 0
    assert s["per_transform"]["fold"] == dict(n=1, right=1, wrong=0)
    assert s["per_transform"]["none"]["n"] == 1


def test_cached_features_are_the_verifiers_own(tmp_path, monkeypatch):
    import training.folds as folds
    monkeypatch.setattr(folds, "CACHE_DIR", tmp_path)
    v = Verifier(synthetic_gallery(("5",)))
    frame = place_note(synthetic_note("5"), synthetic_scene(2), [[100, 80], [520, 100],
                                                                  [500, 330], [110, 300]])
    calls = []

    def load():
        calls.append(1)
        return frame
    first = folds.frame_features(v, "x", load, "id1")
    again = folds.frame_features(v, "x", load, "id1")
    assert len(calls) == 1  # the second came from disk
    np.testing.assert_array_equal(first.descriptors, again.descriptors)
    assert again.shape == first.shape and again.scale == first.scale
    assert v.verify_features(again).accepted == v.verify(frame).accepted is True
