"""Quitting asks first; a kiosk cannot be quit by customers."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def test_escape_asks_before_quitting(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.empty_video))
    window = run.window
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert run.heard("quit.confirm")
    assert window.isVisible()
    QTest.keyClick(window, Qt.Key.Key_R)  # anything else cancels
    assert run.heard("quit.cancelled")
    QTest.keyClick(window, Qt.Key.Key_Escape)
    QTest.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert window.recognition.isFinished()


def test_window_close_button_asks_too(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.empty_video))
    run.window.close()
    assert run.window.isVisible()
    assert run.heard("quit.confirm")


def test_kiosk_cannot_be_closed_by_customers_but_admin_combo_quits(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.empty_video), kiosk=True)
    window = run.window
    assert window.isFullScreen()
    assert run.heard("kiosk.prompt")
    assert not window.menuBar().isVisible() and not window.open_button.isVisible()
    QTest.keyClick(window, Qt.Key.Key_Escape)
    QTest.keyClick(window, Qt.Key.Key_Escape)
    window.close()
    assert window.isVisible()
    assert not run.heard("quit.confirm")
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
