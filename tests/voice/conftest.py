"""What the speech-backend tests share: a short real clip on disk."""
import numpy as np
import pytest

from desktop_app.voice.audio import SAMPLE_RATE, write_wav


@pytest.fixture
def clip(tmp_path):
    t = np.arange(int(SAMPLE_RATE * 0.8)) / SAMPLE_RATE
    path = tmp_path / "clip.wav"
    write_wav(path, 0.3 * np.sin(2 * np.pi * 220 * t))
    return path

