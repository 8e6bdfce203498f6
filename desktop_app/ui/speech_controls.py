"""The user's speech settings: volume, rate, tones and privacy, changed by keys or menus,
confirmed aloud and remembered in the settings file."""
from __future__ import annotations

from desktop_app.voice.output import clamp

from .settings import RATE_RANGE, VOLUME_RANGE


class SpeechControls:
    def __init__(self, announcer, settings):
        self.announcer = announcer
        self.settings = settings
        self.kiosk = None  # a KioskSpeech: a floor under the volume, and nothing remembered

    def change_volume(self, step: float) -> None:
        self._step("volume", step, VOLUME_RANGE, "volume.changed")

    def change_rate(self, step: float) -> None:
        self._step("rate", step, RATE_RANGE, "rate.changed")

    def _step(self, name: str, step: float, bounds: tuple[float, float], key: str) -> None:
        speech = self.announcer.speech
        if speech is None:
            return
        low, high = bounds
        if self.kiosk is not None and name == "volume":
            low = self.kiosk.floor(low)  # a customer cannot turn the kiosk below the attendant's floor
        value = clamp(round(getattr(speech, name) + step, 2), low, high)
        setattr(speech, name, value)
        if self.kiosk is None:  # a kiosk customer's change ends with that customer
            setattr(self.settings, name, value)
        self.announcer.say(key, percent=round(value * 100))

    def set_earcons(self, on: bool) -> None:
        self._switch("earcons", "earcons_enabled", on)

    def set_privacy(self, on: bool) -> None:
        self._switch("privacy", "privacy", on)

    def _switch(self, name: str, speech_name: str, on: bool) -> None:
        """One on/off setting: the announcer, the speech backend (which names it ``speech_name``),
        the stored settings, then the spoken confirmation ("privacy.on", "earcons.off", ...)."""
        setattr(self.announcer, name, on)
        if self.announcer.speech is not None and hasattr(self.announcer.speech, speech_name):
            setattr(self.announcer.speech, speech_name, on)
        setattr(self.settings, name, on)
        self.announcer.say(f"{name}.{'on' if on else 'off'}")
