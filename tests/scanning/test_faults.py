"""Space hammered (pressed and released as fast as a hand or a bouncing switch can): every
scan is answered once and never overlaps another, presses closer than the release grace are
one hold, and the session always comes back to idle."""
import pytest

from desktop_app.recognition.thresholds import Thresholds
from desktop_app.scanning.session import ScanSession
from desktop_app.timing import RELEASE_GRACE
from tests.recognition.evidence_factory import seen

TH = Thresholds()


def _hammer(period: float, length: float = 10.0) -> tuple[list[str], ScanSession, int]:
    """Presses every ``period`` s, released half way; one frame of a Rs 100 note per press."""
    s = ScanSession(TH)
    kinds, t, presses = [], 0.0, 0
    while t < length:
        presses += 1
        kinds += [e.kind for e in s.press(t)]
        kinds += [e.kind for e in s.add(seen("100", t + period / 4))]
        kinds += [e.kind for e in s.release(t + period / 2)]
        t += period
        kinds += [e.kind for e in s.tick(t - 0.001)]
    for _ in range(40):  # hammering stops: whatever scan is open ends
        t += 0.1
        kinds += [e.kind for e in s.tick(t)]
    return kinds, s, presses


@pytest.mark.parametrize("period", [0.5, 0.25, 0.2])  # distinct taps, 2 to 5 a second
def test_hammered_taps_answer_each_scan_once(period):
    kinds, s, presses = _hammer(period)
    starts, answers = kinds.count("started"), kinds.count("decision")
    assert starts == answers  # every scan answered once, none open or overlapping
    # A scan needs TH.agree_frames agreeing frames (one per press here), so about one answer
    # per that many presses.
    n = TH.agree_frames
    assert presses / n - 1 <= answers <= presses / n + 1
    assert s.state == "idle" and not s.wants_frames


@pytest.mark.parametrize("period", [0.15, 0.1, 0.02])  # releases shorter than the grace: a bouncing key
def test_presses_closer_than_the_grace_are_one_hold(period):
    assert period / 2 < RELEASE_GRACE
    kinds, s, _ = _hammer(period)
    assert kinds.count("started") == kinds.count("decision") == 1
    assert s.state == "idle"
