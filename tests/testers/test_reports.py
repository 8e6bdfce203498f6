import json

import cv2
import numpy as np
import pytest

from desktop_app.testers.reports import (
    ReportInputError, Scored, Span, confusion_png, hold_truth, label_at, normalise_label, outcome, parse_time, read_holds, read_labels,
    summarise, tradeoff_png, truth_for, write_csv, write_json, write_png,
)


def test_times_and_labels_are_read_the_way_testers_write_them():
    assert parse_time("12.5") == 12.5
    assert parse_time("1:02.5") == 62.5
    assert parse_time("1:00:03") == 3603
    with pytest.raises(ValueError):
        parse_time("soon")
    assert normalise_label("Rs 100") == "100"
    assert normalise_label("rs500") == "500"
    assert normalise_label("NPR 1000") == "1000"
    assert normalise_label("empty") == "none"
    with pytest.raises(ValueError):
        normalise_label("25")


def test_holds_file_with_header_comments_and_mixed_separators(tmp_path):
    path = tmp_path / "holds.csv"
    path.write_text("start,end\n# first note\n0.9, 3.2\n\n4;5  # second\n0:06 0:07.5\n")
    holds = read_holds(path)
    assert holds == [Span(0.9, 3.2), Span(4.0, 5.0), Span(6.0, 7.5)]


def test_labels_need_a_value_and_errors_name_file_and_line(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("start,end,label\n1,3,Rs 100\n3,4,none\n")
    assert read_labels(path) == [Span(1, 3, "100"), Span(3, 4, "none")]
    bad = tmp_path / "bad.csv"
    bad.write_text("1,3,100\n4,5\n")
    with pytest.raises(ReportInputError, match=r"bad\.csv, line 2"):
        read_labels(bad)
    backwards = tmp_path / "backwards.csv"
    backwards.write_text("3,1\n")
    with pytest.raises(ReportInputError, match="before it starts"):
        read_holds(backwards)
    overlapping = tmp_path / "overlap.csv"
    overlapping.write_text("1,3\n2,4\n")
    with pytest.raises(ReportInputError, match="overlap"):
        read_holds(overlapping)
    with pytest.raises(ReportInputError, match="missing.csv"):
        read_holds(tmp_path / "missing.csv")


def test_truth_is_the_label_in_view_for_most_of_the_window():
    labels = [Span(0, 1, "none"), Span(1, 3, "100"), Span(3, 6, "none")]
    assert truth_for(0.9, 3.2, labels) == "100"
    assert truth_for(4, 5, labels) == "none"
    assert truth_for(2.0, 2.0, labels) == "100"  # a tap decided at once
    assert truth_for(7, 8, labels) is None


def test_a_spoken_value_is_judged_by_what_was_in_view_when_it_was_said():
    labels = [Span(0, 1, "none"), Span(1, 3, "100"), Span(3, 6, "none")]
    assert label_at(1.0, labels) == "100" and label_at(3.0, labels) == "none"  # half-open, like frames
    # Pressed before the note came, spoken on the first frame showing it: the note was the truth.
    assert hold_truth(0.5, 1.2, "100", 1.0, labels) == "100"
    # Spoken after the note was taken away: judged against the empty view -> wrong.
    assert hold_truth(2.5, 3.5, "100", 3.2, labels) == "none"
    # An abstention is judged against most of its scan.
    assert hold_truth(0.9, 3.2, "unsure", 3.3, labels) == "100"
    assert hold_truth(4.0, 5.0, None, None, labels) == "none"


def test_outcomes_keep_wrong_values_apart_from_abstentions():
    assert outcome("100", "100") == "right"
    assert outcome("100", "500") == "wrong"
    assert outcome("none", "500") == "wrong"  # a value spoken with no note: still wrong
    assert outcome("100", "unsure") == "unsure"
    assert outcome("100", "none") == "none"
    assert outcome("none", "none") == "right"
    assert outcome("none", "unsure") == "right"  # e.g. a foreign note: not naming a value is right
    assert outcome("100", None) == "missed"
    assert outcome(None, "100") is None


def test_summary_counts_by_hand():
    items = [
        Scored("100", "100", 0.4), Scored("100", "100", 0.6), Scored("100", "unsure", 1.2),
        Scored("500", "1000", 0.4), Scored("none", "none", 1.2), Scored("500", None), Scored(None, "100", 0.4),
    ]
    s = summarise(items)
    assert (s["items"], s["labelled"], s["unlabelled"]) == (7, 6, 1)
    assert (s["right"], s["wrong"], s["unsure"], s["none"], s["missed"]) == (3, 1, 1, 0, 1)
    assert s["accuracy"] == round(3 / 6, 4)
    assert s["wrong_rate"] == round(1 / 6, 4)
    assert s["coverage"] == round(3 / 5, 4)  # notes whose value was spoken: 100, 100, 500->1000
    assert s["time_to_announce_s"] == {"count": 2, "mean": 0.5, "median": 0.5, "max": 0.6}  # values only
    assert s["per_class"]["100"] == {"count": 3, "right": 2, "wrong": 0, "unsure": 1, "none": 0, "missed": 0,
                                     "accuracy": round(2 / 3, 4)}
    conf = s["confusion"]
    row = conf["counts"][conf["rows"].index("500")]
    assert row[conf["columns"].index("1000")] == 1 and row[conf["columns"].index("missed")] == 1
    assert sum(map(sum, conf["counts"])) == 6


def test_writers_and_charts(tmp_path):
    write_json(tmp_path / "a" / "r.json", {"text": "एक सय रुपैयाँ", "x": 1.5})
    assert json.loads((tmp_path / "a" / "r.json").read_text(encoding="utf-8"))["text"] == "एक सय रुपैयाँ"
    write_csv(tmp_path / "r.csv", [{"t": 1.23456, "said": "100", "extra": 1}, {"t": None, "said": "none"}], ("t", "said"))
    assert (tmp_path / "r.csv").read_text().splitlines() == ["t,said", "1.235,100", ",none"]
    s = summarise([Scored("100", "100"), Scored("100", "500"), Scored("none", "unsure")])
    img = confusion_png(s["confusion"])
    points = [{"min_inliers": mi, "min_margin": m, "coverage": c, "wrong_rate": w}
              for m in (1.5, 2.0) for mi, c, w in ((6, 0.9, 0.2), (12, 0.7, 0.05), (30, 0.3, 0.0))]
    chart = tradeoff_png(points, {**points[1], "min_margin": 1.5}, "trade-off")
    for name, image in (("c.png", img), ("t.png", chart)):
        write_png(tmp_path / name, image)
        back = cv2.imread(str(tmp_path / name))
        assert back is not None and back.shape == image.shape
        assert np.std(back) > 10  # something was drawn, not a blank page
