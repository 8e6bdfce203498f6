"""The real window's real speech, from the welcome on, through an ALSA file device.

Each sound the app plays opens the ALSA device once; the file plugin pipes each opening to its
own raw file (named by the time it opened), so the test hears every phrase in order, not only
the last one. The app runs in a subprocess so that its HOME (and ~/.asoundrc) is the test's.
"""
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from desktop_app.paths import REPO_ROOT, SOUNDS_DIR
from desktop_app.voice.audio import SAMPLE_RATE, dbfs
from tests.builders.video import write_video

pytest.importorskip("PySide6")
pytest.importorskip("pyttsx3")

WINDOW = """
    import sys
    from PySide6.QtCore import QTimer
    from desktop_app.ui.app import AppOptions, build_app

    parts = build_app(AppOptions(source=sys.argv[1], language=sys.argv[2]), start_delay_ms=300)
    speech, said = parts.announcer.speech, []
    parts.announcer.screen_text.append(lambda message: said.append(message.key))
    tts = [b for b in speech.backends if hasattr(b, "idle")]
    output = speech.backends[0].output

    def finished():
        if "video.opened" in said and all(b.idle.is_set() for b in tts) and not output.is_playing():
            parts.app.quit()

    poll = QTimer()
    poll.timeout.connect(finished)
    poll.start(100)
    QTimer.singleShot(60000, parts.app.quit)
    parts.app.exec()
    parts.window.shutdown()
    speech.close()
    print("said", " ".join(said))
    print("tts", " ".join(lang for b in tts for lang in b.languages()))
"""


def _run_window(tmp_path, language, sounds_dir=None):
    home, heard = tmp_path / "home", tmp_path / "heard"
    home.mkdir()
    heard.mkdir()
    # %% is ALSA's escape for a literal %: each opening gets a file named by its time in ns.
    (home / ".asoundrc").write_text(
        f'pcm.!default {{ type file slave.pcm "null" file "|cat > {heard}/$(date +%%s%%N).raw" format "raw" }}\n')
    video = write_video(tmp_path / "note.avi", [np.full((240, 320, 3), 90, np.uint8)] * 24, 12.0)
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(REPO_ROOT), "QT_QPA_PLATFORM": "offscreen",
           "NCR_NO_SETTINGS": "1"}
    env.pop("NCR_NO_TTS", None)
    if sounds_dir is not None:
        env["NCR_SOUNDS_DIR"] = str(sounds_dir)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(WINDOW), str(video), language], env=env,
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = dict(line.split(" ", 1) if " " in line else (line, "") for line in proc.stdout.splitlines())
    sounds = [np.fromfile(p, dtype="<i2").astype(np.float64) / 32768.0 for p in sorted(heard.glob("*.raw"))]
    return lines["said"].split(), lines["tts"].split(), sounds, proc.stderr


def _skip_without_device(sounds, tts, language):
    if not sounds:
        pytest.skip("the ALSA file device is not usable here")
    if language not in tts:
        pytest.skip(f"no {language} text-to-speech voice here")


def test_english_speech_in_the_window_works_from_the_welcome(tmp_path):
    said, tts, sounds, log = _run_window(tmp_path, "en")
    _skip_without_device(sounds, tts, "en")
    assert said[:2] == ["welcome", "video.opened"] and "audio.failed" not in said, said
    assert "no audio" not in log and "Sound is not working" not in log
    welcome, opened = sounds[0], sounds[1]
    # The whole welcome, not cut off by "video opened": espeak-ng takes about 5.9 s to say it,
    # and 3.3 s more for who speaks and how to change it ("This app speaks. Press V ...").
    assert 8.3 < welcome.size / SAMPLE_RATE < 10.8 and dbfs(welcome) > -30
    assert 1.2 < opened.size / SAMPLE_RATE < 3.5 and dbfs(opened) > -30


def test_a_missing_clip_is_said_by_tts_and_told_once(tmp_path):
    sounds_dir = tmp_path / "sounds"
    shutil.copytree(SOUNDS_DIR, sounds_dir)
    (sounds_dir / "ne" / "welcome.wav").unlink()
    (sounds_dir / "ne" / "ready.wav").unlink()  # two missing clips are one thing to tell
    said, tts, sounds, log = _run_window(tmp_path, "ne", sounds_dir)
    _skip_without_device(sounds, tts, "ne")
    assert said.count("sound.clip_missing") == 1 and "audio.failed" not in said, said
    assert said[0] == "welcome" and "video.opened" in said
    assert "welcome.wav" in log and "ready.wav" in log  # each file named in the log
    welcome = sounds[0]  # said by the Nepali TTS voice instead of the clip
    assert welcome.size / SAMPLE_RATE > 2.5 and dbfs(welcome) > -30
