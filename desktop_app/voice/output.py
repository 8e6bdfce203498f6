"""The one way sound leaves the app, and what every speech backend that uses it shares.

All sound goes through one ``AudioOutput``, so volume, rate, earcons, privacy pulses and
interruption work the same for clips and for TTS, and a dead audio device is noticed in one
place. The audio library is imported on the one line below and nowhere else in the app.
"""
from __future__ import annotations

import glob
import logging
import os
import sys
import threading
import time
from collections import deque
from typing import Callable

import numpy as np

from desktop_app.voice import earcons
from desktop_app.voice.audio import SAMPLE_RATE, to_int16
from desktop_app.voice.messages import SpeechUnavailable, Utterance



def distro_alsa_plugin_dir(candidates=None) -> str | None:
    """This system's own ALSA plugin folder (pulse, pipewire), when it has one.

    The audio library's wheel bundles its own libasound, built to look for plugins in
    /usr/lib64/alsa-lib (Red Hat's layout). Debian and Ubuntu keep them in
    /usr/lib/<triplet>/alsa-lib, and their alsa.conf loads the pulse/pipewire plugin for the
    default device: without this folder every device open fails with "Unknown PCM default".
    """
    if candidates is None:
        candidates = sorted(glob.glob("/usr/lib/*-linux-gnu*/alsa-lib")) + ["/usr/lib/alsa-lib", "/usr/lib64/alsa-lib"]
    for folder in candidates:
        if glob.glob(os.path.join(folder, "libasound_module_*.so")):
            return folder
    return None


if sys.platform.startswith("linux") and "ALSA_PLUGIN_DIR" not in os.environ:
    _plugins = distro_alsa_plugin_dir()
    if _plugins:
        os.environ["ALSA_PLUGIN_DIR"] = _plugins  # read by libasound when it first loads config

try:  # the one audio library: a simpleaudio fork with wheels for 3.10-3.14 (see pyproject.toml)
    import simpleaudiohamiltoncs as player
except ImportError as _exc:  # pragma: no cover - a hard dependency; said once, on first play
    player, _PLAYER_MISSING = None, _exc

log = logging.getLogger(__name__)

MIN_VOLUME, MAX_VOLUME = 0.0, 1.0
MIN_RATE, MAX_RATE = 0.5, 2.0

ErrorHandler = Callable[[SpeechUnavailable], None]


def clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, float(value)))


class DeviceFailed(SpeechUnavailable):
    """The sound device could not be opened (unplugged, busy, no driver)."""


def _open_device(data: bytes, sample_rate: int):
    if player is None:
        raise SpeechUnavailable(f"the audio library is not installed: {_PLAYER_MISSING}")
    try:
        return player.play_buffer(data, 1, 2, sample_rate)
    except Exception as exc:  # the library raises its own error type for a device that won't open
        raise DeviceFailed(f"audio device failed: {exc}") from exc


class AudioOutput:
    """One sound at a time; a new sound cuts off the old one, unless it is queued behind it."""

    def __init__(self, sample_rate: int = SAMPLE_RATE):
        self.sample_rate = sample_rate
        self._lock = threading.Lock()
        self._playing = None
        self._queued: deque[bytes] = deque()  # sounds waiting for the current one to end
        self._feeder: threading.Thread | None = None
        # Monotonic time at which the latest buffer was handed to the device (for latency benches).
        self.last_play_started: float | None = None
        self.on_play_started: Callable[[float], None] | None = None
        self.on_error: ErrorHandler | None = None  # a queued sound that failed to start later
        self.failed = False  # the last attempt to open the device failed

    def play(self, samples: np.ndarray, *, queued: bool = False) -> None:
        """Plays now, cutting off what is playing; ``queued`` plays after it instead."""
        data = to_int16(samples).tobytes()
        with self._lock:
            if queued and (self._queued or self._busy_locked()):
                self._queued.append(data)
                if self._feeder is None or not self._feeder.is_alive():
                    self._feeder = threading.Thread(target=self._feed, name="audio-queue", daemon=True)
                    self._feeder.start()
                return
            self._stop_locked()
            started = self._start_locked(data)
        self._started(started)

    def _start_locked(self, data: bytes) -> float:
        started = time.monotonic()
        try:
            self._playing = _open_device(data, self.sample_rate)
        except DeviceFailed:
            self.failed = True
            raise
        self.failed = False
        self.last_play_started = started
        return started

    def _started(self, started: float) -> None:
        if self.on_play_started is not None:
            self.on_play_started(started)

    def _busy_locked(self) -> bool:
        return self._playing is not None and self._playing.is_playing()

    def _feed(self) -> None:
        """Starts each queued sound when the one before it has ended."""
        while True:
            with self._lock:
                if not self._queued:
                    return
                if not self._busy_locked():
                    data = self._queued.popleft()
                    try:
                        started = self._start_locked(data)
                    except SpeechUnavailable as exc:
                        self._queued.clear()
                        failure = exc
                    else:
                        failure = None
                else:
                    data = None
            if data is None:
                time.sleep(0.01)
            elif failure is not None:
                log.warning("queued sound failed: %s", failure)
                if self.on_error is not None:
                    self.on_error(failure)
                return
            else:
                self._started(started)

    def probe(self) -> None:
        """Open the device with a few ms of silence; raises ``DeviceFailed`` if it is still dead."""
        self.play(np.zeros(self.sample_rate // 100))

    def _stop_locked(self) -> None:
        self._queued.clear()
        if self._playing is not None:
            self._playing.stop()
            self._playing = None

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def is_playing(self) -> bool:
        with self._lock:
            return bool(self._queued) or self._busy_locked()

    def wait_done(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.is_playing() and time.monotonic() < deadline:
            time.sleep(0.01)


class Clamped:
    """A number attribute kept within [low, high] whatever is assigned (keys step past the ends)."""

    def __init__(self, low: float, high: float):
        self.low, self.high = low, high

    def __set_name__(self, owner, name: str) -> None:
        self.attr = "_" + name

    def __get__(self, obj, owner=None):
        return self if obj is None else getattr(obj, self.attr)

    def __set__(self, obj, value: float) -> None:
        setattr(obj, self.attr, clamp(value, self.low, self.high))


class OutputSpeech:
    """What clip and TTS speech share: settings, earcons, privacy pulses, composing the sound."""

    def __init__(self, output: AudioOutput, volume: float = 1.0, rate: float = 1.0,
                 earcons_enabled: bool = True, privacy: bool = False):
        self.output = output
        self.volume = volume
        self.rate = rate
        self.earcons_enabled = earcons_enabled
        self.privacy = privacy  # speak no words at all; notes become pulses
        self.last_speak_called: float | None = None

    volume = Clamped(MIN_VOLUME, MAX_VOLUME)
    rate = Clamped(MIN_RATE, MAX_RATE)

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

    def _play(self, samples: np.ndarray, utterance: Utterance) -> None:
        if samples.size == 0:
            if not utterance.queued:
                self.output.stop()  # nothing to say, but still silence whatever was stale
            return
        self.output.play(samples, queued=utterance.queued)

    def play_earcon(self, name: str) -> None:
        if not self.earcons_enabled:
            return
        self.output.play(earcons.earcon(name, self.output.sample_rate) * self.volume)

    def stop(self) -> None:
        self.output.stop()
