from desktop_app.scanning.kiosk import AutoTrigger
from desktop_app.scanning.session import ScanSession
from desktop_app.recognition.thresholds import Thresholds

from tests.recognition.evidence_factory import seen

TH = Thresholds()


def test_kiosk_scans_when_a_note_settles_and_rearms_when_it_leaves():
    session = ScanSession(TH)
    kiosk = AutoTrigger(session, TH)
    t = 0.0
    kinds = []
    for _ in range(3):  # empty view
        t += 0.1
        kinds += [e.kind for e in kiosk.observe(0.05, t)]
    assert kinds == []
    while not session.wants_frames:  # a note is shown
        t += 0.1
        kinds += [e.kind for e in kiosk.observe(0.95, t)]
    assert kinds == ["started"]
    decided = []
    for _ in range(TH.agree_frames):
        t += 0.2
        decided += [e.decision.label for e in session.add(seen("500", t)) if e.kind == "decision"]
    assert decided == ["500"]
    for _ in range(60):  # the same customer leaves the note there: no second scan
        t += 0.1
        session.tick(t)
        kinds += [e.kind for e in kiosk.observe(0.95, t)]
    assert kinds == ["started"] and not session.wants_frames
    for _ in range(10):  # note taken away
        t += 0.1
        session.tick(t)
        kinds += [e.kind for e in kiosk.observe(0.02, t)]
    assert kinds == ["started", "rearmed"]


def test_a_flicker_of_presence_does_not_start_a_scan():
    session = ScanSession(TH)
    kiosk = AutoTrigger(session, TH)
    events = []
    for i in range(20):
        events += kiosk.observe(0.95 if i % 2 else 0.1, i * 0.1)
    assert events == [] and not session.wants_frames
