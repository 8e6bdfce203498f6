import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from desktop_app.paths import REPO_ROOT
from desktop_app.voice import tts as tts_module
from desktop_app.voice.audio import SAMPLE_RATE, dbfs
from desktop_app.voice.clips import ClipSpeech
from desktop_app.voice.fallback import FallbackSpeech
from desktop_app.voice.messages import SpeechUnavailable
from desktop_app.voice.tts import TtsSpeech
from tests.spies import FakeOutput
from tests.spies import utt as _utt

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
    with tts_module._ENGINE_LOCK:  # keep the worker busy on the first one
        engine.speak(_utt(language="en", text="one hundred"))
        time.sleep(0.05)
        engine.speak(_utt(language="en", text="one thousand and five hundred rupees in total"))
    _wait(engine)
    time.sleep(0.05)
    _wait(engine)
    assert len(out.played) == 1 and out.played[0].size / SAMPLE_RATE > 1.5


def test_tts_keeps_a_queued_utterance_and_plays_it_after(tts):
    engine, out = tts
    with tts_module._ENGINE_LOCK:
        engine.speak(_utt(language="en", text="Welcome"))
        engine.speak(_utt(language="en", text="Video opened", queued=True))
    _wait(engine)
    assert out.queued == [False, True] and all(p.size / SAMPLE_RATE > 0.3 for p in out.played)


def test_a_new_clip_cancels_pending_tts(tts, clip):
    engine, out = tts
    chain = FallbackSpeech([ClipSpeech(out), engine])
    with tts_module._ENGINE_LOCK:  # English TTS still being made...
        chain.speak(_utt(language="en", text="scanning"))
        time.sleep(0.05)
        chain.speak(_utt([clip]))  # ...when a Nepali clip result arrives
    _wait(engine)
    time.sleep(0.05)
    assert len(out.played) == 1 and abs(out.played[0].size - SAMPLE_RATE * 0.8) <= 1


def test_tts_speak_returns_before_audio_is_made(tts):
    engine, out = tts
    with tts_module._ENGINE_LOCK:
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


# --- pyttsx3's espeak driver, made as slow as it is inside the busy Qt window ----------------
# In a fresh process: pyttsx3's first-utterance path happens once per process.

SPEAK_THREE = """
    import time
    from pyttsx3.drivers import espeak
    {patch}
    from desktop_app.voice.phrases import PhraseCatalogue
    from desktop_app.voice.tts import TtsSpeech
    from tests.spies import FakeOutput
    catalogue, out, errors = PhraseCatalogue.load(), FakeOutput(), []
    engine = TtsSpeech(out, on_error=errors.append)
    for key, params in (("welcome", {{}}), ("video.opened", {{"name": "note.mp4"}}), ("total", {{"amount": 20}})):
        engine.speak(catalogue.utterance(key, "en", **params))
        assert engine.idle.wait(20)
    print("errors", errors)
    print("seconds", [round(p.size / 22050, 2) for p in out.played])
    engine.close()
"""

# espeak-ng synthesises on its own thread and needs the GIL for each chunk; in the busy Qt
# process it finishes tens of ms after pyttsx3 has stopped waiting for the first file.
SLOW_ESPEAK = """
    slow = espeak.EspeakDriver._onSynth
    def late(self, wav, numsamples, events):
        time.sleep(0.05)
        return slow(self, wav, numsamples, events)
    espeak.EspeakDriver._onSynth = late
"""

def _speak_three(patch):
    pytest.importorskip("pyttsx3")
    code = textwrap.dedent(SPEAK_THREE.format(patch=textwrap.dedent(patch).replace("\n", "\n    ")))
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    if "failed to start" in proc.stderr:
        pytest.skip("no TTS engine here")
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    return lines["errors"], eval(lines["seconds"])  # noqa: S307 - our own child's list of floats


def test_every_phrase_from_the_first_is_spoken_when_espeak_is_slow():
    """The window's fault: "text-to-speech produced no audio: cannot read sound file
    .../tts.wav" for the welcome, then speech after all."""
    errors, seconds = _speak_three(SLOW_ESPEAK)
    assert errors == "[]"
    assert len(seconds) == 3 and seconds[0] > 4.0 and all(s > 0.8 for s in seconds), seconds


def test_a_queued_clip_waits_behind_tts_still_being_made(tts, clip):
    engine, out = tts
    if "ne" not in engine.languages():
        pytest.skip("no ne voice installed")
    chain = FallbackSpeech([ClipSpeech(out), engine])
    with tts_module._ENGINE_LOCK:
        chain.speak(_utt(language="ne", text="स्वागत छ"))
        assert engine.pending()
        chain.speak(_utt([clip], queued=True))
        assert out.played == []  # not played over the phrase being made
    _wait(engine)
    assert out.queued == [False, True]
