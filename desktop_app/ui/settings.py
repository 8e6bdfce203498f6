"""What the app remembers between runs: language, volume, speech rate, camera, tones, privacy.

Backed by QSettings. Tests and ``NCR_NO_SETTINGS=1`` get a private INI file in a temporary
folder, so nothing a test does can change a real user's settings; ``NCR_SETTINGS_FILE`` points
the app at a chosen INI file (a kiosk image can ship one). Every value is validated on read: a
hand-edited or damaged file falls back to the default instead of breaking start-up.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings

from desktop_app.voice.output_mode import parse_mode
from desktop_app.voice.phrases import LANGUAGES
from desktop_app.voice.output import MAX_RATE, MAX_VOLUME, MIN_RATE, MIN_VOLUME, clamp

ORGANISATION = "NepaliCashReader"
APPLICATION = "desktop_app"

DEFAULT_LANGUAGE = "ne"
DEFAULT_VOLUME = 0.8
DEFAULT_RATE = 1.0
VOLUME_RANGE = (MIN_VOLUME, MAX_VOLUME)
RATE_RANGE = (MIN_RATE, MAX_RATE)
# One press of + / - (or ] / [) changes volume (or speech rate) by this much.
VOLUME_STEP = 0.1
RATE_STEP = 0.1


def _as_bool(value, default: bool) -> bool:
    # IniFormat hands booleans back as the strings "true"/"false".
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
    if isinstance(value, int):
        return bool(value)
    return default


def _as_float(value, default: float, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    if number != number:  # NaN
        return default
    return clamp(number, low, high)


class _StoredNumber:
    """A number kept in the settings store, clamped to its range on the way in and out (a
    hand-edited file can hold anything)."""

    def __init__(self, key: str, default: float, limits: tuple[float, float]):
        self.key, self.default, self.limits = key, default, limits

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return _as_float(obj.store.value(self.key, self.default), self.default, *self.limits)

    def __set__(self, obj, value: float) -> None:
        obj.store.setValue(self.key, _as_float(value, self.default, *self.limits))


class _StoredFlag:
    """An on/off setting; a hand-edited value that is no boolean reads as the default."""

    def __init__(self, key: str, default: bool):
        self.key, self.default = key, default

    def __get__(self, obj, owner=None):
        return self if obj is None else _as_bool(obj.store.value(self.key, self.default), self.default)

    def __set__(self, obj, value: bool) -> None:
        obj.store.setValue(self.key, bool(value))


class AppSettings:
    def __init__(self, store: QSettings, *, keep_alive: object | None = None):
        self.store = store
        self._keep_alive = keep_alive  # the temporary folder of a private store lives as long as we do

    @classmethod
    def open(cls, path: str | Path | None = None) -> "AppSettings":
        """The user's settings, or an INI file at ``path``/``NCR_SETTINGS_FILE``, or a private one."""
        chosen = path or os.environ.get("NCR_SETTINGS_FILE")
        if chosen:
            return cls(QSettings(str(chosen), QSettings.Format.IniFormat))
        if os.environ.get("NCR_NO_SETTINGS") == "1":
            folder = tempfile.TemporaryDirectory(prefix="ncr-settings-")
            store = QSettings(str(Path(folder.name) / "settings.ini"), QSettings.Format.IniFormat)
            return cls(store, keep_alive=folder)
        return cls(QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION))

    @property
    def location(self) -> str:
        return self.store.fileName()

    # --- values -----------------------------------------------------------------------
    @property
    def language(self) -> str:
        value = self.store.value("speech/language", DEFAULT_LANGUAGE)
        return value if value in LANGUAGES else DEFAULT_LANGUAGE

    @language.setter
    def language(self, value: str) -> None:
        if value not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {value!r}")
        self.store.setValue("speech/language", value)

    volume = _StoredNumber("speech/volume", DEFAULT_VOLUME, VOLUME_RANGE)
    rate = _StoredNumber("speech/rate", DEFAULT_RATE, RATE_RANGE)

    @property
    def camera(self) -> int:
        value = self.store.value("source/camera", 0)
        try:
            index = int(value)
        except (TypeError, ValueError):
            return 0
        return index if 0 <= index < 64 else 0

    @camera.setter
    def camera(self, value: int) -> None:
        index = int(value)
        if not 0 <= index < 64:
            raise ValueError(f"camera index must be 0..63, not {value!r}")
        self.store.setValue("source/camera", index)

    earcons = _StoredFlag("speech/earcons", True)
    privacy = _StoredFlag("speech/privacy", False)

    @property
    def output_mode(self) -> str | None:
        """Who speaks, as the user chose it; None: not chosen, follow the screen reader."""
        return parse_mode(self.store.value("speech/output_mode", ""))

    @output_mode.setter
    def output_mode(self, value: str | None) -> None:
        if value is not None and parse_mode(value) is None:
            raise ValueError(f"output mode must be app, screen_reader or both, not {value!r}")
        self.store.setValue("speech/output_mode", value or "")

    @property
    def reader_path(self) -> str:
        """How the screen reader gets the words: auto, announcement, speechd or nvda (to force one)."""
        value = self.store.value("speech/reader_path", "auto")
        return value if value in ("auto", "announcement", "speechd", "nvda") else "auto"

    @property
    def text_scale(self) -> float:
        return _as_float(self.store.value("view/text_scale", 1.0), 1.0, 0.5, 3.2)

    @text_scale.setter
    def text_scale(self, value: float) -> None:
        self.store.setValue("view/text_scale", _as_float(value, 1.0, 0.5, 3.2))

    def kiosk_speech(self):
        """The attendant's [kiosk] voice; missing values fall back to the ordinary settings."""
        from desktop_app.voice.kiosk_speech import DEFAULT_MIN_VOLUME, KioskSpeech

        language = self.store.value("kiosk/language", self.language)
        floor = _as_float(self.store.value("kiosk/min_volume", DEFAULT_MIN_VOLUME), DEFAULT_MIN_VOLUME, *VOLUME_RANGE)
        return KioskSpeech(
            volume=_as_float(self.store.value("kiosk/volume", self.volume), self.volume, *VOLUME_RANGE),
            rate=_as_float(self.store.value("kiosk/rate", self.rate), self.rate, *RATE_RANGE),
            language=language if language in LANGUAGES else self.language,
            min_volume=floor,
        )

    def keymap(self):
        """The keys as the settings file sets them ([keys] command=KEY, require=alt_shift)."""
        from .keymap import DEFAULT_KEYS, KeyMap

        chosen = {c: str(self.store.value(f"keys/{c}") or "") for c in DEFAULT_KEYS if self.store.contains(f"keys/{c}")}
        return KeyMap(chosen, str(self.store.value("keys/require", "none")))

    def sync(self) -> None:
        self.store.sync()
