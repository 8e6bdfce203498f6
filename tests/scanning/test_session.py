from desktop_app.scanning.session import ScanSession
from desktop_app.recognition.thresholds import Thresholds

from tests.recognition.evidence_factory import empty, seen

TH = Thresholds()


def decisions(events):
    return [e.decision for e in events if e.kind == "decision"]


def test_hold_speaks_as_soon_as_sure_and_only_once():
    s = ScanSession(TH)
    assert [e.kind for e in s.press(0.0)] == ["started"]
    assert decisions(s.add(seen("500", 0.2))) == []
    assert decisions(s.add(seen("500", 0.3))) == []
    said = decisions(s.add(seen("500", 0.4)))  # TH.agree_frames (3) agree
    assert [d.label for d in said] == ["500"]
    for i in range(10):  # key still down: more frames are neither wanted nor announced
        assert decisions(s.add(seen("500", 0.6 + i * 0.1))) == []
    assert not s.wants_frames
    s.release(2.0)
    assert decisions(s.tick(2.2)) == []
    assert s.state == "idle"


def test_autorepeat_events_are_ignored():
    s = ScanSession(TH)
    s.press(0.0)
    for i in range(1, 20):
        assert s.press(i * 0.03, autorepeat=True) == []
        assert s.release(i * 0.03, autorepeat=True) == []
        assert decisions(s.tick(i * 0.03)) == []
    assert s.wants_frames and s.key_down


def test_unflagged_release_press_pairs_do_not_end_the_hold():
    s = ScanSession(TH)
    s.press(0.0)
    t = 0.0
    for _ in range(60):  # 2 s of X11 autorepeat delivered as plain release/press pairs
        t += 0.033
        s.release(t)
        assert s.press(t + 0.001) == []
        assert decisions(s.tick(t + 0.002)) == []
    assert s.state == "scanning"
    s.release(t + 0.05)
    assert decisions(s.tick(t + 0.2)) == []  # no frames yet: a short grace to collect some
    said = decisions(s.tick(t + 0.05 + TH.tap_burst))
    assert [d.label for d in said] == ["unsure"]  # still no frames, so it cannot be sure


def test_short_tap_keeps_scanning_a_burst_after_release():
    s = ScanSession(TH)
    s.press(0.0)
    s.release(0.05)
    assert decisions(s.tick(0.2)) == []
    assert s.wants_frames  # the burst is still collecting
    decisions(s.add(seen("20", 0.3)))
    decisions(s.add(seen("20", 0.4)))
    said = decisions(s.add(seen("20", 0.5)))
    assert [d.label for d in said] == ["20"]
    assert s.state == "idle"


def test_tap_without_a_sure_answer_concludes_when_the_burst_ends():
    s = ScanSession(TH)
    s.press(0.0)
    s.release(0.05)
    s.add(empty(0.3))
    s.add(empty(0.6))
    assert decisions(s.tick(TH.tap_burst - 0.01)) == []
    said = decisions(s.tick(TH.tap_burst + 0.01))
    assert [d.label for d in said] == ["none"]


def test_release_after_a_long_hold_decides_at_once():
    s = ScanSession(TH)
    s.press(0.0)
    for i in range(8):
        s.add(empty(0.2 + i * 0.2))
    s.release(2.0)
    said = decisions(s.tick(2.0 + s.release_grace))
    assert [d.label for d in said] == ["none"]


def test_key_held_for_minutes_gives_up_once_then_waits_for_release():
    s = ScanSession(TH)
    s.press(0.0)
    said = []
    t = 0.0
    while t < 180.0:
        t += 0.25
        said += decisions(s.add(seen("50", t, accepted=False)))
    assert len(said) == 1 and said[0].hint == "held_too_long"
    assert not s.wants_frames
    s.release(t)
    s.tick(t + 1)
    assert [e.kind for e in s.press(t + 2)] == ["started"]


def test_frames_from_before_the_press_are_ignored():
    s = ScanSession(TH)
    s.press(5.0)
    assert decisions(s.add(seen("100", 4.9))) == []
    assert s.votes.frames == 0


def test_each_hold_starts_with_fresh_votes():
    s = ScanSession(TH)
    s.press(0.0)
    s.add(seen("100", 0.1))
    s.release(0.5)
    s.tick(TH.tap_burst + 0.1)
    s.press(3.0)
    assert decisions(s.add(seen("100", 3.1))) == []  # one frame of the new hold is not enough


def test_a_blocked_hold_says_why_once_however_long_the_key_stays_down():
    s = ScanSession(TH)
    assert [e.kind for e in s.press(0.0, blocked=True)] == ["blocked"]
    t = 0.0
    for _ in range(90):  # 3 s of autorepeat, flagged and as plain release/press pairs
        t += 0.033
        assert s.press(t, autorepeat=True, blocked=True) == []
        s.release(t)
        assert s.press(t + 0.001, blocked=True) == []
        assert s.tick(t + 0.002) == []
    assert not s.wants_frames
    s.release(t + 0.05)
    s.tick(t + 0.2)
    assert s.state == "idle" and not s.key_down
    assert [e.kind for e in s.press(t + 1.0)] == ["started"]  # the problem went away: a real scan


def test_a_session_is_busy_until_a_quick_answer_s_release_is_confirmed():
    """A tap answered within the autorepeat grace: a second press before the release is
    confirmed would be swallowed as autorepeat, so the session says it is still busy."""
    s = ScanSession(TH)
    s.press(0.0)
    s.release(0.0)
    said = decisions(s.add(seen("500", 0.01, inliers=60, score=60.0, runner_up_score=5.0)))
    assert [d.label for d in said] == ["500"] and not s.wants_frames
    assert s.busy
    s.tick(s.release_grace)
    assert not s.busy
    assert [e.kind for e in s.press(0.2)] == ["started"]
