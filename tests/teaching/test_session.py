"""The teach steps by keys and voice: what is said, when, and what is handed on to be checked."""
import pytest

from desktop_app.teaching import session as session_mod
from desktop_app.teaching.session import CHECKING, COLLECTING, DONE, SIDE, VALUE, TeachSession
from desktop_app.teaching.teacher import Outcome
from desktop_app.teaching.views import Examined, examine
from desktop_app.voice.announcer import Announcer
from desktop_app.voice.phrases import PhraseCatalogue
from tests.spies import SpeechSpy
from tests.teaching.conftest import frame_of

VIEW_SPACING = session_mod.TEACH_VIEW_SPACING


@pytest.fixture(scope="module")
def shots():
    good = [examine(frame_of("50", p), "front") for p in range(4)]
    back = [examine(frame_of("50", p, "back"), "back") for p in range(4)]
    other = examine(frame_of("20", 1), "front")
    return good, back, other


def collecting(s, digit=4):
    """Ctrl+T done, a value chosen, Space down."""
    s.start()
    s.choose(digit)
    s.press(0.0)


@pytest.fixture
def taught():
    spy = SpeechSpy()
    s = TeachSession(Announcer(PhraseCatalogue.load(), spy, language="en"))
    return s, spy


def test_the_value_is_asked_for_and_said_back(taught):
    s, spy = taught
    s.start()
    assert s.state == VALUE and spy.keys == ["teach.start"]
    s.choose(9)
    s.other_key()
    s.press(0.0)  # Space before a value: told which keys work, nothing starts
    assert spy.keys[1:] == ["teach.bad_key"] * 3 and s.state == VALUE
    s.choose(5)
    assert s.value == "100" and s.state == SIDE
    assert spy.last.key == "teach.value" and spy.last.text.startswith("100 rupees")


def test_both_sides_are_collected_then_handed_on_to_be_checked(taught, shots):
    s, spy = taught
    good, back, _ = shots
    collecting(s)
    assert s.state == COLLECTING and s.wants_frames and spy.earcons == ["start"]
    t = 0.0
    for shot in good[:3]:
        t += VIEW_SPACING + 0.01
        assert s.add(shot, t) is None
    assert spy.earcons.count("tick") == 3
    assert spy.last.key == "teach.other_side" and s.state == SIDE
    s.release(t + 0.1)
    assert spy.last.key == "teach.other_side"  # enough was said in that hold
    s.press(t + 1)
    request = None
    for shot in back[:3]:
        t += 1
        request = s.add(shot, t) or request
    assert request is not None and request.value == "50" and s.state == CHECKING
    assert [v.side for v in request.views] == ["first"] * 3 + ["second"] * 3
    assert spy.last.key == "teach.checking"
    assert s.cancel() is False and s.state == CHECKING  # the check runs to its end
    s.finish(Outcome(True, "teach.saved", {"value": "50"}))
    assert s.state == DONE and spy.last.key == "teach.saved" and "50 rupees" in spy.last.text


def test_a_refusal_is_said_as_an_error_with_its_value(taught, shots):
    s, spy = taught
    s.start()
    s.choose(1)
    s.state, s.value = CHECKING, "5"
    s.finish(Outcome(False, "teach.refused.other_value", {"value": "500"}))
    assert spy.last.key == "teach.refused.other_value"
    assert spy.last.text == "This looks like a 500 rupee note; not saved."


def test_near_copies_wait_and_another_note_is_not_kept(taught, shots):
    s, spy = taught
    good, _, other = shots
    collecting(s)
    s.add(good[0], 1.0)
    s.add(good[1], 1.0 + VIEW_SPACING / 2)  # too soon after the last kept one
    assert len(s.views) == 1
    t = 2.0
    for _ in range(12):  # another note, held for a while: said once, never kept
        t += 0.2
        s.add(other, t)
    assert len(s.views) == 1
    assert spy.keys.count("teach.same_note") == 1


def test_guidance_comes_once_per_hold_after_a_run_of_failing_frames(taught):
    s, spy = taught
    collecting(s, 7)
    for i in range(30):
        s.add(Examined("teach.partial"), 0.2 * i)
    assert spy.keys.count("teach.partial") == 1
    s.release(6.5)
    assert spy.keys.count("teach.partial") == 1  # not again on release
    s.press(7.0)
    s.add(Examined("teach.blurred"), 7.1)
    s.release(7.3)  # let go before any guidance: told why nothing was kept
    assert spy.last.key == "teach.blurred"
    s.press(8.0)
    s.release(8.1)
    assert spy.last.key == "teach.keep_holding"


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_escape_cancels_every_step_and_keeps_nothing(taught, shots, steps):
    s, spy = taught
    s.start()
    if steps >= 1:
        s.choose(2)
    if steps >= 2:
        s.press(0.0)
        s.add(shots[0][0], 1.0)
    assert s.cancel() is True
    assert s.state == DONE and s.views == [] and spy.last.key == "teach.cancelled"
    assert s.cancel() is False


def test_the_second_side_must_be_the_other_side(taught, shots):
    s, spy = taught
    good, back, _ = shots
    collecting(s)
    for i, shot in enumerate(good[:3]):
        s.add(shot, 1.0 + i)
    s.release(4.0)
    s.press(5.0)
    t = 5.0
    for _ in range(12):  # the same side shown again: said once, never kept
        t += 0.2
        s.add(good[3], t)
    assert spy.keys.count("teach.turn_over") == 1 and len(s.views) == 3
    s.add(back[0], t + 1)
    assert [v.side for v in s.views] == ["first"] * 3 + ["second"]


def test_letting_go_after_the_picture_stopped_says_nothing_more(taught):
    s, spy = taught
    collecting(s, 3)
    said = len(spy.spoken)
    s.release(0.5, quiet=True)  # the front end has said the camera was lost
    assert len(spy.spoken) == said and s.state == "side"
