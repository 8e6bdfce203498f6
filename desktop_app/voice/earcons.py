"""Earcons: short synthesised tones that say what is happening before any words.

* ``start``   — two quick rising notes: scanning has begun.
* ``fail``    — a falling, lower tone: the scan ended without a result.
* ``success`` — a bright rising triad: a note was recognised (the value follows).
* ``tick``    — one short high blip: teach mode kept another good picture of the note.
* pulses      — privacy mode: N identical short beeps, one more for each larger denomination
                (5 -> 1 ... 1000 -> 7), so nothing is said aloud.

The earcons differ in direction and pitch, not only in length, so they stay distinct on
a small laptop speaker. Tones are generated, not loaded, so they cannot go missing.
"""
from __future__ import annotations

import numpy as np

from desktop_app.voice.audio import SAMPLE_RATE

EARCON_NAMES: tuple[str, ...] = ("start", "fail", "success", "tick")
LEVEL = 0.25  # peak amplitude: about as loud as the normalised speech clips
PULSE_S = 0.07
PULSE_GAP_S = 0.13  # long enough that 7 pulses can still be counted
GAP_AFTER_EARCON_S = 0.08  # pause between an earcon and the words that follow


def _tone(freq_start: float, freq_end: float, seconds: float, sr: int) -> np.ndarray:
    n = int(sr * seconds)
    freq = np.linspace(freq_start, freq_end, n)
    phase = 2.0 * np.pi * np.cumsum(freq) / sr
    # A soft second harmonic makes the tone audible on speakers that cannot reproduce lows.
    wave = np.sin(phase) + 0.3 * np.sin(2.0 * phase)
    fade = min(int(sr * 0.008), n // 2)  # 8 ms fades: no clicks
    envelope = np.ones(n)
    envelope[:fade] = np.linspace(0.0, 1.0, fade)
    envelope[n - fade:] = np.linspace(1.0, 0.0, fade)
    return wave / 1.3 * envelope * LEVEL


def _silence(seconds: float, sr: int) -> np.ndarray:
    return np.zeros(int(sr * seconds))


def earcon(name: str, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The named earcon as float samples in -1..1."""
    if name == "start":
        parts = [_tone(660, 660, 0.06, sr), _silence(0.03, sr), _tone(880, 880, 0.06, sr)]
    elif name == "fail":
        parts = [_tone(392, 262, 0.28, sr)]
    elif name == "success":
        parts = [_tone(784, 784, 0.07, sr), _tone(988, 988, 0.07, sr), _tone(1175, 1175, 0.12, sr)]
    elif name == "tick":  # teach mode: one more good picture of the note was kept
        parts = [_tone(1320, 1320, 0.12, sr)]
    else:
        raise ValueError(f"unknown earcon {name!r}; known: {EARCON_NAMES}")
    return np.concatenate(parts)


def pulses(count: int, sr: int = SAMPLE_RATE) -> np.ndarray:
    """``count`` identical beeps separated by gaps (privacy mode)."""
    if count < 1:
        raise ValueError(f"pulse count must be at least 1, got {count}")
    beep = _tone(1000, 1000, PULSE_S, sr)
    gap = _silence(PULSE_GAP_S, sr)
    parts = []
    for i in range(count):
        if i:
            parts.append(gap)
        parts.append(beep)
    return np.concatenate(parts)


def gap(sr: int = SAMPLE_RATE) -> np.ndarray:
    return _silence(GAP_AFTER_EARCON_S, sr)
