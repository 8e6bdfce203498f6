"""Keys can be moved, turned off or made to need Alt+Shift (WCAG 2.1.4); screen-reader
combinations pass through."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import focused_clicks

from desktop_app.ui.keymap import KeyMap, key_of

M = Qt.KeyboardModifier


def test_defaults_remaps_and_turning_off():
    keymap = KeyMap({"repeat": "F5", "language": ""})
    assert keymap.command_for(Qt.Key.Key_F5, M.NoModifier) == "repeat"
    assert keymap.command_for(Qt.Key.Key_R, M.NoModifier) is None
    assert keymap.command_for(Qt.Key.Key_L, M.NoModifier) is None
    assert keymap.command_for(Qt.Key.Key_T, M.NoModifier) == "total"
    assert keymap.command_for(Qt.Key.Key_Plus, M.ShiftModifier) == "volume_up"


def test_screen_reader_keys_are_never_taken():
    keymap = KeyMap()
    assert keymap.command_for(Qt.Key.Key_0, M.KeypadModifier) is None  # numpad: flat review
    assert keymap.command_for(Qt.Key.Key_R, M.ControlModifier) is None
    assert keymap.command_for(Qt.Key.Key_T, M.AltModifier) is None
    assert key_of("Insert") is None and key_of("CapsLock") is None and key_of("Space") is None
    assert key_of("Ctrl+R") is None  # a remap names one plain key


def test_require_alt_shift_for_character_keys():
    keymap = KeyMap(require="alt_shift")
    assert keymap.command_for(Qt.Key.Key_R, M.NoModifier) is None
    assert keymap.command_for(Qt.Key.Key_R, M.AltModifier | M.ShiftModifier) == "repeat"
    assert keymap.command_for(Qt.Key.Key_F1, M.NoModifier) == "help"  # not a character key
    assert keymap.names("repeat") == "Alt+Shift+R"


def test_the_window_reads_its_keys_from_the_settings_file(qtbot, start_app, ui_assets, tmp_path):
    settings_file = tmp_path / "keys.ini"
    settings_file.write_text("[keys]\nrepeat=F5\nlanguage=\n")
    run = start_app(str(ui_assets.empty_video), settings_file=settings_file)
    before = len(run.posted)
    QTest.keyClick(run.window, Qt.Key.Key_L)
    assert run.window.announcer.language == "en" and len(run.posted) == before  # L is off
    QTest.keyClick(run.window, Qt.Key.Key_F5)
    assert len(run.posted) == before + 1  # F5 repeats
    assert run.posted[-1].key == run.posted[-2].key


def test_space_with_a_modifier_does_not_scan(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video))
    window = run.window
    qtbot.waitUntil(lambda: window.preview.frames_shown >= 2, timeout=10000)
    for mod in (M.ControlModifier, M.AltModifier, M.MetaModifier):
        QApplication.sendEvent(window, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Space, mod, " "))
        assert not window.session.wants_frames, mod
        QApplication.sendEvent(window, QKeyEvent(QEvent.Type.KeyRelease, Qt.Key.Key_Space, mod, " "))
    QTest.keyPress(window, Qt.Key.Key_Space)
    assert window.session.wants_frames  # plain Space still scans
    QTest.keyRelease(window, Qt.Key.Key_Space)


def test_enter_activates_buttons_and_their_descriptions_say_so(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.empty_video))
    window = run.window
    clicks = focused_clicks(window.help_button)
    QTest.keyClick(window.help_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: clicks == [True], timeout=2000)
    for button in (window.repeat_button, window.language_button, window.open_button, window.help_button):
        assert "Enter" in button.accessibleDescription(), button.accessibleName()
