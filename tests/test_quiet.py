"""The bundled libasound of the audio wheel is silenced too, not only the system's copy."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import os, sys
os.environ["ALSA_CONFIG_PATH"] = "/nonexistent"  # every device open fails, and alsa-lib complains
if sys.argv[1] == "quiet":
    from desktop_app.quiet import quiet_native_libraries
    quiet_native_libraries()
import numpy as np
from desktop_app.voice.output import AudioOutput
try:
    AudioOutput().play(np.zeros(2205))
except Exception as exc:
    print("failed:", type(exc).__name__)
"""


def _stderr(mode: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    return done.stderr


def test_alsa_chatter_is_silenced_in_the_library_that_plays_sound():
    assert "ALSA lib" in _stderr("loud")  # the check can see the chatter it removes
    assert "ALSA lib" not in _stderr("quiet")
