"""Where frames come from: a webcam, a video file, or a folder of images.

Each kind lives in its own module (camera, video, folder; the shared types in base, playback
pacing in pacer). This module picks one from what the user typed, and is the one import for
callers that need several of them.
"""
from __future__ import annotations

from pathlib import Path

from .base import Frame, FrameSource, SourceError
from .camera import CameraSource
from .folder import IMAGE_SUFFIXES, ImageFolderSource
from .pacer import Pacer
from .video import VideoSource

__all__ = ["CameraSource", "Frame", "FrameSource", "IMAGE_SUFFIXES", "ImageFolderSource", "Pacer", "SourceError",
           "VideoSource", "open_source"]


def open_source(spec: str | int, *, loop: bool = False) -> FrameSource:
    """``0``/``"1"``: a camera by index; a video path; or a folder of images.

    Whatever stops it opening is a SourceError naming the cause (the file system's own words
    for an OSError), so callers say it instead of printing a traceback.
    """
    text = str(spec)
    try:
        if text.isdigit():
            return CameraSource(int(text))
        path = Path(text)
        if path.is_dir():
            return ImageFolderSource(path, loop=loop)
        return VideoSource(path, loop=loop)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SourceError("source.failed", f"Cannot open {text}: {reason}", name=text, reason=reason) from exc
