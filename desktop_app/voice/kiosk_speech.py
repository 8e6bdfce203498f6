"""The kiosk's speech rules (ADA 707.5, EN 301 549 5.1.3), Qt-free.

Every customer starts with the attendant's volume, rate and language; nothing a customer
changes outlives them (it is never written back, and it is undone when the kiosk re-arms for
the next customer); the volume never goes below the attendant's floor. The values come from
the ``[kiosk]`` section of the settings file the kiosk reads at start (``NCR_SETTINGS_FILE``):

    [kiosk]
    volume=0.9
    rate=1.0
    language=ne
    min_volume=0.5
"""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MIN_VOLUME = 0.5  # loud enough to be heard at a counter


@dataclass(frozen=True)
class KioskSpeech:
    volume: float
    rate: float
    language: str
    min_volume: float = DEFAULT_MIN_VOLUME

    def floor(self, volume: float) -> float:
        return max(self.min_volume, volume)

    def apply(self, announcer) -> None:
        """A new customer: the attendant's voice again (before anything is said to them)."""
        announcer.language = self.language
        speech = announcer.speech
        if speech is not None:
            speech.volume = self.floor(self.volume)
            speech.rate = self.rate
