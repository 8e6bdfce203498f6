"""The user's speech settings: volume, rate, tones and privacy, changed by keys or menus,
confirmed aloud and remembered in the settings file."""
from __future__ import annotations

from desktop_app.voice.speech import clamp

from .settings import RATE_RANGE, VOLUME_RANGE


class SpeechControls:
    def __init__(self, announcer, settings):
        self.announcer = announcer
        self.settings = settings

    def change_volume(self, step: float) -> None:
        speech = self.announcer.speech
        if speech is None:
            return
        speech.volume = clamp(round(speech.volume + step, 2), *VOLUME_RANGE)
        self.settings.volume = speech.volume
        self.announcer.say("volume.changed", percent=round(speech.volume * 100))

    def change_rate(self, step: float) -> None:
        speech = self.announcer.speech
        if speech is None:
            return
        speech.rate = clamp(round(speech.rate + step, 2), *RATE_RANGE)
        self.settings.rate = speech.rate
        self.announcer.say("rate.changed", percent=round(speech.rate * 100))

    def set_earcons(self, on: bool) -> None:
        self.announcer.earcons = on
        if self.announcer.speech is not None and hasattr(self.announcer.speech, "earcons_enabled"):
            self.announcer.speech.earcons_enabled = on
        self.settings.earcons = on
        self.announcer.say("earcons.on" if on else "earcons.off")

    def set_privacy(self, on: bool) -> None:
        self.announcer.privacy = on
        if self.announcer.speech is not None and hasattr(self.announcer.speech, "privacy"):
            self.announcer.speech.privacy = on
        self.settings.privacy = on
        self.announcer.say("privacy.on" if on else "privacy.off")
