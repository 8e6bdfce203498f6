import os
import shutil
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from desktop_app.voice import earcons

from desktop_app.voice import speech
from desktop_app.voice.audio import SAMPLE_RATE, dbfs, read_wav, write_wav
from desktop_app.voice.messages import SpeechUnavailable, Utterance
from desktop_app.voice.phrases import PhraseCatalogue
from desktop_app.voice.speech import ClipSpeech, DeviceFailed, FallbackSpeech, TtsSpeech
from tests.spies import SpeechSpy
from desktop_app.paths import REPO_ROOT


class FakeOutput:
    """Stands in for the sound device; remembers what it was asked to play."""

    sample_rate = SAMPLE_RATE

    def __init__(self, fail=False):
        self.fail, self.failed = fail, False
        self.played, self.stops = [], 0
        self.last_play_started = None

    def play(self, samples):
        if self.fail:
            self.failed = True
            raise DeviceFailed("fake device unplugged")
        self.failed = False
        self.played.append(np.asarray(samples))
        self.last_play_started = time.monotonic()

    def probe(self):
        self.play(np.zeros(10))

    def stop(self):
        self.stops += 1


@pytest.fixture
def clip(tmp_path):
    t = np.arange(int(SAMPLE_RATE * 0.8)) / SAMPLE_RATE
    path = tmp_path / "clip.wav"
    write_wav(path, 0.3 * np.sin(2 * np.pi * 220 * t))
    return path


def _utt(clips=(), earcon=None, pulses=0, language="ne", text="पाँच सय रुपैयाँ"):
    return Utterance(key="note.500", language=language, text=text, clips=tuple(clips), earcon=earcon, pulses=pulses)


# --- ClipSpeech ------------------------------------------------------------------------------

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
    gap = int(SAMPLE_RATE * speech.GAP_BETWEEN_CLIPS_S)
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


def test_stop_interrupts(clip):
    out = FakeOutput()
    s = ClipSpeech(out)
    s.stop()
    assert out.stops == 1


# --- FallbackSpeech -------------------------------------------------------------------------

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


# --- TtsSpeech (real pyttsx3, fake device) ---------------------------------------------------

@pytest.fixture
def tts():
    out = FakeOutput()
    try:
        engine = TtsSpeech(out)
    except SpeechUnavailable as exc:
        pytest.skip(f"no TTS engine here: {exc}")
    yield engine, out
    engine.close()


def _wait(engine, timeout=10.0):
    assert engine.idle.wait(timeout), "TTS worker did not finish"


@pytest.mark.parametrize("language, text", [("en", "Total 1500 rupees"), ("ne", "जम्मा एक हजार पाँच सय रुपैयाँ")])
def test_tts_makes_speech_in_both_languages(tts, language, text):
    engine, out = tts
    if language not in engine.languages():
        pytest.skip(f"no {language} voice installed")
    engine.speak(_utt(language=language, text=text))
    _wait(engine)
    (played,) = out.played
    assert played.size / SAMPLE_RATE > 0.5 and dbfs(played) > -35


def test_tts_rate_and_volume(tts):
    engine, out = tts
    engine.speak(_utt(language="en", text="Five hundred rupees"))
    _wait(engine)
    engine.rate, engine.volume = 2.0, 0.5
    engine.speak(_utt(language="en", text="Five hundred rupees"))
    _wait(engine)
    normal, fast = out.played
    assert fast.size < normal.size * 0.7
    assert np.max(np.abs(fast)) < np.max(np.abs(normal)) * 0.6


def test_tts_drops_a_stale_utterance(tts):
    engine, out = tts
    with speech._ENGINE_LOCK:  # keep the worker busy on the first one
        engine.speak(_utt(language="en", text="one hundred"))
        time.sleep(0.05)
        engine.speak(_utt(language="en", text="one thousand and five hundred rupees in total"))
    _wait(engine)
    time.sleep(0.05)
    _wait(engine)
    assert len(out.played) == 1 and out.played[0].size / SAMPLE_RATE > 1.5


def test_a_new_clip_cancels_pending_tts(tts, clip):
    engine, out = tts
    chain = FallbackSpeech([ClipSpeech(out), engine])
    with speech._ENGINE_LOCK:  # English TTS still being made...
        chain.speak(_utt(language="en", text="scanning"))
        time.sleep(0.05)
        chain.speak(_utt([clip]))  # ...when a Nepali clip result arrives
    _wait(engine)
    time.sleep(0.05)
    assert len(out.played) == 1 and abs(out.played[0].size - SAMPLE_RATE * 0.8) <= 1


def test_tts_speak_returns_before_audio_is_made(tts):
    engine, out = tts
    with speech._ENGINE_LOCK:
        engine.speak(_utt(language="en", text="hello"))
        assert out.played == []  # speak did not wait for synthesis
    _wait(engine)


def test_tts_reports_a_dead_device(tts):
    engine, out = tts
    errors = []
    engine.on_error = errors.append
    out.fail = True
    engine.speak(_utt(language="en", text="hello"))  # device not yet known dead: failure arrives later
    _wait(engine)
    assert len(errors) == 1 and isinstance(errors[0], SpeechUnavailable)
    with pytest.raises(SpeechUnavailable):  # known dead: said at once
        engine.speak(_utt(language="en", text="hello"))
    out.fail = False
    engine.speak(_utt(language="en", text="hello"))  # device is back: speech resumes
    _wait(engine)
    assert dbfs(out.played[-1]) > -35


# --- through a real ALSA device (a file), in a subprocess so ~/.asoundrc applies ---------------

def _alsa_run(tmp_path, code, broken=False):
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / "out.wav"
    pcm = 'pcm.!default { type hw card 29 }' if broken else (
        f'pcm.!default {{ type file slave.pcm "null" file "{out}" format "wav" }}')
    (home / ".asoundrc").write_text(pcm + "\n")
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    return proc, out


PLAY_LAST = """
    from desktop_app.voice.phrases import PhraseCatalogue
    from desktop_app.voice.speech import make_speech
    catalogue = PhraseCatalogue.load()
    s = make_speech()
    s.speak(catalogue.utterance({key!r}, {lang!r}, **{params!r}))
    s.backends[-1].idle.wait(10)
    s.backends[0].output.wait_done()
    print("played", s.last_play_started - s.last_speak_called)
    s.close()
"""


@pytest.fixture
def alsa_file_device(tmp_path):
    proc, out = _alsa_run(tmp_path, """
        import simpleaudio
        simpleaudio.play_buffer(bytes(400), 1, 2, 22050).wait_done()
    """)
    if proc.returncode != 0 or not out.exists():
        pytest.skip(f"ALSA file device not usable here: {proc.stderr[-300:]}")
    out.unlink()
    shutil.rmtree(tmp_path / "home")
    return tmp_path


def test_nepali_clip_really_plays(alsa_file_device):
    catalogue = PhraseCatalogue.load()
    proc, out = _alsa_run(alsa_file_device, PLAY_LAST.format(key="note.500", lang="ne", params={}))
    assert proc.returncode == 0, proc.stderr
    heard = read_wav(out)
    clip = read_wav(catalogue.clips("note.500", "ne")[0])
    expected = earcons.earcon("success").size + earcons.gap().size + clip.size
    assert abs(heard.size - expected) <= 2
    assert dbfs(heard[-clip.size:]) > -25


def test_english_tts_really_plays(alsa_file_device):
    proc, out = _alsa_run(alsa_file_device, PLAY_LAST.format(key="total", lang="en", params={"amount": 20}))
    assert proc.returncode == 0, proc.stderr
    heard = read_wav(out)
    assert heard.size / SAMPLE_RATE > 0.8 and dbfs(heard) > -30


def test_nepali_number_phrase_uses_nepali_tts(alsa_file_device):
    proc, out = _alsa_run(alsa_file_device, PLAY_LAST.format(key="total", lang="ne", params={"amount": 1500}))
    assert proc.returncode == 0, proc.stderr
    heard = read_wav(out)
    assert heard.size / SAMPLE_RATE > 1.0 and dbfs(heard) > -30


def test_broken_device_raises_once_and_keeps_working(alsa_file_device):
    proc, _ = _alsa_run(alsa_file_device, """
        from desktop_app.voice.messages import SpeechUnavailable
        from desktop_app.voice.phrases import PhraseCatalogue
        from desktop_app.voice.speech import make_speech
        catalogue = PhraseCatalogue.load()
        s = make_speech()
        for key, lang in [("note.500", "ne"), ("note.500", "en"), ("result.none", "ne")]:
            try:
                s.speak(catalogue.utterance(key, lang))
                print("spoke", key, lang)
            except SpeechUnavailable as exc:
                print("unavailable", key, lang)
        try:
            s.play_earcon("start")
        except SpeechUnavailable:
            print("unavailable earcon")
        s.close()
        print("still running")
    """, broken=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:5] == [
        "unavailable note.500 ne", "unavailable note.500 en", "unavailable result.none ne",
        "unavailable earcon", "still running"]
