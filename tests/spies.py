"""Stand-ins that record instead of making sound: a Speech for tests of the announcer and the UI,
and an audio output for tests of the speech backends."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from desktop_app.voice.audio import SAMPLE_RATE
from desktop_app.voice.messages import SpeechUnavailable, Utterance
from desktop_app.voice.output import DeviceFailed


@dataclass
class SpeechSpy:
    volume: float = 1.0
    rate: float = 1.0
    earcons_enabled: bool = True
    privacy: bool = False
    fail: bool = False  # set True to act like a dead audio device
    spoken: list[Utterance] = field(default_factory=list)
    earcons: list[str] = field(default_factory=list)
    stops: int = 0
    closed: bool = False
    on_unavailable: object = None

    def speak(self, utterance: Utterance) -> None:
        if self.fail:
            raise SpeechUnavailable("SpeechSpy set to fail")
        self.spoken.append(utterance)

    def play_earcon(self, name: str) -> None:
        if self.fail:
            raise SpeechUnavailable("SpeechSpy set to fail")
        if self.earcons_enabled:
            self.earcons.append(name)

    def stop(self) -> None:
        self.stops += 1

    def close(self) -> None:
        self.closed = True

    @property
    def keys(self) -> list[str]:
        return [u.key for u in self.spoken]

    @property
    def last(self) -> Utterance | None:
        return self.spoken[-1] if self.spoken else None



class FakeOutput:
    """Stands in for the sound device; remembers what it was asked to play."""

    sample_rate = SAMPLE_RATE

    def __init__(self, fail=False):
        self.fail, self.failed = fail, False
        self.played, self.queued, self.stops = [], [], 0
        self.last_play_started = None
        self.on_error = None

    def play(self, samples, *, queued=False):
        if self.fail:
            self.failed = True
            raise DeviceFailed("fake device unplugged")
        self.failed = False
        self.played.append(np.asarray(samples))
        self.queued.append(queued)
        self.last_play_started = time.monotonic()

    def probe(self):
        self.play(np.zeros(10))

    def stop(self):
        self.stops += 1


def utt(clips=(), earcon=None, pulses=0, language="ne", text="पाँच सय रुपैयाँ", key="note.500", queued=False):
    """An utterance as the announcer would hand it over (Rs 500 in Nepali unless told)."""
    return Utterance(key=key, language=language, text=text, clips=tuple(clips), earcon=earcon, pulses=pulses,
                     queued=queued)
