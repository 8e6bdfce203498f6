"""Text-to-speech: pyttsx3 synthesises to a WAV file on a worker thread; the one audio output plays it.

pyttsx3 never plays here, because its own playback on Linux shells out to ``aplay`` and can
neither be interrupted nor report a failure. And its file output needs care, because with
pyttsx3 2.99's espeak driver:

* ``runAndWait`` returns before the *first* file of the process is written: the driver ends
  its loop while draining the command queue, before it starts the synthesis, and espeak-ng
  then synthesises on its own thread. That thread needs the GIL for each chunk of audio, so
  in a busy process (the Qt window: GUI thread plus frame worker) it finishes tens of ms
  later and the file is not there yet ("cannot read sound file .../tts.wav"). Outside Qt it
  usually wins the race, which is why the terminal mode spoke.
* the next ``runAndWait`` cancels its own utterance when espeak-ng still reports the previous
  one as playing (it calls ``stop()`` while ending the loop), which gives no file, or an
  empty one.
* the engine is one per process (``pyttsx3.init()`` hands out a shared one), and a late file
  from an abandoned utterance could land where the next one is read.

So ``_Engine`` spends the early-returning first ``runAndWait`` on nothing, lets espeak-ng go
quiet before and after each utterance, waits for pyttsx3's "finished-utterance" notification
(sent after the file is closed), says it again if no file came all the same, and gives every
utterance its own file name. ``say()`` is never called: after ``save_to_file`` it would rewrite that file.
"""
from __future__ import annotations

import itertools
import logging
import queue
import sys
import tempfile
import threading
import time
import wave
from collections import OrderedDict
from pathlib import Path

import numpy as np

from desktop_app.voice.audio import AudioFileError, read_wav, time_stretch
from desktop_app.voice.messages import SpeechUnavailable, Utterance
from desktop_app.voice.output import AudioOutput, ErrorHandler, OutputSpeech

log = logging.getLogger(__name__)

TTS_BASE_WPM = 175  # espeak-ng's own default speed; rate 1.0 maps here
SYNTH_TIMEOUT_S = 10.0  # the longest phrase (help) takes well under a second even on a busy CPU
_ENGINE_LOCK = threading.Lock()  # pyttsx3 hands out one shared engine per process


def voice_for(voices, language: str) -> str | None:
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


class _Engine:
    """The process's pyttsx3 engine, made to finish each file before anyone reads it."""

    def __init__(self):
        import pyttsx3

        self.engine = pyttsx3.init()
        self._done = threading.Event()
        self._names = itertools.count()
        self.engine.connect("finished-utterance", self._finished)
        _silence_driver_prints()
        # pyttsx3's first runAndWait is the one that returns early and leaves its driver
        # "stopping" (it cancels while espeak-ng still applies the settings): spend it on
        # nothing, so that every utterance takes the path that waits.
        self.engine.runAndWait()
        self._wait_until_quiet()
        driver = getattr(self.engine.proxy, "_driver", None)
        if getattr(driver, "_stopping", False):
            driver._stopping = False  # it would cancel the first real utterance

    def _finished(self, name=None, completed=True, **_) -> None:  # on espeak-ng's own thread
        self._done.set()

    def voices(self) -> list:
        return list(self.engine.getProperty("voices") or [])

    def synthesise(self, folder: Path, voice: str, wpm: int, text: str) -> Path:
        """Writes ``text`` spoken by ``voice`` to a new WAV file in ``folder`` and returns it."""
        with _ENGINE_LOCK:
            for _attempt in range(3):
                path = folder / f"tts-{next(self._names)}.wav"
                self._done.clear()
                self.engine.setProperty("voice", voice)
                self.engine.setProperty("rate", wpm)
                self.engine.setProperty("volume", 1.0)  # volume is applied to samples, like clips
                # espeak-ng queues the settings on its thread; a synthesis started before they
                # are applied is cancelled by the driver (and the rate was lost with it).
                self._wait_until_quiet()
                self.engine.save_to_file(text, str(path))
                self.engine.runAndWait()
                # The driver's "finished" may say completed=False for a file it then wrote, so
                # the file itself decides, once espeak-ng has gone quiet.
                self._done.wait(SYNTH_TIMEOUT_S)
                self._wait_until_quiet()
                if _has_audio(path):
                    return path
                path.unlink(missing_ok=True)
                log.info("text-to-speech gave no file for %r; saying it again", text)
            raise SpeechUnavailable(f"text-to-speech produced no audio for {text!r} three times")

    @staticmethod
    def _wait_until_quiet(timeout: float = SYNTH_TIMEOUT_S) -> None:
        """Lets espeak-ng finish what it is doing on its own thread. Other drivers work
        synchronously and have nothing to wait for."""
        espeak = sys.modules.get("pyttsx3.drivers._espeak")
        if espeak is None:
            return
        deadline = time.monotonic() + timeout
        while espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.005)


def _has_audio(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() > 0
    except (OSError, EOFError, wave.Error):
        return False


_shared: _Engine | None = None


def _engine() -> _Engine:
    global _shared
    with _ENGINE_LOCK:
        if _shared is None:
            _shared = _Engine()
        return _shared


class TtsSpeech(OutputSpeech):
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

    def pending(self) -> bool:
        """Still making or about to play an utterance (a queued one must wait behind it)."""
        return not self.idle.is_set()

    def _next_generation(self) -> int:
        with self._gen_lock:
            self._generation += 1
            return self._generation

    def speak(self, utterance: Utterance) -> None:
        self.last_speak_called = time.monotonic()
        if utterance.queued:  # waits its turn: nothing before it is stale
            generation = self._generation
        else:
            generation = self._next_generation()
            self.output.stop()  # the stale sound stops now, not when the new one is ready
        if self._wordless(utterance):
            self._play(self._compose(utterance, None), utterance)
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
            engine = _engine()
            voices = engine.voices()
            self._voices = {lang: voice_for(voices, lang) for lang in ("ne", "en")}
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

    def _say(self, engine: _Engine, generation: int, utterance: Utterance, rate: float) -> None:
        # espeak always speaks at its base speed and the rate is applied to the samples, as for
        # clips: one time-stretch keeps clips and TTS at the same pace.
        key = (utterance.language, utterance.text)
        words = self._cache.get(key)
        if words is None:
            words = self._synthesise(engine, utterance.language, utterance.text)
            self._cache[key] = words
            if len(self._cache) > 64:
                self._cache.popitem(last=False)
        if round(rate, 2) != 1.0:
            words = time_stretch(words, round(rate, 2), self.output.sample_rate)
        if generation != self._generation:  # a newer utterance arrived while synthesising
            return
        self._play(self._compose(utterance, words), utterance)

    def _synthesise(self, engine: _Engine, language: str, text: str) -> np.ndarray:
        path = engine.synthesise(Path(self._tmpdir.name), self._voices[language], TTS_BASE_WPM, text)
        try:
            samples = read_wav(path, self.output.sample_rate)
        except AudioFileError as exc:
            raise SpeechUnavailable(f"text-to-speech produced no audio: {exc}") from exc
        finally:
            path.unlink(missing_ok=True)
        if samples.size == 0:
            raise SpeechUnavailable(f"text-to-speech produced no audio for {text!r}")
        return samples

    def _report(self, exc: SpeechUnavailable) -> None:
        log.warning("speech failed: %s", exc)
        if self.on_error is not None:
            self.on_error(exc)


def _silence_driver_prints() -> None:
    """pyttsx3's espeak driver prints "Audio saved to ..." on every file; the CLI's stdout is ours."""
    module = sys.modules.get("pyttsx3.drivers.espeak")
    if module is not None:
        module.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]
