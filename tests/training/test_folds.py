"""Evaluation plumbing on made-up items and synthetic frames (no shared data needed)."""
from dataclasses import replace

import numpy as np

from desktop_app.recognition.thresholds import DEFAULT
from desktop_app.recognition.verifier import Verifier
from tests.builders.notes import (other_colours, place_note, synthetic_gallery, synthetic_note,
                                  synthetic_scene)
from training.build_gallery import MAX_PHOTOS_PER_NOTE, gallery_items
from training.data import Item
from training.hard_eval import hard_folds, summarise_hard

QUAD = [[0, 0], [10, 0], [10, 5], [0, 5]]
QUAD_PX = [[120, 90], [520, 120], [500, 330], [110, 300]]


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


def test_the_unknown_design_check_leaves_out_every_reference_of_the_side(tmp_path, monkeypatch):
    """Each photo faces a gallery without its value's side; anything named there counts."""
    from dataclasses import replace

    import cv2

    import training.folds as folds
    from desktop_app.recognition.thresholds import DEFAULT
    from desktop_app.recognition.verifier import Options
    from tests.builders.notes import unknown_design_with_one_element_of
    from training.build_gallery import build
    from training.evaluate import summarise_absent

    monkeypatch.setattr(folds, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(folds, "NPR_DIR", tmp_path)
    refs = [Item(f"refs/{d}/s.png", d, "front", "s", "ref", None) for d in ("5", "10", "100", "500")]
    photos = [Item("photos/500/a.png", "500", "front", "s", "photo", None),
              Item("photos/50/b.png", "50", "front", "s", "photo", None)]
    images = {**{r.file: synthetic_note(r.denomination) for r in refs},
              "photos/500/a.png": place_note(synthetic_note("500"), synthetic_scene(5), QUAD_PX),
              "photos/50/b.png": place_note(unknown_design_with_one_element_of("500"),
                                            synthetic_scene(5), QUAD_PX)}
    for name, img in images.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(tmp_path / name), img)
    full = build(refs, root=tmp_path, weighted=False)
    rows = {r["file"]: r for r in folds.evaluate_absent(full, refs + photos, DEFAULT, Options())}
    assert set(rows) == {p.file for p in photos}
    assert not any(r["covered"] for r in rows.values())
    # the Rs 500 note without any Rs 500 reference: placed by the panel, never named
    assert rows["photos/500/a.png"]["outcome"] == "not_sure"
    assert rows["photos/50/b.png"]["outcome"] == "not_sure"
    loose = folds.evaluate_absent(full, refs + photos, replace(DEFAULT, min_value_regions=0),
                                  Options())
    named = summarise_absent(loose)
    assert named["named"] == 1 and named["named_rows"][0]["named"] == "500"
    assert named["named_rows"][0]["file"] == "photos/50/b.png"
    assert [r["outcome"] for r in loose if r["accepted"]] == ["wrong"]


def test_cached_verdicts_check_colour_like_the_app(tmp_path, monkeypatch):
    """The evaluation verifies from cached features but must still see the frame's colours:
    a note whose grey pattern is known and whose colours are not is named by neither."""
    import training.folds as folds
    monkeypatch.setattr(folds, "CACHE_DIR", tmp_path)
    gallery = synthetic_gallery(("5", "500"))
    # (never waived: this synthetic note proves its value all over, which waives the check)
    v = Verifier(gallery, replace(DEFAULT, colour_waived_value=float("inf")))
    recoloured = other_colours(synthetic_note("500"), synthetic_note("10", "back")[::-1, ::-1])
    frame = place_note(recoloured, synthetic_scene(3), QUAD_PX)
    cached = folds.verify_cached(v, "x", lambda: frame, "id-recoloured")
    assert cached.denomination == "500" and not cached.accepted
    assert cached.colour is not None and folds.record(cached)["colour"] == round(cached.colour, 3)
    assert v.verify(frame).accepted is False
    # ... and the waiver as the app applies it
    shipped = Verifier(gallery)
    assert folds.verify_cached(shipped, "x", lambda: frame, "id-recoloured").accepted is \
        shipped.verify(frame).accepted is True


def test_the_threshold_sweep_keeps_the_colour_checks_verdict():
    from training.evaluate import sweep

    row = dict(denomination="50", truth="20", covered=True, inliers=40, score=30.0,
               runner_up_score=0.0, refined=False, regions=6, half="tune")
    rows = sweep([dict(row, colour=-0.4, file="a")], [], [dict(row, colour=-0.4)],
                 [dict(row, colour=-0.4)])
    assert all(r["photos_wrong"] == r["hard_wrong"] == r["absent_named"] == 0 for r in rows)
    rows = sweep([dict(row, colour=0.6, file="a")], [], [], [])
    assert all(r["photos_wrong"] == 1 for r in rows)
    # value evidence that waives the check (Thresholds.colour_waived): named whatever the colour
    proven = dict(row, score=DEFAULT.colour_waived_value, regions=DEFAULT.colour_waived_regions)
    rows = sweep([dict(proven, colour=-0.4, file="a")], [], [], [])
    assert all(r["photos_wrong"] == 1 for r in rows)


def test_a_cache_file_cut_short_is_computed_again(tmp_path, monkeypatch):
    """Two evaluations share the cache; a file another one left half-written (or a run
    stopped mid-write) is not an error, it is computed again."""
    import training.folds as folds
    monkeypatch.setattr(folds, "CACHE_DIR", tmp_path)
    v = Verifier(synthetic_gallery(("5",)))
    frame = place_note(synthetic_note("5"), synthetic_scene(2), QUAD_PX)
    first = folds.frame_features(v, "x", lambda: frame, "id1")
    (cached,) = (tmp_path / "frames").glob("*.npz")
    cached.write_bytes(cached.read_bytes()[:100])
    again = folds.frame_features(v, "x", lambda: frame, "id1")
    np.testing.assert_array_equal(first.descriptors, again.descriptors)
    assert np.load(cached)["points"].shape == first.points.shape  # replaced whole
    assert list((tmp_path / "frames").glob("*.tmp*")) == []


def test_every_look_has_its_own_cache_key_and_the_denoised_one_follows_its_settings(monkeypatch):
    import desktop_app.recognition.frames as frames_mod
    from training.folds import _pass_key

    looks = [p for p in frames_mod.PASSES if p != "pooled"]  # pooled is made of others' features
    assert len({_pass_key(p) for p in looks}) == len(looks)
    before = _pass_key("denoised_enlarged")
    monkeypatch.setattr(frames_mod, "DENOISE_STRENGTH", frames_mod.DENOISE_STRENGTH + 1)
    assert _pass_key("denoised_enlarged") != before
    stronger = _pass_key("denoised_enlarged")
    monkeypatch.setattr(frames_mod, "DENOISE_WINDOWS", (5, 15))
    assert _pass_key("denoised_enlarged") != stronger
