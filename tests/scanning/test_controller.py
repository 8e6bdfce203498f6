from desktop_app.voice.announcer import Announcer
from desktop_app.scanning.controller import OFF, PRESENCE, SCAN, ScanController, presence_of
from desktop_app.recognition.evidence import FrameEvidence
from desktop_app.voice.phrases import PhraseCatalogue
from tests.spies import SpeechSpy
from desktop_app.recognition.thresholds import Thresholds

from tests.recognition.evidence_factory import empty, seen, vague

TH = Thresholds()


def make(*, kiosk=False, has_model=True):
    spy = SpeechSpy()
    announcer = Announcer(PhraseCatalogue.load(), spy, clock=lambda: 0.0)
    return ScanController(announcer, has_model=has_model, kiosk=kiosk, thresholds=TH), announcer, spy


def feed(controller, evidences):
    """Each frame evaluated in the mode the controller asked for, as the callers do."""
    outcomes = []
    for evidence in evidences:
        outcomes += controller.tick(evidence.t)
        outcomes += controller.add(evidence, controller.mode)
    return outcomes


def kinds(outcomes):
    return [o.event.kind for o in outcomes]


def test_mode_is_off_until_a_key_hold_asks_for_verified_frames():
    controller, _, _ = make()
    assert controller.mode == OFF
    controller.press(0.0)
    assert controller.mode == SCAN
    controller.release(0.1)
    controller.tick(0.1 + TH.tap_burst + 1.0)  # the tap burst ends with an answer
    assert controller.mode == OFF


def test_a_waiting_kiosk_asks_the_model_only_and_verifies_without_one():
    assert make(kiosk=True, has_model=True)[0].mode == PRESENCE
    assert make(kiosk=True, has_model=False)[0].mode == SCAN


def test_a_kiosk_scan_verifies_frames():
    controller, _, _ = make(kiosk=True)
    t = 0.0
    while controller.mode == PRESENCE:
        t += 0.1
        assert t < 2.0, "the kiosk never started"
        feed(controller, [seen("100", t)])
    assert controller.mode == SCAN


def test_a_key_hold_start_is_only_the_start_tone():
    controller, _, spy = make()
    outcomes = controller.press(0.0)
    assert kinds(outcomes) == ["started"] and outcomes[0].message is None
    assert spy.earcons == ["start"] and spy.spoken == []


def test_two_agreeing_frames_announce_the_note_once():
    controller, announcer, spy = make()
    controller.press(0.0)
    outcomes = feed(controller, [seen("500", 0.2 * i) for i in range(1, 8)])
    outcomes += controller.release(1.6)
    outcomes += controller.tick(2.0)
    decisions = [o for o in outcomes if o.event.kind == "decision"]
    assert len(decisions) == 1
    assert decisions[0].event.decision.label == "500"
    assert decisions[0].message.key == "note.500" and decisions[0].message.kind == "result"
    assert spy.keys == ["note.500"]
    assert announcer.total == 500


def test_frames_seen_only_for_presence_do_not_vote():
    controller, _, spy = make()
    controller.press(0.0)
    outcomes = []
    for i in range(1, 6):
        outcomes += controller.add(seen("500", 0.2 * i), PRESENCE)
    assert "decision" not in kinds(outcomes) and spy.spoken == []


def test_a_kiosk_says_scanning_then_the_note_then_next_customer_and_starts_a_new_total():
    controller, announcer, spy = make(kiosk=True)
    t, outcomes = 0.0, []
    for _ in range(40):  # a customer shows a note and leaves it there for 4 s
        t += 0.1
        outcomes += feed(controller, [seen("500", t)])
    started = [o for o in outcomes if o.event.kind == "started"]
    assert len(started) == 1 and started[0].message.key == "kiosk.scanning"
    assert spy.keys == ["kiosk.scanning", "note.500"]
    assert announcer.total == 500
    for _ in range(20):  # the note is taken away
        t += 0.1
        outcomes += feed(controller, [empty(t)])
    assert kinds(outcomes) == ["started", "decision", "rearmed"]
    assert outcomes[-1].message.key == "kiosk.next_customer"
    assert spy.keys == ["kiosk.scanning", "note.500", "kiosk.next_customer"]
    assert announcer.total == 0


def test_cancel_ends_a_hold_without_an_answer():
    controller, _, spy = make()
    controller.press(0.0)
    feed(controller, [vague(0.2)])
    controller.cancel()
    assert controller.mode == OFF
    assert kinds(controller.tick(5.0)) == [] and spy.spoken == []


def test_presence_falls_back_to_a_verified_match_without_a_model():
    assert presence_of(seen("100", 0.0, presence=0.7), TH) == 0.7
    strip = lambda e: FrameEvidence(e.t, e.quality, e.verification)  # noqa: E731
    assert presence_of(strip(seen("100", 0.0)), TH) == 1.0
    assert presence_of(strip(seen("100", 0.0, inliers=TH.min_inliers - 1)), TH) == 0.0
    assert presence_of(strip(empty(0.0)), TH) == 0.0


def test_a_press_while_scanning_cannot_work_says_why_with_its_advice_and_scans_nothing():
    controller, _, spy = make()
    controller.problem = ("camera.missing", {}, ("video.offer",))
    outcomes = controller.press(0.0)
    assert kinds(outcomes) == ["blocked"]
    assert outcomes[0].message.keys == ("camera.missing", "video.offer")
    assert controller.mode == OFF and spy.keys == ["camera.missing"]
    controller.release(0.1)
    controller.tick(0.3)
    controller.problem = None
    assert kinds(controller.press(1.0)) == ["started"] and controller.mode == SCAN


def test_kiosk_without_a_gallery_tells_each_customer_the_real_problem_not_unsure():
    controller, _, spy = make(kiosk=True)
    controller.problem = ("gallery.missing", {"path": "models/gallery.npz"}, ())
    t, outcomes = 0.0, []
    for _ in range(30):  # a customer's note settles, stays, is taken away
        t += 0.1
        outcomes += controller.tick(t) + controller.add(seen("500", t), controller.mode)
    for _ in range(20):  # the virtual hold (KIOSK_SCAN_LENGTH) ends, then the view stays clear
        t += 0.1
        outcomes += controller.tick(t) + controller.add(empty(t), controller.mode)
    assert kinds(outcomes) == ["blocked", "rearmed"]
    assert spy.keys == ["gallery.missing", "kiosk.next_customer"]
    assert "result.unsure" not in spy.keys and "kiosk.scanning" not in spy.keys
