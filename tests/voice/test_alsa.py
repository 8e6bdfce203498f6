"""Speech through a real ALSA device (a file), each in a subprocess so its ~/.asoundrc applies."""
import glob
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from desktop_app.paths import REPO_ROOT
from desktop_app.voice import earcons
from desktop_app.voice.audio import SAMPLE_RATE, dbfs, read_wav
from desktop_app.voice.phrases import PhraseCatalogue


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
    from desktop_app.voice.fallback import make_speech
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
        import numpy as np
        from desktop_app.voice.output import AudioOutput
        output = AudioOutput()
        output.play(np.zeros(200))
        output.wait_done()
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
        from desktop_app.voice.fallback import make_speech
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


# Debian/Ubuntu with PulseAudio or PipeWire: alsa.conf loads the pulse plugin for every device.
PULSE_PLUGIN_CONFIGURED = bool(glob.glob("/usr/share/alsa/alsa.conf.d/*pulse*") + glob.glob("/etc/alsa/conf.d/*pulse*"))


@pytest.mark.skipif(not PULSE_PLUGIN_CONFIGURED, reason="no pulse/pipewire ALSA plugin configured here")
def test_the_device_opens_where_the_system_loads_the_pulse_plugin(tmp_path):
    """The audio library bundles a libasound that looks for plugins in Red Hat's folder; without
    the system's own folder every open fails with "Unknown PCM default"."""
    proc, out = _alsa_run(tmp_path, """
        import numpy as np
        from desktop_app.voice.output import AudioOutput
        output = AudioOutput()
        output.play(np.full(2205, 0.25))
        output.wait_done()
    """)
    assert proc.returncode == 0, proc.stderr
    assert "Unknown PCM" not in proc.stderr and abs(read_wav(out).size - 2205) <= 2
