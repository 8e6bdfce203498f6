"""Kiosk speech rules: each customer starts with the attendant's voice from the config file,
nothing a customer changes persists, the volume has a floor, any key interrupts speech."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from desktop_app.scanning.session import ScanEvent

CONFIG = "[speech]\nvolume=0.7\nlanguage=en\n[kiosk]\nvolume=0.9\nrate=1.1\nlanguage=ne\nmin_volume=0.6\n"


def _kiosk(start_app, ui_assets, tmp_path):
    config = tmp_path / "kiosk.ini"
    config.write_text(CONFIG)
    run = start_app(str(ui_assets.bare_video), kiosk=True, settings_file=config, language=None, output_mode=None)
    return run, config


def test_the_kiosk_starts_with_the_attendants_voice(qtbot, start_app, ui_assets, tmp_path):
    run, _ = _kiosk(start_app, ui_assets, tmp_path)
    assert (run.spy.volume, run.spy.rate, run.window.announcer.language) == (0.9, 1.1, "ne")
    assert run.window.speech_controls.kiosk.min_volume == 0.6


def test_a_customer_cannot_go_below_the_floor_and_nothing_persists(qtbot, start_app, ui_assets, tmp_path):
    run, config = _kiosk(start_app, ui_assets, tmp_path)
    window = run.window
    for _ in range(8):
        QTest.keyClick(window, Qt.Key.Key_Minus)
    assert run.spy.volume == 0.6
    QTest.keyClick(window, Qt.Key.Key_BracketRight)
    QTest.keyClick(window, Qt.Key.Key_L)
    assert window.announcer.language == "en" and run.spy.rate == 1.2
    run.parts.settings.sync()
    stored = QSettings(str(config), QSettings.Format.IniFormat)
    assert (stored.value("speech/volume"), stored.value("speech/language")) == ("0.7", "en")
    assert stored.value("speech/rate") is None

    # The note is taken away: the next customer gets the attendant's voice back, first thing.
    window._handle(window.controller._handle([ScanEvent("rearmed", 0.0)]))
    assert (run.spy.volume, run.spy.rate, window.announcer.language) == (0.9, 1.1, "ne")
    assert run.spy.last.key == "kiosk.next_customer" and run.spy.last.language == "ne"
    assert window.scan_button.text().startswith("स्क्यान")  # the labels follow


def test_any_key_interrupts_the_kiosks_speech_and_r_repeats(qtbot, start_app, ui_assets, tmp_path):
    run, _ = _kiosk(start_app, ui_assets, tmp_path)
    stops = run.spy.stops
    QTest.keyClick(run.window, Qt.Key.Key_F2)  # a key that does nothing else
    assert run.spy.stops == stops + 1
    last = run.spy.last.key
    QTest.keyClick(run.window, Qt.Key.Key_R)
    assert run.spy.stops == stops + 2 and run.spy.last.key == last
