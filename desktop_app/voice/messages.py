"""What the announcer hands to a speech backend, and the interface a backend offers."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Utterance:
    key: str  # phrase-catalogue key, e.g. "note.500", "result.unsure"
    language: str  # "ne" | "en"
    text: str  # the words, already formatted with params
    params: dict = field(default_factory=dict)
    clips: tuple[Path, ...] = ()  # prerecorded audio to play in order (empty: use TTS)
    earcon: str | None = None  # "start" | "fail" | "success": tone played before the words
    pulses: int = 0  # privacy mode: play this many pulses instead of words
    queued: bool = False  # wait for what is playing to end instead of cutting it off


class SpeechUnavailable(RuntimeError):
    """No way to make sound works; the announcer falls back to screen reader and screen."""


class PhraseUnsayable(SpeechUnavailable):
    """Sound works, but no backend can say this phrase in this language (no clip, no voice).

    Told to the user as exactly that, with what to install, never as "sound is not working".
    """

    def __init__(self, key: str, language: str, why: str, advice: str):
        super().__init__(f"cannot say phrase {key!r} in {language!r}: {why}; {advice}")
        self.key, self.language, self.why, self.advice = key, language, why, advice


class Speech(Protocol):
    """A speech backend. ``speak`` returns at once and interrupts whatever is playing."""

    volume: float  # 0..1
    rate: float  # 0.5..2.0, 1.0 normal

    def speak(self, utterance: Utterance) -> None: ...

    def play_earcon(self, name: str) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...
