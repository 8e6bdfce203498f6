"""Keeps native libraries from writing over the terminal the user reads.

alsa-lib prints a dozen lines to stderr for every failed device open, and OpenCV warns for
every camera index it probes. The app reports both problems itself, once, in plain words
("sound is not working", "camera not found"); with ``-v`` the native messages come back.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
from pathlib import Path

_ALSA_HANDLER = None  # kept alive: ALSA calls it long after this module returns


def quiet_native_libraries() -> None:
    import cv2

    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    _silence_alsa()


def _alsa_libraries() -> list[str]:
    """The system libasound and the private copy the audio wheel bundles (it prints too)."""
    names = [ctypes.util.find_library("asound")]
    spec = importlib.util.find_spec("simpleaudiohamiltoncs")
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent.parent / "simpleaudiohamiltoncs.libs"
        names += sorted(str(p) for p in bundled.glob("libasound*.so*"))
    return [n for n in names if n]


def _silence_alsa() -> None:
    global _ALSA_HANDLER
    if _ALSA_HANDLER is not None:
        return
    # void handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p)
    _ALSA_HANDLER = handler_type(lambda *args: None)
    for name in _alsa_libraries():
        try:
            ctypes.cdll.LoadLibrary(name).snd_lib_error_set_handler(_ALSA_HANDLER)
        except (OSError, AttributeError):
            continue
