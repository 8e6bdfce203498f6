"""Who speaks, in the real window: the default follows the screen reader, V and the menu
switch it (remembered), and privacy mode keeps the value off every channel."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest

from tests.ui.conftest import NOTE, hold_space, release_space

NOTE_KEY = f"note.{NOTE}"


def _results(run):
    return [p for p in run.posted if p.kind == "result"]


def _scan(qtbot, run):
    window = run.window
    qtbot.waitUntil(lambda: window.preview.frames_shown >= 2, timeout=10000)
    assert hold_space(qtbot, window, until=lambda: _results(run))
    release_space(window)


def test_with_a_screen_reader_running_only_the_screen_reader_speaks(qtbot, start_app, ui_assets, monkeypatch):
    monkeypatch.setenv("NCR_SCREEN_READER", "1")
    run = start_app(str(ui_assets.note_video), output_mode=None)
    assert run.window.output.mode == "screen_reader"
    welcome = [p for p in run.posted if p.key == "welcome"][0]
    assert "Your screen reader speaks. Press V to change who speaks." in welcome.text
    _scan(qtbot, run)
    assert [p.text for p in _results(run)] == ["500 rupees"]
    assert _results(run)[0].politeness == "assertive"
    assert run.spy.spoken == []  # no words of the app's own: one voice
    assert "start" in run.spy.earcons and "success" in run.spy.earcons  # the tones stay
    assert run.parts.settings.output_mode is None  # following, not chosen


def test_without_a_screen_reader_the_app_speaks_and_announces_politely(qtbot, start_app, ui_assets, monkeypatch):
    monkeypatch.setenv("NCR_SCREEN_READER", "0")
    run = start_app(str(ui_assets.note_video), output_mode=None)
    assert run.window.output.mode == "app"
    assert "This app speaks." in run.heard("welcome")[0].text
    _scan(qtbot, run)
    assert run.heard(NOTE_KEY)[0].text == "500 rupees"
    assert [p.politeness for p in _results(run)] == ["polite"]


def test_v_cycles_who_speaks_and_the_choice_is_remembered(qtbot, start_app, ui_assets, tmp_path, monkeypatch):
    monkeypatch.setenv("NCR_SCREEN_READER", "0")
    settings_file = tmp_path / "chosen.ini"
    run = start_app(str(ui_assets.empty_video), output_mode=None, settings_file=settings_file)
    QTest.keyClick(run.window, Qt.Key.Key_V)
    assert run.window.output.mode == "screen_reader" and run.window.announcer.output_mode == "screen_reader"
    assert run.posted[-1].text == "Your screen reader speaks."
    assert run.window.output.actions["screen_reader"].isChecked()
    run.window.output.actions["both"].trigger()
    assert run.window.announcer.output_mode == "both"
    run.parts.settings.sync()
    again = start_app(str(ui_assets.empty_video), output_mode=None, settings_file=settings_file)
    assert again.window.output.mode == "both"


def test_a_screen_reader_that_starts_later_takes_over_until_the_user_chooses(qtbot, start_app, ui_assets,
                                                                             monkeypatch):
    monkeypatch.setenv("NCR_SCREEN_READER", "0")
    run = start_app(str(ui_assets.empty_video), output_mode=None)
    run.window.output._changed.emit(True)  # what the watcher thread sends when Orca starts
    qtbot.waitUntil(lambda: run.window.output.mode == "screen_reader", timeout=2000)
    run.window.output.choose("app")
    run.window.output._changed.emit(False)
    run.window.output._changed.emit(True)
    qtbot.wait(50)
    assert run.window.output.mode == "app"  # a chosen mode is kept


def test_privacy_mode_sends_no_value_words_to_the_screen_reader(qtbot, start_app, ui_assets, monkeypatch):
    monkeypatch.setenv("NCR_SCREEN_READER", "1")
    run = start_app(str(ui_assets.note_video), output_mode=None)
    run.window.menus.privacy_action.setChecked(True)
    since = len(run.posted)  # (earlier messages name the video file, note500.avi)
    _scan(qtbot, run)
    QTest.keyClick(run.window, Qt.Key.Key_R)
    assert [p.text for p in _results(run)] == ["Result ready.", "Result ready."]
    assert not any("500" in p.text or "rupees" in p.text for p in run.posted[since:])
    assert run.spy.spoken and all(u.pulses == 6 for u in run.spy.spoken)  # pulses as before, no words
    # Tab to the result: its name is what the screen reader may say, so no value there either.
    assert QAccessible.queryAccessibleInterface(run.window.result_label).text(QAccessible.Text.Name) == "Result ready."
    assert run.window.result_label.text() == "500 rupees"  # the screen still shows it


def test_the_result_and_status_lines_are_named_by_what_they_say(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video), language="en")
    _scan(qtbot, run)
    name = QAccessible.queryAccessibleInterface(run.window.result_label).text(QAccessible.Text.Name)
    assert name == "500 rupees"
    status = QAccessible.queryAccessibleInterface(run.window.status_label).text(QAccessible.Text.Name)
    assert status == run.window.status_label.text() and status
    QTest.keyClick(run.window, Qt.Key.Key_L)  # a language switch keeps the result as the name
    assert run.window.result_label.accessibleName() == "500 rupees"


def test_an_old_orca_gets_the_words_through_speech_dispatcher_and_no_announcement(qtbot, start_app, ui_assets,
                                                                                  monkeypatch):
    from desktop_app.ui import output_control
    from desktop_app.voice import screen_reader
    from desktop_app.voice.reader_speech import SpeechDispatcherSink

    class Client:
        def __init__(self):
            self.spoken = []

        def set_priority(self, _p): pass

        def set_language(self, _l): pass

        def cancel(self): pass

        def speak(self, text):
            self.spoken.append(text)

        def close(self): pass

    client = Client()
    monkeypatch.setenv("NCR_SCREEN_READER", "1")
    monkeypatch.setattr(screen_reader, "installed_orca_version", lambda: (43, 1))  # Debian 12's Orca
    monkeypatch.setattr(screen_reader.sys, "platform", "linux")
    monkeypatch.setattr(output_control.SpeechDispatcherSink, "connect", classmethod(lambda cls: cls(client)))
    run = start_app(str(ui_assets.note_video), output_mode=None, reader_path="auto")
    assert isinstance(run.window.output.direct, SpeechDispatcherSink)
    window = run.window
    qtbot.waitUntil(lambda: window.preview.frames_shown >= 2, timeout=10000)
    assert hold_space(qtbot, window, until=lambda: "500 rupees" in client.spoken)
    release_space(window)
    assert any(text.startswith("Welcome.") for text in client.spoken)
    assert run.posted == []  # Qt announcements off: a newer Orca could not say it twice
    assert run.spy.spoken == []  # and the app's own voice is silent
    window.output.choose("app")  # the app speaks: speech-dispatcher is let go
    assert window.output.direct is None and window.screen_reader.enabled
