"""A one-line text progress bar on stderr for long headless runs.

It draws only on an interactive terminal: a bar in a log file or a pipe is noise, and the
``--jsonl`` stream on stdout must stay clean, so the bar never touches stdout.
"""
from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


class Progress:
    min_interval = 0.1  # s between redraws; redrawing on every frame costs more than the work

    def __init__(
        self,
        total: int | None,
        label: str = "",
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        width: int = 30,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total = total if total and total > 0 else None
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.width = width
        self.count = 0
        self._clock = clock
        self._last_draw = float("-inf")
        self._drawn = False
        self._note = ""

    def update(self, count: int | None = None, note: str = "") -> None:
        """Sets (or advances by one) the count and redraws if enough time has passed."""
        self.count = self.count + 1 if count is None else count
        if note:
            self._note = note
        now = self._clock()
        if self.enabled and (now - self._last_draw >= self.min_interval or self._complete):
            self._last_draw = now
            self._draw()

    @property
    def _complete(self) -> bool:
        return self.total is not None and self.count >= self.total

    def render(self) -> str:
        note = f"  {self._note}" if self._note else ""
        prefix = f"{self.label} " if self.label else ""
        if self.total is None:
            return f"{prefix}{self.count}{note}"
        share = min(1.0, self.count / self.total)
        filled = int(round(share * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        return f"{prefix}[{bar}] {self.count}/{self.total} {share:4.0%}{note}"

    def _draw(self) -> None:
        # \r plus clear-to-end-of-line keeps one line however the text shrinks.
        self.stream.write("\r" + self.render() + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def message(self, text: str, stream: TextIO | None = None) -> None:
        """Prints a line (a result, an error) on ``stream`` (default: the bar's) without tearing the bar."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        out = stream if stream is not None else self.stream
        out.write(text + "\n")
        out.flush()
        if self._drawn:
            self._draw()

    def close(self) -> None:
        if self.enabled and self._drawn:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
