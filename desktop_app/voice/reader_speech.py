"""The screen reader's own speech paths (Qt-free): speech-dispatcher on Linux, NVDA's
controller client on Windows.

Orca speaks through speech-dispatcher, so a message handed to it with a priority queues with
Orca's own speech instead of being a second voice over it. Used where Qt announcements are
silence (Orca before 45.2). The ``speechd`` bindings come from the system package
``python3-speechd``; a virtual environment may not see them, so the import is lazy and every
failure leaves the app on announcements.
"""
from __future__ import annotations

import logging
import sys

from desktop_app.voice.output_mode import ASSERTIVE

log = logging.getLogger("desktop_app.reader_speech")

# Where Debian puts the bindings, for a virtual environment that does not see system packages.
_SYSTEM_SITE = "/usr/lib/python3/dist-packages"


def import_speechd():
    try:
        import speechd  # noqa: PLC0415 (lazy: optional system package)
    except ImportError:
        if _SYSTEM_SITE in sys.path:
            return None
        sys.path.append(_SYSTEM_SITE)
        try:
            import speechd  # noqa: PLC0415
        except ImportError:
            return None
        finally:
            sys.path.remove(_SYSTEM_SITE)
    return speechd


class SpeechDispatcherSink:
    """An ``announcer.screen_reader`` sink that speaks through speech-dispatcher.

    Everything goes at priority "message": queued after what Orca is saying, never cancelled by
    Orca's own text (key echo, focus) and never cancelling each other, so the welcome and "video
    opened" are both heard (at "notification" the second cut the first off, seen with Orca
    43.1). A result or error first cancels this app's own unspoken messages (not Orca's), so
    the value is not kept waiting behind a stale status line.
    """

    def __init__(self, client=None, module=None):
        self._speechd = module
        self.client = client
        self.said: list[tuple[str, str]] = []  # (text, priority) handed over; the probe reads it

    @classmethod
    def connect(cls, name: str = "nepali-cash-reader") -> "SpeechDispatcherSink | None":
        speechd = import_speechd()
        if speechd is None:
            log.info("speechd bindings not importable; staying on announcements")
            return None
        try:
            client = speechd.SSIPClient(name)
        except Exception as exc:  # no daemon, no socket, autospawn refused
            log.info("speech-dispatcher not reachable (%s); staying on announcements", exc)
            return None
        return cls(client, speechd)

    priority = "message"

    def __call__(self, message) -> None:
        text = message.reader_text or message.text
        if not text or not message.politeness:
            return
        urgent = message.politeness == ASSERTIVE
        if self.client is not None:
            if urgent:
                self.client.cancel()  # this connection's own queue only (speechd's default scope)
            self.client.set_priority(self._speechd.Priority.MESSAGE if self._speechd else self.priority)
            self.client.set_language(message.language)
            self.client.speak(text)
        self.said.append((text, "cancel+" + self.priority if urgent else self.priority))

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.close()
            except Exception:
                log.debug("speechd close failed", exc_info=True)
            self.client = None


class NvdaSink:
    """An ``announcer.screen_reader`` sink that hands the words to NVDA's controller client,
    through cytolk or accessible_output2 (whichever is installed; both wrap
    nvdaControllerClient). Only while NVDA runs: otherwise the Qt announcement (a UIA
    notification) reaches JAWS or Narrator. Results and errors interrupt NVDA; the rest queue."""

    def __init__(self, speak):
        self._speak = speak  # (text, interrupt) -> None
        self.said: list[tuple[str, bool]] = []

    @classmethod
    def connect(cls) -> "NvdaSink | None":
        try:
            from cytolk import tolk  # noqa: PLC0415 (optional, Windows only)

            tolk.load()
            if tolk.detect_screen_reader() == "NVDA":
                return cls(lambda text, interrupt: tolk.speak(text, interrupt))
        except Exception as exc:  # not installed, not Windows, no NVDA
            log.info("cytolk not usable: %s", exc)
        try:
            from accessible_output2.outputs.nvda import NVDA  # noqa: PLC0415

            nvda = NVDA()
            if nvda.is_active():
                return cls(lambda text, interrupt: nvda.speak(text, interrupt=interrupt))
        except Exception as exc:
            log.info("accessible_output2 not usable: %s", exc)
        return None

    def __call__(self, message) -> None:
        text = message.reader_text or message.text
        if not text or not message.politeness:
            return
        urgent = message.politeness == ASSERTIVE
        self._speak(text, urgent)
        self.said.append((text, urgent))

    def close(self) -> None:
        """Nothing to release: the controller client holds no connection."""
