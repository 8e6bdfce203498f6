from desktop_app.scanning.decision import HoldVotes, decide_still
from desktop_app.recognition.evidence import FrameEvidence, Verification
from desktop_app.recognition.thresholds import Thresholds

from tests.recognition.evidence_factory import BLURRED, DARK, GOOD, empty, seen, vague


def test_still_photo_is_named_only_when_the_verifier_accepted_it():
    assert decide_still(seen("500", 0)).label == "500"
    assert decide_still(seen("500", 0, accepted=False)).label == "unsure"


def test_still_photo_without_a_note_is_none():
    assert decide_still(empty(0)).label == "none"


def test_empty_view_without_a_model_is_judged_by_keypoints():
    blank = FrameEvidence(0, GOOD, Verification(keypoints=3), None)
    busy = FrameEvidence(0, GOOD, Verification(keypoints=300), None)
    assert decide_still(blank).label == "none"
    assert decide_still(busy).label == "unsure"


def test_three_agreeing_frames_decide_but_two_ordinary_frames_do_not():
    """Two chance frames of a design the gallery does not know can agree (2 of 36 unknown-
    design holds, models/HOLD_CHECK.md); three did in none."""
    assert Thresholds().agree_frames == 3
    votes = HoldVotes()
    assert votes.add(seen("100", 0.1)) is None
    assert votes.add(seen("100", 0.2)) is None
    decision = votes.add(seen("100", 0.3))
    assert decision.label == "100" and decision.frames_used == 3
    assert decision.reason == "3 frame(s) agree"


def test_one_strong_frame_decides_alone():
    th = Thresholds()
    votes = HoldVotes(th)
    decision = votes.add(seen("1000", 0.1, inliers=th.strong_inliers, score=90.0, runner_up_score=10.0))
    assert decision is not None and decision.label == "1000"


def test_a_refitted_placement_is_never_strong_alone():
    """Refitted inliers (guided correspondences) are no ratio-test inliers: however many, the
    frame waits for others to agree."""
    th = Thresholds()
    votes = HoldVotes(th)
    assert votes.add(seen("1000", 0.1, inliers=5 * th.strong_inliers, score=90.0,
                          runner_up_score=10.0, refined=True)) is None
    assert votes.add(seen("1000", 0.2, refined=True)) is None
    decision = votes.add(seen("1000", 0.3, refined=True))
    assert decision is not None and decision.label == "1000" and decision.frames_used == 3


def test_a_disagreeing_frame_vetoes_the_hold_for_good():
    votes = HoldVotes()
    votes.add(seen("100", 0.1))
    votes.add(seen("1000", 0.2))
    for i in range(5):
        assert votes.add(seen("100", 0.3 + i * 0.1)) is None
    final = votes.conclude(1.0)
    assert final.label == "unsure" and "disagree" in final.reason


def test_rejected_frames_never_count():
    votes = HoldVotes()
    for i in range(10):
        assert votes.add(seen("50", i * 0.1, accepted=False)) is None
    assert votes.conclude(1.0).label == "unsure"


def test_no_note_in_most_frames_concludes_none():
    votes = HoldVotes()
    for i in range(4):
        votes.add(empty(i * 0.1))
    votes.add(vague(0.5))
    assert votes.conclude(0.6).label == "none"


def test_hints_follow_the_most_common_problem():
    dark = HoldVotes()
    blurred = HoldVotes()
    far = HoldVotes()
    for i in range(3):
        dark.add(vague(i, quality=DARK))
        blurred.add(vague(i, quality=BLURRED))
        far.add(vague(i, hint="move_closer"))
    assert dark.conclude(3).hint == "too_dark"
    assert blurred.conclude(3).hint == "blurred"
    assert far.conclude(3).hint == "move_closer"
    assert HoldVotes().conclude(0).label == "unsure"


def test_note_seen_but_never_placed_asks_to_move_closer():
    """The model sees a note in most frames, yet no reference could be placed on it."""
    from desktop_app.recognition.evidence import ModelOutput
    unplaced = HoldVotes()
    for i in range(3):
        unplaced.add(FrameEvidence(i, GOOD, Verification(keypoints=300),
                                   ModelOutput(0.9, (("5", 0.5),))))
    assert unplaced.conclude(3).hint == "move_closer"
    unseen = HoldVotes()
    for i in range(3):
        unseen.add(FrameEvidence(i, GOOD, Verification(keypoints=300),
                                 ModelOutput(0.4, (("5", 0.5),))))
    assert unseen.conclude(3).hint is None


def placed_unnamed(t, *, inliers=20):
    """A note placed by the artwork every value shares, with no value named."""
    return seen("100", t, inliers=inliers, score=1.0, runner_up_score=0.0, accepted=False)


def test_a_note_placed_without_a_value_more_often_than_named_is_not_named():
    """An unknown design: the shared artwork places it in most frames, chance names a value in
    a few; such frames agreeing must not decide the hold (tools/hold_check.py)."""
    th = Thresholds()
    votes = HoldVotes(th)
    for i in range(7):
        assert votes.add(placed_unnamed(0.1 * i)) is None
    for i in range(th.agree_frames):  # they agree, but 7 placed frames named nothing
        assert votes.add(seen("100", 0.7 + 0.1 * i)) is None
    assert votes.unnamed == 7 and votes.mostly_unnamed
    final = votes.conclude(1.0)
    assert final.label == "unsure" and "without a value" in final.reason
    # unnamed_per_named (2) per named frame: then the agreeing frames decide
    decision = votes.add(seen("100", 1.1))
    assert decision is not None and decision.label == "100"


def test_a_few_unnamed_frames_do_not_stop_a_hold():
    """A known note bent or half covered is sometimes placed without its value (3 of 408 hard
    frames): up to unnamed_per_named of those per named frame change nothing."""
    th = Thresholds()
    votes = HoldVotes(th)
    for i in range(6):
        votes.add(placed_unnamed(0.1 * i))
    assert votes.add(seen("100", 0.6)) is None
    assert votes.add(seen("100", 0.7)) is None
    assert votes.add(seen("100", 0.8)).label == "100"


def test_a_strong_frame_does_not_outvote_a_hold_of_unnamed_placements():
    th = Thresholds()
    votes = HoldVotes(th)
    for i in range(3):
        votes.add(placed_unnamed(0.1 * i))
    assert votes.add(seen("1000", 0.3, inliers=th.strong_inliers, score=90.0,
                          runner_up_score=10.0)) is None


def test_only_frames_that_place_a_note_count_as_unnamed():
    """A frame with fewer than min_inliers places nothing (clutter, a blurred note): it says
    nothing about the design, and a hard hold full of them is named as before."""
    th = Thresholds()
    votes = HoldVotes(th)
    for i in range(5):
        votes.add(placed_unnamed(0.1 * i, inliers=th.min_inliers - 1))
        votes.add(vague(0.1 * i + 0.05))
    assert votes.unnamed == 0
    assert votes.add(seen("50", 0.6)) is None
    assert votes.add(seen("50", 0.7)) is None
    assert votes.add(seen("50", 0.8)).label == "50"
