"""The app's speech: clips first, TTS for the rest, and what to say when neither can.

Fallback order for one utterance: clip (if it has clips) -> TTS. Three ways it can end badly,
told apart because the user must hear different things:

* the sound device is dead: ``SpeechUnavailable`` (the announcer says "sound is not working");
* one clip file is missing or damaged: TTS says that phrase, and the file is named once in the
  log (the start-up check, voice/checks.py, has already told the user);
* no backend can say the phrase in that language (no clip and no TTS voice for it):
  ``PhraseUnsayable``, naming the phrase, the language and what to install.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Callable, Sequence

from desktop_app.voice.clips import ClipSpeech, ClipUnreadable
from desktop_app.voice.messages import PhraseUnsayable, SpeechUnavailable, Utterance
from desktop_app.voice.output import (
    MAX_RATE, MAX_VOLUME, MIN_RATE, MIN_VOLUME, AudioOutput, ErrorHandler, clamp,
)
from desktop_app.voice.tts import TtsSpeech

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"ne": "Nepali", "en": "English"}


def install_advice(language: str) -> str:
    """What to install so that text-to-speech can speak ``language``."""
    if language == "ne":
        return "install espeak-ng, whose voice 'ne' speaks Nepali (apt install espeak-ng)"
    return "install espeak-ng for English text-to-speech (apt install espeak-ng)"


class _Shared:
    """A setting of the fallback chain that every backend in it follows."""

    def __init__(self, name: str, convert: Callable):
        self.name, self.convert = name, convert

    def __get__(self, obj, owner=None):
        return self if obj is None else obj.__dict__["_" + self.name]

    def __set__(self, obj, value) -> None:
        value = self.convert(value)
        obj.__dict__["_" + self.name] = value
        obj._set_all(self.name, value)


class FallbackSpeech:
    """Tries backends in order (clip, then TTS); raises once if none works.

    ``on_unavailable`` receives failures that happen later on a worker thread (TTS), so the
    announcer can show "sound is not working" even though ``speak`` already returned.
    """

    def __init__(self, backends: Sequence, on_unavailable: ErrorHandler | None = None,
                 volume: float = 1.0, rate: float = 1.0, earcons_enabled: bool = True,
                 privacy: bool = False):
        self.backends = list(backends)
        self.on_unavailable = on_unavailable
        for backend in self.backends:
            if hasattr(backend, "on_error"):
                backend.on_error = self._async_failure
            output = getattr(backend, "output", None)
            if output is not None and hasattr(output, "on_error"):
                output.on_error = self._async_failure
        self.volume, self.rate = volume, rate
        self.earcons_enabled, self.privacy = earcons_enabled, privacy
        self.last_speak_called: float | None = None
        self.broken_clips: set = set()  # each named once in the log

    def _set_all(self, name: str, value) -> None:
        for backend in self.backends:
            setattr(backend, name, value)

    volume = _Shared("volume", lambda v: clamp(v, MIN_VOLUME, MAX_VOLUME))
    rate = _Shared("rate", lambda v: clamp(v, MIN_RATE, MAX_RATE))
    earcons_enabled = _Shared("earcons_enabled", bool)
    privacy = _Shared("privacy", bool)

    @property
    def last_play_started(self) -> float | None:
        times = [b.last_play_started for b in self.backends if getattr(b, "last_play_started", None)]
        return max(times) if times else None

    def tts_languages(self) -> tuple[str, ...]:
        """The languages some text-to-speech backend of the chain has a voice for."""
        return tuple(lang for b in self.backends if hasattr(b, "languages") for lang in b.languages())

    def _async_failure(self, exc: SpeechUnavailable) -> None:
        if self.on_unavailable is not None:
            self.on_unavailable(exc)

    def _order(self, utterance: Utterance) -> list:
        if utterance.queued:
            # A queued phrase must not overtake one still being synthesised: the backend
            # that is busy keeps its order.
            busy = [b for b in self.backends if getattr(b, "pending", lambda: False)()]
            return busy + [b for b in self.backends if b not in busy]
        return self.backends

    def speak(self, utterance: Utterance) -> None:
        self.last_speak_called = time.monotonic()
        if not utterance.queued:
            # Cancel everything stale first: a TTS job still being synthesised must not play
            # over a newer clip.
            self.stop()
        failures, other_failure, broken = [], False, None
        for backend in self._order(utterance):
            if not backend.can_say(utterance):
                continue
            try:
                backend.speak(utterance)
                return
            except ClipUnreadable as exc:
                broken = exc
                self._note_broken_clip(exc)
                failures.append(f"{type(backend).__name__}: {exc}")
            except SpeechUnavailable as exc:  # the device, or the engine: sound itself failed
                other_failure = True
                failures.append(f"{type(backend).__name__}: {exc}")
        if other_failure:
            raise SpeechUnavailable("; ".join(failures))
        raise self._unsayable(utterance, broken)

    def _note_broken_clip(self, exc: ClipUnreadable) -> None:
        if exc.path not in self.broken_clips:
            self.broken_clips.add(exc.path)
            log.warning("%s; text-to-speech says that phrase instead (restore the file with "
                        "python sounds/make_sounds.py)", exc)

    def _unsayable(self, utterance: Utterance, broken: ClipUnreadable | None) -> PhraseUnsayable:
        name = LANGUAGE_NAMES.get(utterance.language, utterance.language)
        why = (f"its clip {broken.path} cannot be read and there is no {name} text-to-speech voice"
               if broken else f"it has no prerecorded clip and there is no {name} text-to-speech voice")
        advice = install_advice(utterance.language)
        if broken:
            advice = f"restore {broken.path} (python sounds/make_sounds.py), or {advice}"
        return PhraseUnsayable(utterance.key, utterance.language, why, advice)

    def play_earcon(self, name: str) -> None:
        failures = []
        for backend in self.backends:
            try:
                backend.play_earcon(name)
                return
            except SpeechUnavailable as exc:
                failures.append(str(exc))
        if failures:
            raise SpeechUnavailable("; ".join(failures))

    def stop(self) -> None:
        for backend in self.backends:
            backend.stop()

    def close(self) -> None:
        for backend in self.backends:
            backend.close()


def make_speech(volume: float = 1.0, rate: float = 1.0, earcons_enabled: bool = True,
                privacy: bool = False, use_clips: bool = True, use_tts: bool = True,
                on_unavailable: ErrorHandler | None = None) -> FallbackSpeech:
    """The app's speech: Nepali clips first, pyttsx3 for the rest, one shared audio device.

    Never raises: with no working TTS engine the chain simply has clips only, and with nothing
    at all every ``speak`` raises for the announcer to handle.
    """
    output = AudioOutput()
    backends: list = []
    if use_clips:
        backends.append(ClipSpeech(output))
    if use_tts and not os.environ.get("NCR_NO_TTS"):
        try:
            backends.append(TtsSpeech(output))
        except SpeechUnavailable as exc:
            log.warning("%s; continuing with prerecorded clips only", exc)
    return FallbackSpeech(backends, on_unavailable=on_unavailable, volume=volume, rate=rate,
                          earcons_enabled=earcons_enabled, privacy=privacy)
