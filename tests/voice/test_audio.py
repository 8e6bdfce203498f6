import numpy as np
import pytest

from desktop_app.voice.audio import (
    SAMPLE_RATE, AudioFileError, dbfs, edge_silence_s, normalise, read_wav, resample, shorten_pauses,
    time_stretch, trim_silence, write_wav,
)


def _sine(hz, seconds, sr=SAMPLE_RATE, level=0.3):
    t = np.arange(int(sr * seconds)) / sr
    return level * np.sin(2 * np.pi * hz * t)


def _dominant_hz(samples, sr=SAMPLE_RATE):
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return np.fft.rfftfreq(samples.size, 1 / sr)[int(np.argmax(spectrum))]


def test_wav_round_trip_is_exact(tmp_path):
    x = _sine(440, 0.2)
    write_wav(tmp_path / "a.wav", x)
    y = read_wav(tmp_path / "a.wav")
    assert np.max(np.abs(x - y)) < 1 / 32768 + 1e-9


def test_read_converts_stereo_and_rate(tmp_path):
    import wave

    x = (_sine(440, 0.5, sr=44100) * 32767).astype("<i2")
    with wave.open(str(tmp_path / "s.wav"), "wb") as w:
        w.setnchannels(2), w.setsampwidth(2), w.setframerate(44100)
        w.writeframes(np.repeat(x, 2).tobytes())
    y = read_wav(tmp_path / "s.wav")
    assert abs(y.size - SAMPLE_RATE // 2) <= 1
    assert abs(_dominant_hz(y) - 440) < 5


def test_unreadable_wav_names_the_file(tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFFxxxxWAVE")
    with pytest.raises(AudioFileError, match="broken.wav"):
        read_wav(bad)


def test_trim_removes_edge_silence():
    x = np.concatenate([np.zeros(SAMPLE_RATE), _sine(300, 0.5), np.zeros(SAMPLE_RATE)])
    y = trim_silence(x)
    assert 0.5 <= y.size / SAMPLE_RATE < 0.6
    lead, tail = edge_silence_s(y)
    assert lead < 0.03 and tail < 0.03


def test_shorten_pauses_keeps_sound_and_caps_gaps():
    x = np.concatenate([_sine(300, 0.3), np.zeros(SAMPLE_RATE), _sine(300, 0.3)])
    y = shorten_pauses(x, max_pause_s=0.15)
    assert abs(y.size / SAMPLE_RATE - 0.75) < 0.03


def test_normalise_hits_target_or_peak_limit():
    assert abs(dbfs(normalise(_sine(300, 0.5, level=0.01))) + 20) < 0.05
    spiky = np.zeros(SAMPLE_RATE)
    spiky[::1000] = 0.01
    assert np.max(np.abs(normalise(spiky))) <= 10 ** (-1 / 20) + 1e-9


@pytest.mark.parametrize("factor", [0.5, 0.8, 1.5, 2.0])
def test_time_stretch_changes_length_not_pitch(factor):
    x = _sine(440, 1.0)
    y = time_stretch(x, factor)
    assert abs(y.size - x.size / factor) <= 2
    assert abs(_dominant_hz(y) - 440) < 10
    assert abs(dbfs(y) - dbfs(x)) < 2  # frames add in phase, no cancellation


def test_resample_keeps_pitch():
    y = resample(_sine(440, 1.0, sr=16000), 16000, SAMPLE_RATE)
    assert abs(y.size - SAMPLE_RATE) <= 1 and abs(_dominant_hz(y) - 440) < 3
