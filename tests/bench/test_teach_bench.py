"""Teach mode's benchmark (sections 7 and 8) in quick mode on synthetic notes: it runs through
bench/run.py, and prints and records its figures. No test here looks at how long anything took."""
import json

import numpy as np
import pytest

from bench.teach import VIEWS_PER_NOTE, _Voice, augmented_view, taught_notes
from tests.builders.notes import synthetic_note


def test_augmented_views_differ_and_taught_notes_have_the_window_s_views():
    rng = np.random.default_rng(0)
    note = synthetic_note("50")
    a, b = augmented_view(note, "front", rng), augmented_view(note, "front", rng)
    assert a is not None and b is not None and a.side == "front"
    assert not np.array_equal(a.points[:20], b.points[:20])
    notes, made = taught_notes(3, synthetic=True)
    assert len(notes) == 3 and len({n.id for n in notes}) == 3
    assert all(len(n.views) == VIEWS_PER_NOTE for n in notes)
    assert "3 taught notes" in made and "synthetic" in made


def test_voice_records_what_the_session_says():
    v = _Voice()
    v.say("teach.start")
    v.error("teach.refused.foreign", value=5)
    v.tone("tick")
    assert v.said == ["teach.start", "teach.refused.foreign", "tone:tick"]


def test_quick_run_prints_and_records_the_merge_and_teach_figures(tmp_path, capsys):
    from bench.run import main

    out = tmp_path / "results.json"
    assert main(["--quick", "--synthetic", "--only", "7,8", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "== 7. Teach: start-up merge" in printed and "== 8. Teach: Ctrl+T to saved" in printed
    assert "HEADLESS path" in printed and "[failed]" not in printed
    sections = {s["key"]: s for s in json.loads(out.read_text())["sections"]}
    assert set(sections) == {"7", "8"}
    merge, teach = sections["7"]["figures"], sections["8"]["figures"]
    shipped, merged = (int(x) for x in merge["keypoints shipped / merged"].split(" / "))
    assert merged > shipped and merge["taught notes"] == 2
    assert merge["cold / warm"] > 0 and merge["peak RSS, merged (MB)"] > 0
    assert teach["outcome"] == "teach.saved"
    assert teach["frames examined"] >= 2 * 3  # three views kept per side
    assert teach["Ctrl+T to saved (s)"] > teach["Ctrl+T to checking (video s)"]
    assert sections["8"]["status"] == "ok"


def test_clip_notes_pass_over_notes_the_outline_finder_misses(monkeypatch):
    import bench.teach as teach

    missed = "synthetic 5 front"
    monkeypatch.setattr(teach, "_outlined", lambda flat, value, side: f"synthetic {value} {side}"
                        != missed)
    front, back, said = teach.clip_notes(synthetic=True)
    assert (front[1], front[2], back[1], back[2]) == ("10", "front", "10", "back")
    assert "1 note(s)" in said and missed in said
    monkeypatch.setattr(teach, "_outlined", lambda *a: False)
    with pytest.raises(RuntimeError, match="no value's front and back"):
        teach.clip_notes(synthetic=True)
