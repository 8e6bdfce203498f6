"""Small, deterministic audio helpers shared by the speech backends and sounds/make_sounds.py.

Audio inside the app is a float64 numpy array in -1..1, mono, at ``SAMPLE_RATE``. Files on disk
are 16-bit PCM WAV; a human recording dropped into ``sounds/`` may have another rate or two
channels, so ``read_wav`` converts rather than refuses.
"""
from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 22050
TARGET_RMS_DBFS = -20.0  # every clip is normalised to this loudness
PEAK_LIMIT_DBFS = -1.0  # ...unless that would clip, then the peak wins
SILENCE_DBFS = -45.0  # a 10 ms frame quieter than this counts as silence when trimming


class AudioFileError(ValueError):
    """A sound file could not be read; the message names the file."""


def read_wav(path: Path | str, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Read a PCM WAV file as mono float64 at ``rate``."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, src_rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise AudioFileError(f"cannot read sound file {path}: {exc}") from exc
    if width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    elif width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 4:
        data = np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2147483648.0
    else:
        raise AudioFileError(f"cannot read sound file {path}: {8 * width}-bit samples are not supported")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return resample(data, src_rate, rate)


def to_int16(samples: np.ndarray) -> np.ndarray:
    return np.round(np.clip(samples, -1.0, 32767 / 32768) * 32768.0).astype("<i2")


def write_wav(path: Path | str, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Write mono 16-bit PCM; the same samples always give the same bytes."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(to_int16(samples).tobytes())


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Linear-interpolation resampling; adequate for speech moving between common rates."""
    if src_rate == dst_rate or samples.size == 0:
        return samples
    n_out = int(round(samples.size * dst_rate / src_rate))
    t = np.arange(n_out) * (src_rate / dst_rate)
    return np.interp(t, np.arange(samples.size), samples)


def dbfs(samples: np.ndarray) -> float:
    """RMS level in dB relative to full scale (-inf for digital silence)."""
    if samples.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(np.square(samples))))
    return 20.0 * np.log10(rms) if rms > 0 else float("-inf")


def _frame_levels(samples: np.ndarray, frame: int) -> np.ndarray:
    n = samples.size // frame
    frames = samples[: n * frame].reshape(n, frame)
    rms = np.sqrt(np.mean(np.square(frames), axis=1))
    with np.errstate(divide="ignore"):
        return 20.0 * np.log10(np.maximum(rms, 1e-12))


def _loud_frames(samples: np.ndarray, rate: int, threshold_dbfs: float) -> tuple[int, np.ndarray]:
    """The 10 ms frame length, and the indices of the frames louder than the threshold."""
    frame = max(1, int(rate * 0.01))
    return frame, np.flatnonzero(_frame_levels(samples, frame) > threshold_dbfs)


def trim_silence(samples: np.ndarray, rate: int = SAMPLE_RATE, threshold_dbfs: float = SILENCE_DBFS,
                 keep_s: float = 0.02) -> np.ndarray:
    """Cut leading and trailing silence, keeping ``keep_s`` of margin and fading the cut edges."""
    frame, loud = _loud_frames(samples, rate, threshold_dbfs)
    if loud.size == 0:
        return samples[:0]
    keep = int(rate * keep_s)
    start = max(0, loud[0] * frame - keep)
    end = min(samples.size, (loud[-1] + 1) * frame + keep)
    out = samples[start:end].copy()
    fade = min(keep, out.size // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        out[:fade] *= ramp
        out[-fade:] *= ramp[::-1]
    return out


def edge_silence_s(samples: np.ndarray, rate: int = SAMPLE_RATE,
                   threshold_dbfs: float = SILENCE_DBFS) -> tuple[float, float]:
    """Seconds of silence before the first and after the last loud 10 ms frame."""
    frame, loud = _loud_frames(samples, rate, threshold_dbfs)
    if loud.size == 0:
        return samples.size / rate, samples.size / rate
    return loud[0] * frame / rate, (samples.size - (loud[-1] + 1) * frame) / rate


def normalise(samples: np.ndarray, target_dbfs: float = TARGET_RMS_DBFS,
              peak_dbfs: float = PEAK_LIMIT_DBFS) -> np.ndarray:
    """Scale to a target RMS level, backing off if the peak would pass ``peak_dbfs``."""
    level = dbfs(samples)
    if not np.isfinite(level):
        return samples
    gain = 10.0 ** ((target_dbfs - level) / 20.0)
    peak = float(np.max(np.abs(samples)))
    peak_limit = 10.0 ** (peak_dbfs / 20.0)
    if peak * gain > peak_limit:
        gain = peak_limit / peak
    return samples * gain


def time_stretch(samples: np.ndarray, rate_factor: float, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Change speed without changing pitch (WSOLA): ``rate_factor`` 2.0 plays twice as fast.

    Plain resampling would make a faster voice squeaky, which hurts understanding more than
    the speed helps.
    """
    if abs(rate_factor - 1.0) < 1e-3 or samples.size == 0:
        return samples
    win = int(sr * 0.03)  # 30 ms frames: longer than a pitch period of an adult voice
    hop_out = win // 2
    hop_in = hop_out * rate_factor
    tolerance = int(sr * 0.008)
    window = np.hanning(win)
    padded = np.concatenate([np.zeros(tolerance), samples, np.zeros(win + tolerance + int(hop_in) + 2)])
    n_frames = int(samples.size / hop_in) + 1
    out = np.zeros(n_frames * hop_out + win)
    norm = np.zeros_like(out)
    prev_tail = None  # what the previous frame would have continued with
    for k in range(n_frames):
        nominal = int(round(k * hop_in)) + tolerance
        offset = 0
        if prev_tail is not None:
            # Pick the nearby frame whose start best matches the natural continuation, so
            # overlapping frames add in phase instead of cancelling.
            lo, hi = nominal - tolerance, nominal + tolerance
            region = padded[lo: hi + hop_out]
            scores = np.correlate(region, prev_tail, mode="valid")
            offset = int(np.argmax(scores)) - tolerance
        start = nominal + offset
        frame = padded[start: start + win]
        out[k * hop_out: k * hop_out + win] += frame * window
        norm[k * hop_out: k * hop_out + win] += window
        prev_tail = padded[start + hop_out: start + hop_out + hop_out]
    norm[norm < 1e-3] = 1.0
    result = out / norm
    return result[: int(round(samples.size / rate_factor))]


def shorten_pauses(samples: np.ndarray, rate: int = SAMPLE_RATE, max_pause_s: float = 0.15,
                   threshold_dbfs: float = SILENCE_DBFS) -> np.ndarray:
    """Shorten every inner silence longer than ``max_pause_s`` to that length.

    espeak-ng pauses ~0.4 s at each full stop; in a short prompt that is dead air a user waits
    through before the next instruction.
    """
    frame = max(1, int(rate * 0.01))
    quiet = _frame_levels(samples, frame) <= threshold_dbfs
    keep_frames = int(round(max_pause_s * rate / frame))
    mask = np.ones(samples.size, dtype=bool)
    run_start = None
    for i, q in enumerate(np.append(quiet, False)):
        if q and run_start is None:
            run_start = i
        elif not q and run_start is not None:
            if i - run_start > keep_frames and run_start > 0 and i < quiet.size:
                # Cut the middle of the pause so both edges keep their natural decay.
                cut_from = run_start + keep_frames // 2
                cut_to = i - (keep_frames - keep_frames // 2)
                mask[cut_from * frame: cut_to * frame] = False
            run_start = None
    return samples[mask]
