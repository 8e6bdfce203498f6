"""The torch-free half of training: the plan of synthetic frames, and the CLI without torch."""
import argparse
import importlib.util

import pytest

from desktop_app.recognition.evidence import DENOMINATIONS
from training.data import Item
from training.train_plan import plan_training_set, summarise


def test_plan_counts_per_kind_and_keeps_recoloured_notes_untaught():
    ref = Item("refs/100/a__scan.jpg", "100", "front", "everest", "ref", None)
    photo = Item("photos/50/b__x_1.jpg", "50", "back", "n/a", "photo", [[0, 0], [9, 0], [9, 5], [0, 5]])
    args = argparse.Namespace(per_ref=10, per_photo=4, recolour=0.2, in_context=3, negatives=7)
    plan = plan_training_set([ref, photo], args)
    kinds = [(s.kind, s.source) for s in plan]
    assert kinds.count(("note", ref.file)) == 8 and kinds.count(("recoloured", ref.file)) == 2
    assert kinds.count(("note", photo.file)) == 3 and kinds.count(("recoloured", photo.file)) == 1
    assert kinds.count(("in_context", photo.file)) == 3 and kinds.count(("in_context", ref.file)) == 0
    assert kinds.count(("negative", "")) == 7
    assert {s.label for s in plan if s.kind == "recoloured"} == {-1}
    assert {s.label for s in plan if s.source == photo.file and s.kind != "recoloured"} == {DENOMINATIONS.index("50")}
    assert {s.origin for s in plan if s.source == photo.file} == {"b"}  # leave-one-source-out key


def test_summary_counts_presence_and_ranks():
    rows = [dict(presence=0.9, rank=1), dict(presence=0.2, rank=3), dict(presence=0.7, rank=5)]
    s = summarise(rows)
    assert (s["n"], s["presence_on"], s["top1"], s["top3"]) == (3, 2, 1, 2)


@pytest.mark.skipif(importlib.util.find_spec("torch") is not None, reason="torch is installed")
def test_training_without_torch_says_what_to_install():
    from training import train_model
    with pytest.raises(SystemExit, match="training/requirements.txt"):
        train_model.main([])
