"""The teach evaluation's protocol helpers, on made-up items and synthetic notes; and its
notes on the real photos (skipped when ../shared is absent)."""
import numpy as np
import pytest

from desktop_app.paths import SHARED_DATA
from desktop_app.recognition.verifier import Verifier
from desktop_app.teaching.checks import Negatives
from desktop_app.teaching.store import TaughtNote
from desktop_app.teaching.views import view_from_quad
from tests.builders.notes import synthetic_gallery, synthetic_note
from training.data import Item
from training.folds import without_value_side
from training.teach_eval import Cache, shot_choices, tally, teach, teachable_notes, wrong_values
from training.teach_report import markdown
from training.teach_rerun import chosen_notes, compare, negative_counts

QUAD = [[0, 0], [10, 0], [10, 5], [0, 5]]


def photo(name, value="100", side="front"):
    return Item(f"photos/{value}/{name}.jpg", value, side, "everest", "photo", QUAD)


def test_teachable_notes_are_physical_notes_with_two_photos_or_more():
    repeat = [photo("ann__x_1"), photo("ann__x_2"), photo("ann__x_3")]  # consecutive shots
    alone = photo("ann__x_9")
    other_side = [photo("ann__y_1", side="back"), photo("ann__y_2", side="back")]
    ref = Item("refs/100/s__scan.jpg", "100", "front", "everest", "ref", None)
    notes = teachable_notes(repeat + [alone, ref] + other_side)
    assert [(n.value, n.side, len(n.photos)) for n in notes] == [("100", "front", 3),
                                                                 ("100", "back", 2)]
    assert all(alone not in n.photos and ref not in n.photos for n in notes)


def test_the_fold_gallery_has_no_reference_of_the_value_side_in_any_series():
    refs = [Item("refs/50/a.jpg", "50", "front", "everest", "ref", None),
            Item("refs/50/b.jpg", "50", "front", "old", "ref", None),
            Item("refs/50/c.jpg", "50", "back", "n/a", "ref", None),
            Item("refs/10/d.jpg", "10", "front", "old", "ref", None)]
    assert without_value_side(refs, "50", "front") == ["refs/50/c.jpg", "refs/10/d.jpg"]


def test_shot_choices_are_seeded_distinct_and_leave_a_shot_to_test():
    a = shot_choices(5, 2, "note-a", choices=3)
    assert a == shot_choices(5, 2, "note-a", choices=3)
    assert len(a) == 3 and len(set(a)) == 3 and all(len(c) == 2 for c in a)
    assert all(c == tuple(sorted(c)) and max(c) < 5 for c in a)
    assert shot_choices(2, 1, "x", choices=5) in ([(0,), (1,)], [(1,), (0,)])
    assert shot_choices(3, 3, "x") == [] and shot_choices(3, 0, "x") == []
    picks = {shot_choices(13, 3, f"note-{i}", choices=1)[0] for i in range(10)}
    assert len(picks) > 1  # the key seeds the choice


def test_wrong_values_never_the_truth_and_repeatable():
    for key in ("a", "b", "c"):
        w = wrong_values("100", key, 3)
        assert "100" not in w and len(set(w)) == 3 and w == wrong_values("100", key, 3)


def test_compare_finds_new_wrong_answers_and_lost_rights():
    before = [dict(file="a", outcome="right"), dict(file="b", outcome="not_sure"),
              dict(file="c", outcome="wrong"), dict(file="d", outcome="right")]
    after = [dict(file="a", outcome="wrong"), dict(file="b", outcome="right"),
             dict(file="c", outcome="wrong"), dict(file="d", outcome="not_sure")]
    assert compare(before, after) == dict(new_wrong=["a"], right_lost=["d"],
                                          right_gained=["b"])
    assert tally([r["outcome"] for r in after]) == dict(right=1, wrong=2, not_sure=1)


def test_negative_counts_per_half():
    rows = [dict(name="n1", half="tune", accepted=True), dict(name="n2", half="tune",
                                                              accepted=False),
            dict(name="n3", half="held_out", accepted=False)]
    assert negative_counts(rows) == dict(tune=dict(n=2, accepted=1, names=["n1"]),
                                         held_out=dict(n=1, accepted=0, names=[]))


def _view(value, side="front"):
    img = synthetic_note(value, side)
    h, w = img.shape[:2]
    quad = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    return view_from_quad(img, quad, side).view


def test_cache_keeps_results_and_taught_notes(tmp_path):
    cache = Cache("v1", tmp_path)
    assert cache.get("x") is None and cache.note("x") is None
    cache.put("x", dict(a=[1, 2]))
    note = TaughtNote("50-20260101-000000-0001", "50", "2026-01-01T00:00:00+00:00", (_view("50"),), "files")
    cache.put_note("x", note)
    assert cache.get("x") == dict(a=[1, 2])
    back = cache.note("x")
    assert back.id == "50-20260101-000000-0001" and np.array_equal(back.views[0].descriptors,
                                                note.views[0].descriptors)
    assert Cache("v2", tmp_path).get("x") is None  # another code version starts afresh


def test_chosen_notes_take_the_largest_k_and_the_cli_path_first(tmp_path):
    cache = Cache("v", tmp_path)
    notes = {}
    ids = {"k1": "50-20260101-000000-0001", "k3-known": "50-20260101-000000-0003",
           "k3-found": "50-20260101-000000-0004"}
    for name in ("k1", "k3-known", "k3-found"):
        notes[name] = TaughtNote(ids[name], "50", "2026-01-01T00:00:00+00:00", (_view("50"),))
        cache.put_note(name, notes[name])
    trials = [dict(ok=True, k=1, variant="found", note_file="k1"),
              dict(ok=True, k=3, variant="known", note_file="k3-known"),
              dict(ok=True, k=3, variant="found", note_file="k3-found"),
              dict(ok=False, k=4, variant="found", note_file=None)]
    chosen = chosen_notes([dict(group="g", trials=trials), dict(group="h", trials=trials[3:])],
                          cache)
    assert list(chosen) == ["g"] and chosen["g"][0].id == ids["k3-found"]


def test_teach_saves_an_unknown_note_and_refuses_a_known_one_as_another_value(tmp_path):
    gallery = synthetic_gallery()  # knows 5, 10, 20, 100, 500 fronts
    verifier = Verifier(gallery)
    none = Negatives([], [])
    saved, note = teach(gallery, verifier, none, "50", [_view("50")], [], None, tmp_path)
    assert saved["ok"] and saved["key"] == "teach.saved" and note.value == "50"
    refused, note = teach(gallery, verifier, none, "5", [_view("100")], [], None, tmp_path)
    assert not refused["ok"] and refused["key"] == "teach.refused.other_value"
    assert "100" in refused["detail"] and note is None


def test_report_says_new_wrong_answers_and_refusals():
    trial = dict(k=1, variant="found", ok=False, key="teach.refused.no_views", detail="",
                 problems=["teach.no_note"], views=0, shots=["p1"], tests=[dict()],
                 right=0, wrong=0, not_sure=1, seconds=0.0)
    note = dict(group="photos/50/a.jpg", value="50", side="front", photos=2,
                before=[dict(named=None, best="10", outcome="not_sure")] * 2,
                before_tally=dict(right=0, wrong=0, not_sure=2), trials=[trial], wrong=[])
    neg = dict(tune=dict(n=2, accepted=0, names=[]), held_out=dict(n=3, accepted=1, names=["x"]))
    rerun = dict(taught=[], folds=1, photos=2, before=dict(right=1, wrong=0, not_sure=1),
                 after=dict(right=0, wrong=1, not_sure=1),
                 changes=dict(new_wrong=["photos/50/a.jpg"], right_lost=[], right_gained=[]),
                 negatives_before=neg, negatives_after=neg,
                 wrong_known=[dict(ok=False, key="teach.refused.other_value", value="5"),
                              dict(ok=True, key="teach.saved", value="20", truth="100",
                                   group="g", right=1, wrong=2, not_sure=0,
                                   views_named=[dict(best="100", accepted=False, inliers=60,
                                                     score=2.0)])])
    text = markdown(dict(seed=1, choices=1, negatives_tuning=2, seconds=1.0, notes=[note],
                         rerun=rerun))
    assert "**New wrong answers: 1**" in text and "teach.refused.no_views 1" in text
    assert "**1/2 refused** (teach.refused.other_value 1)" in text
    assert "| Rs 20 | Rs 100 | `g` | 1 / 2 / 0 | 100 not accepted 60 2.0 |" in text
    assert "| 1/3 ['x'] |" in text and "10 x2" in text


shared = pytest.mark.skipif(not (SHARED_DATA / "npr-notes" / "MANIFEST.csv").is_file(),
                            reason="shared data folder absent")


@shared
def test_the_real_photos_give_ten_teachable_notes_and_blind_folds():
    from training.build_gallery import gallery_items
    from training.data import load_manifest, physical_groups

    items = load_manifest()
    notes = teachable_notes(items)
    groups = physical_groups(items)
    assert len(notes) == 10 and sum(len(n.photos) for n in notes) == 66
    refs = gallery_items(items)
    for n in notes:
        assert {groups[p.file] for p in n.photos} == {n.group}
        assert {(p.denomination, p.side) for p in n.photos} == {(n.value, n.side)}
        keep = set(without_value_side(refs, n.value, n.side))
        assert keep and not any((r.denomination, r.side) == (n.value, n.side)
                                for r in refs if r.file in keep)
        assert all(p.corners is not None for p in n.photos)  # the known-outline variant
