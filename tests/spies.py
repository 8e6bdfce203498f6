"""A Speech that records instead of making sound, for tests of the announcer and the UI."""
from __future__ import annotations

from dataclasses import dataclass, field

from desktop_app.voice.messages import SpeechUnavailable, Utterance


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
