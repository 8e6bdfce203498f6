"""Is a screen reader running, and which speech path reaches it (Qt-free).

Linux: Orca sets the AT-SPI bus property ``org.a11y.Status.ScreenReaderEnabled`` on the
session bus (``org.a11y.Bus`` at ``/org/a11y/bus``) while it runs; it is read with ``gdbus``
(or ``dbus-send``), which every GNOME/MATE/XFCE desktop has, so no D-Bus binding is needed.
An Orca process counts too: Orca 43.1 started by hand leaves the flag false (seen under Xvfb).
Windows: ``SystemParametersInfo(SPI_GETSCREENREADER)``, which NVDA, JAWS and Narrator set.

Orca speaks ``object:announcement`` events only from 45.2 on; Debian 12 ships 43.1, where an
announcement alone is silence. There the words go to speech-dispatcher (Orca's own speech
path, so they queue with Orca's speech by priority instead of talking over it).
"""
from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable

log = logging.getLogger("desktop_app.screen_reader")

ANNOUNCEMENT, SPEECHD, NVDA = "announcement", "speechd", "nvda"
PATHS = (ANNOUNCEMENT, SPEECHD, NVDA)
ORCA_ANNOUNCES_FROM = (45, 2)
_QUERY_TIMEOUT = 2.0  # seconds; a hung session bus must not hang the app
SPI_GETSCREENREADER = 0x0046


def _gdbus_query() -> list[str] | None:
    if shutil.which("gdbus"):
        return ["gdbus", "call", "--session", "--dest", "org.a11y.Bus", "--object-path", "/org/a11y/bus",
                "--method", "org.freedesktop.DBus.Properties.Get", "org.a11y.Status", "ScreenReaderEnabled"]
    if shutil.which("dbus-send"):
        return ["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus", "/org/a11y/bus",
                "org.freedesktop.DBus.Properties.Get", "string:org.a11y.Status", "string:ScreenReaderEnabled"]
    return None


def parse_bus_reply(text: str) -> bool | None:
    """``(<true>,)`` from gdbus or ``variant boolean true`` from dbus-send; None if neither."""
    match = re.search(r"\b(true|false)\b", text)
    return None if match is None else match.group(1) == "true"


def linux_screen_reader_enabled(run=subprocess.run) -> bool | None:
    """The AT-SPI ScreenReaderEnabled property; None when the bus cannot be asked."""
    command = _gdbus_query()
    if command is None:
        return None
    try:
        done = run(command, capture_output=True, text=True, timeout=_QUERY_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("cannot ask the AT-SPI bus: %s", exc)
        return None
    if done.returncode != 0:
        return None
    return parse_bus_reply(done.stdout)


def orca_process_running(proc: Path = Path("/proc")) -> bool:
    """An Orca started by hand (or by a desktop that does not set the AT-SPI flag: Orca 43 on
    Debian 12 leaves ScreenReaderEnabled false) is still a screen reader speaking."""
    try:
        entries = list(proc.iterdir())
    except OSError:
        return False
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "orca":
                return True
        except OSError:
            continue  # gone, or not ours to read
    return False


def windows_screen_reader_enabled() -> bool | None:
    try:
        import ctypes
        from ctypes import wintypes

        flag = wintypes.BOOL()
        ok = ctypes.windll.user32.SystemParametersInfoW(SPI_GETSCREENREADER, 0, ctypes.byref(flag), 0)
    except (AttributeError, OSError):
        return None
    return bool(flag.value) if ok else None


def forced_screen_reader() -> bool | None:
    """``NCR_SCREEN_READER=1`` or ``0``: the answer is fixed (nothing to detect or watch)."""
    forced = os.environ.get("NCR_SCREEN_READER")
    return None if forced not in ("0", "1") else forced == "1"


def screen_reader_running() -> bool:
    """True when the platform says a screen reader runs; False when it says not or cannot say.
    ``NCR_SCREEN_READER=1`` or ``0`` overrides detection (tests, and a kiosk image that knows)."""
    forced = forced_screen_reader()
    if forced is not None:
        return forced
    if sys.platform.startswith("win"):
        found = windows_screen_reader_enabled()
    else:
        found = linux_screen_reader_enabled() or orca_process_running()
    return bool(found)


@functools.lru_cache(maxsize=1)
def installed_orca_version() -> tuple[int, ...] | None:
    """Asked once per run: the answer cannot change while the app runs."""
    return orca_version()


def orca_version(run=subprocess.run) -> tuple[int, ...] | None:
    """Orca's version from ``orca --version`` ("orca 43.1"), or None when there is no Orca."""
    if not shutil.which("orca"):
        return None
    try:
        done = run(["orca", "--version"], capture_output=True, text=True, timeout=_QUERY_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.(\d+)", done.stdout + done.stderr)
    return (int(match.group(1)), int(match.group(2))) if match else None


def reader_path(choice: str = "auto", *, platform: str | None = None, orca=None) -> str:
    """How the screen reader is handed the words: Qt announcements; speech-dispatcher where an
    older Orca would keep announcements silent; NVDA's controller client on Windows (used when
    NVDA runs, else the UIA notification a Qt announcement becomes). ``choice`` forces one."""
    if choice in PATHS:
        return choice
    platform = sys.platform if platform is None else platform
    orca = installed_orca_version if orca is None else orca
    if platform.startswith("win"):
        return NVDA
    if platform.startswith("linux"):
        version = orca()
        if version is not None and version < ORCA_ANNOUNCES_FROM:
            return SPEECHD
    return ANNOUNCEMENT


class ScreenReaderWatcher:
    """Polls the platform flag on its own thread and calls ``on_change(running)`` when it flips,
    so starting or quitting Orca while the app runs moves the voice to the right place."""

    def __init__(self, on_change: Callable[[bool], None], *, interval: float = 2.0,
                 probe: Callable[[], bool] = screen_reader_running, initial: bool | None = None):
        self.on_change = on_change
        self.interval = interval
        self._probe = probe
        self.running = probe() if initial is None else initial
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="screen-reader-watch", daemon=True)

    def start(self) -> "ScreenReaderWatcher":
        self._thread.start()
        return self

    def check(self) -> bool:
        now = bool(self._probe())
        if now != self.running:
            self.running = now
            self.on_change(now)
        return now

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # a watcher that dies must not take the app with it
                log.exception("screen reader watch failed")

    def stop(self) -> None:
        self._stop.set()
