"""The real window, driven by real key events, on a video of a synthetic note.

The recognizer, gallery and ONNX model are real (built by the fixtures); only the speech
engine is a spy, so the assertions are about what the user would hear and what a screen
reader would be told.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import NOTE, decisions, hold_space, release_space

NOTE_KEY = f"note.{NOTE}"


def test_preview_shows_frames_from_the_video(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video))
    qtbot.waitUntil(lambda: run.window.preview.frames_shown >= 3, timeout=10000)
    assert not run.window.preview.pixmap().isNull()
    assert run.heard("welcome")
    assert run.heard("video.opened")


def test_holding_space_on_a_note_says_its_value_once(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video))
    window = run.window
    qtbot.waitUntil(lambda: window.preview.frames_shown >= 2, timeout=10000)

    assert hold_space(qtbot, window, until=lambda: run.heard(NOTE_KEY))
    spoken = run.heard(NOTE_KEY)[0]
    assert spoken.text == "500 rupees"
    assert "start" in run.spy.earcons  # the scan began with a tone, not words

    # The same words reached the screen reader as an assertive announcement, and the screen.
    results = decisions(run)
    assert [p.text for p in results] == [spoken.text]
    assert results[0].politeness == "assertive"
    assert window.result_label.text() == spoken.text

    # Still holding: autorepeat keeps coming, but a hold speaks once.
    hold_space(qtbot, window, until=lambda: False, timeout_ms=800)
    release_space(window)
    qtbot.wait(300)
    assert len(run.heard(NOTE_KEY)) == 1
    assert len(decisions(run)) == 1
    assert window.session.state == "idle"


def test_r_repeats_the_last_result(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video))
    assert hold_space(qtbot, run.window, until=lambda: run.heard(NOTE_KEY))
    release_space(run.window)
    QTest.keyClick(run.window, Qt.Key.Key_R)
    assert len(run.heard(NOTE_KEY)) == 2
    assert [p.text for p in decisions(run)] == ["500 rupees", "500 rupees"]


def test_a_short_tap_scans_a_burst(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video))
    qtbot.waitUntil(lambda: run.window.preview.frames_shown >= 2, timeout=10000)
    QTest.keyClick(run.window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(decisions(run)) == 1, timeout=15000)
    assert run.window.recognition.evaluated >= 1
    assert run.heard(NOTE_KEY) or run.heard("result.unsure")


def test_scan_button_press_and_hold_with_the_mouse(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video))
    button = run.window.scan_button
    qtbot.waitUntil(lambda: run.window.preview.frames_shown >= 2, timeout=10000)
    QTest.mousePress(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(run.heard(NOTE_KEY)), timeout=20000)
    QTest.mouseRelease(button, Qt.MouseButton.LeftButton)
    qtbot.wait(200)
    assert len(run.heard(NOTE_KEY)) == 1


def test_missing_model_and_gallery_are_said_and_space_explains(qtbot, start_app, ui_assets, tmp_path):
    run = start_app(str(ui_assets.empty_video), model=tmp_path / "none.onnx", gallery=tmp_path / "none.npz")
    assert run.heard("model.missing")
    assert run.heard("gallery.missing")
    before = len(run.heard("gallery.missing"))
    QTest.keyClick(run.window, Qt.Key.Key_Space)
    assert len(run.heard("gallery.missing")) == before + 1
    assert not run.window.session.wants_frames


def test_kiosk_scans_by_itself_when_a_note_is_shown(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video), kiosk=True)
    qtbot.waitUntil(lambda: bool(run.heard(NOTE_KEY)), timeout=30000)
    assert run.heard("kiosk.scanning")
    assert [p.text for p in decisions(run)][:1] == ["500 rupees"]
    assert run.window.result_label.text() == "500 rupees"


def test_kiosk_says_next_customer_when_the_note_is_taken_away(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video), kiosk=True)
    window = run.window
    qtbot.waitUntil(lambda: bool(run.heard(NOTE_KEY)), timeout=30000)
    window.open_spec(str(ui_assets.bare_video))  # the customer takes the note away
    qtbot.waitUntil(lambda: bool(run.heard("kiosk.next_customer")), timeout=30000)
    assert window.announcer.total == 0
    assert len(run.heard(NOTE_KEY)) == 1
