import numpy as np
import pytest

from desktop_app.voice import earcons
from desktop_app.voice.audio import SAMPLE_RATE, dbfs


def _dominant_hz(samples, sr=SAMPLE_RATE):
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return np.fft.rfftfreq(samples.size, 1 / sr)[int(np.argmax(spectrum))]


def _loud_segments(samples, sr=SAMPLE_RATE):
    """Start indices of bursts of sound separated by silence."""
    frame = sr // 200
    n = samples.size // frame
    loud = np.sqrt(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1)) > 0.01
    return np.flatnonzero(loud[1:] & ~loud[:-1]).size + int(loud[0])


@pytest.mark.parametrize("name", earcons.EARCON_NAMES)
def test_earcon_is_short_audible_and_click_free(name):
    tone = earcons.earcon(name)
    assert 0.1 < tone.size / SAMPLE_RATE < 0.5
    assert np.max(np.abs(tone)) <= 1.0
    assert dbfs(tone) > -25
    assert abs(tone[0]) < 1e-3 and abs(tone[-1]) < 1e-3


def test_earcons_differ_in_pitch_direction():
    def first_and_last_hz(tone):
        q = tone.size // 4
        return _dominant_hz(tone[:q]), _dominant_hz(tone[-q:])

    start_a, start_b = first_and_last_hz(earcons.earcon("start"))
    fail_a, fail_b = first_and_last_hz(earcons.earcon("fail"))
    ok_a, ok_b = first_and_last_hz(earcons.earcon("success"))
    assert start_b > start_a and ok_b > ok_a  # rising
    assert fail_b < fail_a  # falling
    assert max(fail_a, fail_b) < min(start_a, ok_a)  # fail is the low one


def test_earcons_are_not_the_same_sound():
    tones = [earcons.earcon(n) for n in earcons.EARCON_NAMES]
    assert len({t.size for t in tones}) == len(tones) or len({round(_dominant_hz(t)) for t in tones}) == len(tones)


@pytest.mark.parametrize("count", [1, 2, 4, 7])
def test_pulses_can_be_counted(count):
    assert _loud_segments(earcons.pulses(count)) == count


def test_bad_requests():
    with pytest.raises(ValueError):
        earcons.earcon("boing")
    with pytest.raises(ValueError):
        earcons.pulses(0)
