"""Language, volume and rate keys are said, applied and remembered."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def test_language_volume_and_rate_keys_persist(qtbot, start_app, ui_assets, tmp_path):
    settings_file = tmp_path / "persist.ini"
    run = start_app(str(ui_assets.empty_video), language="en", settings_file=settings_file)
    window = run.window
    QTest.keyClick(window, Qt.Key.Key_L)
    assert window.announcer.language == "ne"
    assert run.spy.last.key == "language.switched" and run.spy.last.language == "ne"
    assert window.scan_button.accessibleName() == "स्क्यान"
    QTest.keyClick(window, Qt.Key.Key_Minus)
    QTest.keyClick(window, Qt.Key.Key_Minus)
    assert run.spy.volume == 0.6
    assert run.spy.last.key == "volume.changed"
    QTest.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ShiftModifier)
    assert run.spy.volume == 0.7
    QTest.keyClick(window, Qt.Key.Key_BracketRight)
    assert run.spy.rate == 1.1
    window.quit_now()

    again = start_app(str(ui_assets.empty_video), language=None, settings_file=settings_file)
    assert again.window.announcer.language == "ne"
    assert again.spy.volume == 0.7
    assert again.spy.rate == 1.1
    assert again.heard("welcome")[0].language == "ne"
