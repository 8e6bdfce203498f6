"""Who speaks: the app's own voice, the user's screen reader, or both (Qt-free).

A blind user with Orca or NVDA running must hear every message once, in one voice. The mode
decides, per message, whether the app plays its own words and how loudly the message is
handed to the screen reader:

- ``app``: the app speaks (clips/TTS); the screen reader gets the words only politely, so a
  braille display shows them without the screen reader cutting in over the app.
- ``screen_reader``: the app says no words (tones and privacy pulses stay); results and errors go
  to the screen reader assertively, everything else politely.
- ``both``: the app speaks and the screen reader is told assertively (the old behaviour; two
  voices, for people who asked for it).

Privacy mode covers every channel: a message that carries a value (a note, a total) reaches the
screen reader only as "result ready", never as the value's words.
"""
from __future__ import annotations

from dataclasses import dataclass

APP, SCREEN_READER, BOTH = "app", "screen_reader", "both"
MODES = (APP, SCREEN_READER, BOTH)
MODE_PHRASE = {APP: "output.app", SCREEN_READER: "output.screen_reader", BOTH: "output.both"}
ASSERTIVE, POLITE = "assertive", "polite"
ASSERTIVE_KINDS = ("result", "error")
# The phrase the screen reader gets instead of a value in privacy mode.
PRIVATE_KEY = "result.private"


@dataclass(frozen=True)
class Route:
    own_words: bool  # the app plays the words itself
    politeness: str  # how the screen reader is handed the message


def default_mode(screen_reader_running: bool) -> str:
    """A running screen reader speaks for the app; without one the app speaks itself."""
    return SCREEN_READER if screen_reader_running else APP


def next_mode(mode: str) -> str:
    """The mode the switching key moves to: app -> screen reader -> both -> app."""
    return MODES[(MODES.index(mode) + 1) % len(MODES)] if mode in MODES else APP


def route(mode: str, kind: str) -> Route:
    if mode == APP:
        return Route(True, POLITE)
    urgent = ASSERTIVE if kind in ASSERTIVE_KINDS else POLITE
    return Route(mode == BOTH, urgent)


def parse_mode(value) -> str | None:
    """A stored or typed mode, or None when it names none (then the default applies)."""
    return value if isinstance(value, str) and value in MODES else None
