"""Settings persist between runs and survive damaged values; tests never touch real settings."""
from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QSettings

from desktop_app.ui.settings import DEFAULT_RATE, DEFAULT_VOLUME, AppSettings


def test_values_survive_a_restart(tmp_path):
    path = tmp_path / "settings.ini"
    first = AppSettings.open(path)
    first.language = "en"
    first.volume = 0.35
    first.rate = 1.4
    first.camera = 2
    first.earcons = False
    first.privacy = True
    first.sync()
    del first

    again = AppSettings.open(path)
    assert again.language == "en"
    assert again.volume == pytest.approx(0.35)
    assert again.rate == pytest.approx(1.4)
    assert again.camera == 2
    assert again.earcons is False
    assert again.privacy is True


def test_defaults_on_a_fresh_file(tmp_path):
    settings = AppSettings.open(tmp_path / "fresh.ini")
    assert settings.language == "ne"
    assert settings.volume == DEFAULT_VOLUME
    assert settings.rate == DEFAULT_RATE
    assert settings.camera == 0
    assert settings.earcons is True
    assert settings.privacy is False


def test_damaged_values_fall_back_to_defaults(tmp_path):
    path = tmp_path / "damaged.ini"
    path.write_text(
        "[speech]\nlanguage=fr\nvolume=loud\nrate=9\nearcons=maybe\n[source]\ncamera=-3\n", encoding="utf-8"
    )
    settings = AppSettings.open(path)
    assert settings.language == "ne"
    assert settings.volume == DEFAULT_VOLUME
    assert settings.rate == 2.0  # clamped into range, not refused
    assert settings.earcons is True
    assert settings.camera == 0


def test_out_of_range_writes_are_clamped_or_refused(tmp_path):
    settings = AppSettings.open(tmp_path / "s.ini")
    settings.volume = 3.0
    assert settings.volume == 1.0
    settings.rate = 0.1
    assert settings.rate == 0.5
    with pytest.raises(ValueError):
        settings.language = "de"
    with pytest.raises(ValueError):
        settings.camera = 99


def test_test_runs_use_a_private_file(monkeypatch):
    monkeypatch.delenv("NCR_SETTINGS_FILE", raising=False)
    monkeypatch.setenv("NCR_NO_SETTINGS", "1")
    settings = AppSettings.open()
    user_file = QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope,
                          "NepaliCashReader", "desktop_app").fileName()
    assert settings.store.format() == QSettings.Format.IniFormat
    assert settings.location != user_file
    settings.language = "en"
    settings.sync()
    assert os.path.exists(settings.location)


def test_settings_file_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "kiosk.ini"
    monkeypatch.setenv("NCR_SETTINGS_FILE", str(path))
    settings = AppSettings.open()
    settings.camera = 1
    settings.sync()
    assert settings.location == str(path)
    assert "camera=1" in path.read_text(encoding="utf-8")
