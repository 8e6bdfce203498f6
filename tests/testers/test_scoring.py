"""Scoring what was said against what was in view."""
from desktop_app.testers.reading import Span
from desktop_app.testers.scoring import Scored, hold_truth, label_at, outcome, summarise, truth_for


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
