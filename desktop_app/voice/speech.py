"""Speech backends: prerecorded Nepali clips, pyttsx3 TTS, and the fallback chain between them.

All sound leaves through one ``AudioOutput`` (simpleaudio), so volume, rate, earcons, privacy
pulses and interruption work the same for clips and for TTS, and a dead audio device is
noticed in one place. pyttsx3 only *synthesises* (to a temporary WAV, on its own worker
thread); it never plays, because its own playback on Linux shells out to ``aplay`` and can
neither be interrupted nor report a failure.

Fallback order for one utterance: clip (if it has clips) -> TTS -> ``SpeechUnavailable`` raised
once, so the announcer shows the message on screen and to the screen reader instead.
"""
from __future__ import annotations

import logging
import os
import queue
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from desktop_app.voice import earcons
from desktop_app.voice.audio import SAMPLE_RATE, AudioFileError, read_wav, time_stretch, to_int16
from desktop_app.voice.messages import SpeechUnavailable, Utterance

log = logging.getLogger(__name__)

MIN_VOLUME, MAX_VOLUME = 0.0, 1.0
MIN_RATE, MAX_RATE = 0.5, 2.0
GAP_BETWEEN_CLIPS_S = 0.06
TTS_BASE_WPM = 175  # espeak-ng's own default speed; rate 1.0 maps here

ErrorHandler = Callable[[SpeechUnavailable], None]


def clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, float(value)))


class DeviceFailed(SpeechUnavailable):
    """The sound device could not be opened (unplugged, busy, no driver)."""


class AudioOutput:
    """One sound at a time through simpleaudio; a new sound cuts off the old one."""

    def __init__(self, sample_rate: int = SAMPLE_RATE):
        self.sample_rate = sample_rate
        self._lock = threading.Lock()
        self._playing = None
        # Monotonic time at which the latest buffer was handed to simpleaudio (for latency benches).
        self.last_play_started: float | None = None
        self.on_play_started: Callable[[float], None] | None = None
        self.failed = False  # the last attempt to open the device failed

    def play(self, samples: np.ndarray) -> None:
        data = to_int16(samples).tobytes()
        try:
            import simpleaudio
            from simpleaudio._simpleaudio import SimpleaudioError
        except ImportError as exc:  # pragma: no cover - simpleaudio is a hard dependency
            raise SpeechUnavailable(f"simpleaudio is not installed: {exc}") from exc
        with self._lock:
            self._stop_locked()
            started = time.monotonic()
            try:
                self._playing = simpleaudio.play_buffer(data, 1, 2, self.sample_rate)
            except SimpleaudioError as exc:
                self.failed = True
                raise DeviceFailed(f"audio device failed: {exc}") from exc
            self.failed = False
            self.last_play_started = started
        if self.on_play_started is not None:
            self.on_play_started(started)

    def probe(self) -> None:
        """Open the device with a few ms of silence; raises ``DeviceFailed`` if it is still dead."""
        self.play(np.zeros(self.sample_rate // 100))

    def _stop_locked(self) -> None:
        if self._playing is not None:
            self._playing.stop()
            self._playing = None

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def is_playing(self) -> bool:
        with self._lock:
            return self._playing is not None and self._playing.is_playing()

    def wait_done(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.is_playing() and time.monotonic() < deadline:
            time.sleep(0.01)


class _AudioSpeech:
    """What clip and TTS speech share: settings, earcons, privacy pulses, composing the sound."""

    def __init__(self, output: AudioOutput, volume: float = 1.0, rate: float = 1.0,
                 earcons_enabled: bool = True, privacy: bool = False):
        self.output = output
        self.volume = volume
        self.rate = rate
        self.earcons_enabled = earcons_enabled
        self.privacy = privacy  # speak no words at all; notes become pulses
        self.last_speak_called: float | None = None

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = clamp(value, MIN_VOLUME, MAX_VOLUME)

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        self._rate = clamp(value, MIN_RATE, MAX_RATE)

    @property
    def last_play_started(self) -> float | None:
        return self.output.last_play_started

    def _wordless(self, utterance: Utterance) -> bool:
        return utterance.pulses > 0 or self.privacy

    def _compose(self, utterance: Utterance, words: np.ndarray | None) -> np.ndarray:
        sr = self.output.sample_rate
        parts: list[np.ndarray] = []
        if utterance.earcon and self.earcons_enabled:
            parts += [earcons.earcon(utterance.earcon, sr), earcons.gap(sr)]
        if utterance.pulses > 0:
            parts.append(earcons.pulses(utterance.pulses, sr))
        elif not self.privacy and words is not None:
            parts.append(words)
        if not parts:
            return np.zeros(0)
        return np.concatenate(parts) * self.volume

    def _play(self, samples: np.ndarray) -> None:
        if samples.size == 0:
            self.output.stop()  # nothing to say, but still silence whatever was stale
            return
        self.output.play(samples)

    def play_earcon(self, name: str) -> None:
        if not self.earcons_enabled:
            return
        self.output.play(earcons.earcon(name, self.output.sample_rate) * self.volume)

    def stop(self) -> None:
        self.output.stop()


class ClipSpeech(_AudioSpeech):
    """Plays an utterance's prerecorded clips (Nepali). Rate is a pitch-preserving time-stretch."""

    def __init__(self, output: AudioOutput | None = None, **settings):
        super().__init__(output or AudioOutput(), **settings)
        self._cache: OrderedDict[tuple[Path, float], np.ndarray] = OrderedDict()
        self._cache_size = 128

    def can_say(self, utterance: Utterance) -> bool:
        return bool(utterance.clips) or self._wordless(utterance)

    def _load(self, path: Path) -> np.ndarray:
        key = (Path(path), round(self.rate, 2))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        samples = time_stretch(read_wav(path, self.output.sample_rate), key[1], self.output.sample_rate)
        self._cache[key] = samples
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return samples

    def speak(self, utterance: Utterance) -> None:
        self.last_speak_called = time.monotonic()
        words = None
        if not self._wordless(utterance):
            if not utterance.clips:
                raise SpeechUnavailable(f"phrase {utterance.key!r} has no prerecorded clip")
            try:
                loaded = [self._load(p) for p in utterance.clips]
            except AudioFileError as exc:
                raise SpeechUnavailable(str(exc)) from exc
            gap = np.zeros(int(self.output.sample_rate * GAP_BETWEEN_CLIPS_S))
            pieces: list[np.ndarray] = []
            for i, clip in enumerate(loaded):
                pieces += [gap, clip] if i else [clip]
            words = np.concatenate(pieces)
        self._play(self._compose(utterance, words))

    def close(self) -> None:
        self.stop()


def _voice_for(voices, language: str) -> str | None:
    """The engine's voice id for a language ("ne", "en"), or None when it has none."""
    for voice in voices:
        vid = str(voice.id).lower()
        langs = [str(lang).lower() for lang in (voice.languages or [])]
        if vid == language or vid.endswith("/" + language) or language in langs:
            return voice.id
    for voice in voices:
        langs = [str(lang).lower() for lang in (voice.languages or [])]
        if any(lang.startswith(language + "-") or lang.startswith(language + "_") for lang in langs):
            return voice.id
    return None


_ENGINE_LOCK = threading.Lock()  # pyttsx3 hands out one shared engine per process


class TtsSpeech(_AudioSpeech):
    """pyttsx3 synthesis on a worker thread; ``speak`` returns at once.

    A synthesis failure or a dead audio device found on the worker is reported through
    ``on_error`` (the fallback chain forwards it to the announcer).
    """

    def __init__(self, output: AudioOutput | None = None, on_error: ErrorHandler | None = None,
                 init_timeout: float = 10.0, **settings):
        super().__init__(output or AudioOutput(), **settings)
        self.on_error = on_error
        self._jobs: queue.Queue = queue.Queue()
        self._generation = 0
        self._gen_lock = threading.Lock()
        self._ready = threading.Event()
        self._init_error: Exception | None = None
        self._voices: dict[str, str | None] = {}
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._tmpdir = tempfile.TemporaryDirectory(prefix="ncr-tts-")
        self.idle = threading.Event()  # set when no job is pending or being made (for tests)
        self.idle.set()
        self._thread = threading.Thread(target=self._run, name="tts-worker", daemon=True)
        self._thread.start()
        if not self._ready.wait(init_timeout) or self._init_error is not None:
            self.close()
            raise SpeechUnavailable(f"text-to-speech engine failed to start: {self._init_error}")

    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, voice in self._voices.items() if voice)

    def can_say(self, utterance: Utterance) -> bool:
        return self._wordless(utterance) or bool(self._voices.get(utterance.language))

    def _next_generation(self) -> int:
        with self._gen_lock:
            self._generation += 1
            return self._generation

    def speak(self, utterance: Utterance) -> None:
        self.last_speak_called = time.monotonic()
        generation = self._next_generation()
        self.output.stop()  # the stale sound stops now, not when the new one is ready
        if self._wordless(utterance):
            self._play(self._compose(utterance, None))
            return
        if not self._voices.get(utterance.language):
            raise SpeechUnavailable(f"no text-to-speech voice for language {utterance.language!r}")
        if self.output.failed:
            # The device was dead a moment ago: find out now, not on the worker, so the caller
            # can tell the user on screen at once.
            self.output.probe()
        self.idle.clear()
        self._jobs.put((generation, utterance, self.rate))

    def stop(self) -> None:
        self._next_generation()
        self.output.stop()

    def close(self) -> None:
        self._next_generation()
        self.output.stop()
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=5)
        self._tmpdir.cleanup()

    # --- worker thread -------------------------------------------------------------------

    def _run(self) -> None:
        try:
            import pyttsx3

            engine = pyttsx3.init()
            voices = engine.getProperty("voices")
            self._voices = {lang: _voice_for(voices, lang) for lang in ("ne", "en")}
            _silence_driver_prints()
        except Exception as exc:  # any driver failure means no TTS; the caller falls back
            self._init_error = exc
            self._ready.set()
            return
        self._ready.set()
        while True:
            job = self._jobs.get()
            if job is None:
                return
            generation, utterance, rate = job
            try:
                if generation == self._generation:
                    self._say(engine, generation, utterance, rate)
            except SpeechUnavailable as exc:
                self._report(exc)
            except Exception as exc:  # a driver error must not kill the worker
                log.exception("text-to-speech failed")
                self._report(SpeechUnavailable(f"text-to-speech failed: {exc}"))
            finally:
                if self._jobs.empty():
                    self.idle.set()

    def _say(self, engine, generation: int, utterance: Utterance, rate: float) -> None:
        # espeak always speaks at its base speed and the rate is applied to the samples, as for
        # clips: espeak's own rate setting was seen not to take effect now and then when the
        # engine was shared, and one time-stretch keeps clips and TTS at the same pace.
        key = (utterance.language, utterance.text)
        words = self._cache.get(key)
        if words is None:
            words = self._synthesise(engine, utterance.language, utterance.text, TTS_BASE_WPM)
            self._cache[key] = words
            if len(self._cache) > 64:
                self._cache.popitem(last=False)
        if round(rate, 2) != 1.0:
            words = time_stretch(words, round(rate, 2), self.output.sample_rate)
        if generation != self._generation:  # a newer utterance arrived while synthesising
            return
        self._play(self._compose(utterance, words))

    def _synthesise(self, engine, language: str, text: str, wpm: int) -> np.ndarray:
        path = Path(self._tmpdir.name) / "tts.wav"
        with _ENGINE_LOCK:
            engine.setProperty("voice", self._voices[language])
            engine.setProperty("rate", wpm)
            engine.setProperty("volume", 1.0)  # volume is applied to samples, like clips
            engine.save_to_file(text, str(path))
            engine.runAndWait()
        try:
            samples = read_wav(path, self.output.sample_rate)
        except AudioFileError as exc:
            raise SpeechUnavailable(f"text-to-speech produced no audio: {exc}") from exc
        finally:
            if path.exists():
                path.unlink()
        if samples.size == 0:
            raise SpeechUnavailable(f"text-to-speech produced no audio for {text!r}")
        return samples

    def _report(self, exc: SpeechUnavailable) -> None:
        log.warning("speech failed: %s", exc)
        if self.on_error is not None:
            self.on_error(exc)


def _silence_driver_prints() -> None:
    """pyttsx3's espeak driver prints "Audio saved to ..." on every file; the CLI's stdout is ours."""
    import sys

    module = sys.modules.get("pyttsx3.drivers.espeak")
    if module is not None:
        module.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]


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
    """Tries backends in order (clip, then TTS); raises ``SpeechUnavailable`` once if none works.

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
        self.volume, self.rate = volume, rate
        self.earcons_enabled, self.privacy = earcons_enabled, privacy
        self.last_speak_called: float | None = None

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

    def _async_failure(self, exc: SpeechUnavailable) -> None:
        if self.on_unavailable is not None:
            self.on_unavailable(exc)

    def speak(self, utterance: Utterance) -> None:
        self.last_speak_called = time.monotonic()
        # Cancel everything stale first: a TTS job still being synthesised must not play over
        # a newer clip.
        self.stop()
        failures = []
        for backend in self.backends:
            if not backend.can_say(utterance):
                continue
            try:
                backend.speak(utterance)
                return
            except SpeechUnavailable as exc:
                failures.append(f"{type(backend).__name__}: {exc}")
        reason = "; ".join(failures) or f"no backend can say {utterance.key!r} in {utterance.language!r}"
        raise SpeechUnavailable(reason)

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
    at all every ``speak`` raises ``SpeechUnavailable`` for the announcer to handle.
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
