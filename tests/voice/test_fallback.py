import logging

import pytest

from desktop_app.voice.clips import ClipSpeech
from desktop_app.voice.fallback import FallbackSpeech
from desktop_app.voice.messages import PhraseUnsayable, SpeechUnavailable
from tests.spies import FakeOutput, SpeechSpy
from tests.spies import utt as _utt


class FakeBackend(SpeechSpy):
    def __init__(self, can=True, **kw):
        super().__init__(**kw)
        self.can = can

    def can_say(self, utterance):
        return self.can


def test_fallback_uses_first_backend_that_can():
    a, b = FakeBackend(can=False), FakeBackend()
    FallbackSpeech([a, b]).speak(_utt())
    assert not a.spoken and len(b.spoken) == 1


def test_fallback_moves_on_after_a_failure_and_raises_once_when_all_fail():
    a, b = FakeBackend(fail=True), FakeBackend()
    FallbackSpeech([a, b]).speak(_utt())
    assert len(b.spoken) == 1
    dead = FallbackSpeech([FakeBackend(fail=True), FakeBackend(fail=True)])
    with pytest.raises(SpeechUnavailable, match="FakeBackend.*FakeBackend"):
        dead.speak(_utt())
    with pytest.raises(SpeechUnavailable):  # still answers, still raises, does not get stuck
        dead.speak(_utt())
    with pytest.raises(SpeechUnavailable):
        FallbackSpeech([]).speak(_utt())


def test_fallback_settings_reach_every_backend():
    a, b = FakeBackend(), FakeBackend()
    s = FallbackSpeech([a, b])
    s.volume, s.rate, s.earcons_enabled, s.privacy = 0.3, 5.0, False, True
    for backend in (a, b):
        assert (backend.volume, backend.rate, backend.earcons_enabled, backend.privacy) == (0.3, 2.0, False, True)


def test_clip_then_tts_on_real_chain(clip):
    """A broken clip file falls through to the next backend; a healthy one is used first."""
    out, spare = FakeOutput(), FakeBackend()
    s = FallbackSpeech([ClipSpeech(out), spare])
    s.speak(_utt([clip]))
    assert len(out.played) == 1 and not spare.spoken
    s.speak(_utt([clip.parent / "gone.wav"]))
    assert len(spare.spoken) == 1


def test_a_broken_clip_is_said_by_tts_and_named_once_in_the_log(tmp_path, clip, caplog):
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"garbage, not audio")
    spare = FakeBackend()
    s = FallbackSpeech([ClipSpeech(FakeOutput()), spare])
    with caplog.at_level(logging.WARNING, logger="desktop_app.voice.fallback"):
        for _ in range(3):
            s.speak(_utt([corrupt]))  # raises nothing: it is not a sound failure
    assert len(spare.spoken) == 3
    warnings = [r.getMessage() for r in caplog.records if "corrupt.wav" in r.getMessage()]
    assert len(warnings) == 1 and "text-to-speech says that phrase instead" in warnings[0]


def test_a_phrase_no_backend_can_say_is_told_as_such(tmp_path):
    """No clip and no voice for the language: which phrase, which language, what to install."""
    no_voice = FakeBackend(can=False)  # TTS without a Nepali voice
    with pytest.raises(PhraseUnsayable) as caught:
        FallbackSpeech([ClipSpeech(FakeOutput()), no_voice]).speak(_utt(key="total", text="जम्मा बीस रुपैयाँ"))
    exc = caught.value
    assert (exc.key, exc.language) == ("total", "ne") and "espeak-ng" in exc.advice
    assert "Nepali" in str(exc) and "total" in str(exc)
    # A broken clip with no voice to stand in names the file to restore too.
    with pytest.raises(PhraseUnsayable, match="gone.wav") as caught:
        FallbackSpeech([ClipSpeech(FakeOutput()), no_voice]).speak(_utt([tmp_path / "gone.wav"]))
    assert "make_sounds.py" in caught.value.advice


def test_a_dead_device_is_still_a_sound_failure(tmp_path, clip):
    dead_device = FallbackSpeech([ClipSpeech(FakeOutput(fail=True)), FakeBackend(can=False)])
    with pytest.raises(SpeechUnavailable, match="unplugged") as caught:
        dead_device.speak(_utt([clip]))
    assert not isinstance(caught.value, PhraseUnsayable)
    # A broken clip, and the TTS that would stand in fails too: sound itself is failing.
    both_fail = FallbackSpeech([ClipSpeech(FakeOutput()), FakeBackend(fail=True)])
    with pytest.raises(SpeechUnavailable) as caught:
        both_fail.speak(_utt([tmp_path / "gone.wav"]))
    assert not isinstance(caught.value, PhraseUnsayable)


def test_a_queued_utterance_does_not_cut_off_the_one_before():
    a = FakeBackend()
    s = FallbackSpeech([a])
    s.speak(_utt())
    stops = a.stops
    s.speak(_utt(queued=True))
    assert a.stops == stops and len(a.spoken) == 2
    s.speak(_utt())
    assert a.stops == stops + 1  # an ordinary one still interrupts


def test_a_queued_phrase_does_not_overtake_one_still_being_made(clip):
    """Behind a TTS phrase still being synthesised, a queued phrase goes to TTS too, in order."""
    class Busy(FakeBackend):
        def pending(self):
            return bool(self.spoken)

    clips_out, tts = FakeOutput(), Busy()
    s = FallbackSpeech([ClipSpeech(clips_out), tts])
    s.speak(_utt(key="video.opened", text="भिडियो खुल्यो"))  # no clip: TTS, still being made
    s.speak(_utt([clip], queued=True))
    assert not clips_out.played and len(tts.spoken) == 2
