"""Prerecorded speech: an utterance's Nepali clips, played through the one audio output."""
from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from desktop_app.voice.audio import AudioFileError, read_wav, time_stretch
from desktop_app.voice.messages import SpeechUnavailable, Utterance
from desktop_app.voice.output import AudioOutput, OutputSpeech

GAP_BETWEEN_CLIPS_S = 0.06


class ClipUnreadable(SpeechUnavailable):
    """A clip file is missing or cannot be decoded; another backend may still say the phrase.

    Not a sound failure: the device works, one file does not.
    """

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = Path(path)


class ClipSpeech(OutputSpeech):
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
        try:
            samples = read_wav(path, self.output.sample_rate)
        except AudioFileError as exc:
            raise ClipUnreadable(str(exc), path) from exc
        if samples.size == 0:
            raise ClipUnreadable(f"sound file {path} holds no audio", path)
        samples = time_stretch(samples, key[1], self.output.sample_rate)
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
            loaded = [self._load(p) for p in utterance.clips]
            gap = np.zeros(int(self.output.sample_rate * GAP_BETWEEN_CLIPS_S))
            pieces: list[np.ndarray] = []
            for i, clip in enumerate(loaded):
                pieces += [gap, clip] if i else [clip]
            words = np.concatenate(pieces)
        self._play(self._compose(utterance, words), utterance)

    def close(self) -> None:
        self.stop()
