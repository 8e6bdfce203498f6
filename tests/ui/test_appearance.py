"""Text size follows the system font times a remembered scale; system high contrast wins."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.ui import appearance
from desktop_app.ui.appearance import stylesheet


def test_sizes_follow_the_system_font_and_the_scale():
    assert "QLabel#result { font-size: 56.0pt" in stylesheet(10.0, 1.0, False)
    assert "QLabel#result { font-size: 84.0pt" in stylesheet(12.0, 1.25, False)
    assert "#FFFF00" in stylesheet(10.0, 1.0, False)
    assert "#FFFF00" not in stylesheet(10.0, 1.0, True)  # the system's high-contrast colours stay


def test_larger_and_smaller_keys_change_the_text_and_are_remembered(qtbot, start_app, ui_assets, tmp_path):
    settings_file = tmp_path / "view.ini"
    run = start_app(str(ui_assets.empty_video), settings_file=settings_file)
    window = run.window
    QTest.keyClick(window, Qt.Key.Key_Greater, Qt.KeyboardModifier.ShiftModifier)
    assert window.appearance.scale == 1.25 and run.posted[-1].text == "Text size 125 percent."
    base = window.appearance.base_pt
    assert f"font-size: {round(base * 5.6 * 1.25, 1)}pt" in window.styleSheet()
    run.parts.settings.sync()
    again = start_app(str(ui_assets.empty_video), settings_file=settings_file)
    assert again.window.appearance.scale == 1.25
    QTest.keyClick(again.window, Qt.Key.Key_Less, Qt.KeyboardModifier.ShiftModifier)
    assert again.window.appearance.scale == 1.0


def test_a_system_asking_for_high_contrast_gets_its_own_colours(qtbot, start_app, ui_assets, monkeypatch):
    run = start_app(str(ui_assets.empty_video))
    monkeypatch.setattr(appearance, "system_high_contrast", lambda: True)
    run.window.appearance.apply()
    assert "#FFFF00" not in run.window.styleSheet() and "font-size" in run.window.styleSheet()
