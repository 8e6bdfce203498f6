"""Plays a recorded source at its own frame rate so the preview looks like a camera."""
from __future__ import annotations

import time
from typing import Callable


class Pacer:
    def __init__(self, fps: float, clock: Callable[[], float] = time.monotonic, sleep=time.sleep):
        self.period = 1.0 / fps
        self._clock = clock
        self._sleep = sleep
        self._next = None

    def wait(self) -> None:
        now = self._clock()
        if self._next is None or now - self._next > 0.5:  # resync after a stall
            self._next = now
        delay = self._next - now
        if delay > 0:
            self._sleep(delay)
        self._next += self.period
