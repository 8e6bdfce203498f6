"""Writes small MJPG clips for tests and benchmarks that replay video."""
from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np


def write_video(path: Path, frames: Iterable[np.ndarray], fps: float) -> Path:
    """Writes BGR uint8 ``frames`` to ``path`` as MJPG; the frame size is the first frame's."""
    iterator = iter(frames)
    first = next(iterator, None)
    if first is None:
        raise ValueError(f"no frames to write to test video {path}")
    height, width = first.shape[:2]
    # MJPG is built into OpenCV's own AVI writer, so it works without any system codec.
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write test video {path}")
    try:
        for frame in itertools.chain([first], iterator):
            writer.write(frame)
    finally:
        writer.release()
    return Path(path)
