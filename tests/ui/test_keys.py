"""Key routing in the real window: Space scans wherever the focus is, autorepeat never starts or
ends a hold by itself, and command keys reach their actions."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import NOTE, decisions, focused_clicks, hold_space, key_event, release_space

NOTE_KEY = f"note.{NOTE}"


def test_unflagged_x11_pairs_do_not_end_the_hold(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.empty_video))
    window = run.window
    qtbot.waitUntil(lambda: window.preview.frames_shown >= 2, timeout=10000)
    # 1.5 s of release/press pairs without the autorepeat flag: the hold must go on.
    hold_space(qtbot, window, until=lambda: False, timeout_ms=1500, x11_pairs=True)
    assert window.session.wants_frames
    assert decisions(run) == []
    release_space(window)
    qtbot.waitUntil(lambda: len(decisions(run)) == 1, timeout=10000)
    assert run.heard("result.none") or run.heard("result.unsure")
    qtbot.wait(300)
    assert len(decisions(run)) == 1


def test_space_scans_while_a_button_has_focus(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video))
    window = run.window
    clicks = focused_clicks(window.repeat_button)
    # Deliver the keys to the focused button itself, as Qt does.
    assert hold_space(qtbot, window.repeat_button, until=lambda: run.heard(NOTE_KEY))
    release_space(window.repeat_button)
    qtbot.wait(100)
    assert clicks == []  # Space never activates a button
    assert len(decisions(run)) == 1


def test_ctrl_o_opens_the_file_dialog(qtbot, start_app, ui_assets):
    asked = []
    run = start_app(str(ui_assets.empty_video), ask_open_file=lambda: asked.append(True) or "")
    QTest.keyClick(run.window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: asked == [True], timeout=3000)
    assert run.window.source is not None  # cancelling keeps the current source


def test_autorepeat_flag_on_the_first_press_does_not_start_a_scan(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video))
    QApplication.sendEvent(run.window, key_event(QEvent.Type.KeyPress, autorepeat=True))
    qtbot.wait(200)
    assert not run.window.session.wants_frames
    assert "start" not in run.spy.earcons
