import numpy as np
import pytest

from desktop_app.voice import earcons
from desktop_app.voice.audio import SAMPLE_RATE, dbfs, write_wav
from desktop_app.voice.clips import GAP_BETWEEN_CLIPS_S, ClipSpeech, ClipUnreadable
from desktop_app.voice.messages import SpeechUnavailable
from desktop_app.voice.output import DeviceFailed
from tests.spies import FakeOutput
from tests.spies import utt as _utt


def test_clip_plays_earcon_then_words(clip):
    out = FakeOutput()
    ClipSpeech(out).speak(_utt([clip], earcon="success"))
    (played,) = out.played
    head = earcons.earcon("success").size + earcons.gap().size
    assert np.allclose(played[: earcons.earcon("success").size], earcons.earcon("success"))
    assert abs(played.size - head - SAMPLE_RATE * 0.8) <= 1
    assert dbfs(played[head:]) > -20


def test_earcons_can_be_turned_off(clip):
    out = FakeOutput()
    s = ClipSpeech(out, earcons_enabled=False)
    s.speak(_utt([clip], earcon="success"))
    s.play_earcon("start")
    assert len(out.played) == 1 and abs(out.played[0].size - SAMPLE_RATE * 0.8) <= 1


def test_volume_scales_clip_and_earcon(clip):
    loud, quiet = FakeOutput(), FakeOutput()
    ClipSpeech(loud).speak(_utt([clip], earcon="start"))
    ClipSpeech(quiet, volume=0.25).speak(_utt([clip], earcon="start"))
    assert np.allclose(quiet.played[0], loud.played[0] * 0.25)


def test_rate_applies_to_clips(clip):
    normal, fast, slow = FakeOutput(), FakeOutput(), FakeOutput()
    ClipSpeech(normal).speak(_utt([clip]))
    ClipSpeech(fast, rate=2.0).speak(_utt([clip]))
    ClipSpeech(slow, rate=0.5).speak(_utt([clip]))
    assert abs(fast.played[0].size - normal.played[0].size / 2) <= 2
    assert abs(slow.played[0].size - normal.played[0].size * 2) <= 2


def test_clips_join_with_a_short_gap(clip):
    out = FakeOutput()
    ClipSpeech(out).speak(_utt([clip, clip]))
    gap = int(SAMPLE_RATE * GAP_BETWEEN_CLIPS_S)
    assert abs(out.played[0].size - (2 * SAMPLE_RATE * 0.8 + gap)) <= 2


def test_privacy_plays_pulses_not_words(clip):
    out = FakeOutput()
    s = ClipSpeech(out, privacy=True, earcons_enabled=False)
    s.speak(_utt([clip], pulses=3))
    assert np.allclose(out.played[0], earcons.pulses(3))
    s.speak(_utt([clip], pulses=0))  # a non-note message in privacy mode says nothing
    assert len(out.played) == 1


def test_pulses_without_clip_still_play():
    out = FakeOutput()
    ClipSpeech(out, earcons_enabled=False).speak(_utt((), pulses=2))
    assert np.allclose(out.played[0], earcons.pulses(2))


def test_clip_failures_raise_speech_unavailable(tmp_path, clip):
    with pytest.raises(SpeechUnavailable, match="missing.wav"):
        ClipSpeech(FakeOutput()).speak(_utt([tmp_path / "missing.wav"]))
    with pytest.raises(SpeechUnavailable):
        ClipSpeech(FakeOutput()).speak(_utt(()))
    with pytest.raises(DeviceFailed):
        ClipSpeech(FakeOutput(fail=True)).speak(_utt([clip]))


def test_a_bad_clip_file_is_not_a_sound_failure(tmp_path):
    """A missing, corrupt or empty file is the file's fault, named, not the device's."""
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF\x00\x00not a wave file at all")
    empty = tmp_path / "empty.wav"
    write_wav(empty, np.zeros(0))
    for path in (tmp_path / "missing.wav", corrupt, empty):
        with pytest.raises(ClipUnreadable, match=path.name) as caught:
            ClipSpeech(FakeOutput()).speak(_utt([path]))
        assert caught.value.path == path and not isinstance(caught.value, DeviceFailed)


def test_a_queued_clip_waits_for_the_sound_before_it(clip):
    out = FakeOutput()
    s = ClipSpeech(out)
    s.speak(_utt([clip]))
    s.speak(_utt([clip], queued=True))
    assert out.queued == [False, True]


def test_stop_interrupts(clip):
    out = FakeOutput()
    s = ClipSpeech(out)
    s.stop()
    assert out.stops == 1
