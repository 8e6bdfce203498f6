"""Still images in name order, each shown for a while, like a slow video."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from .base import Frame, SourceError
from .stills import read_image

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


class ImageFolderSource:
    live = False

    def __init__(self, path: str | Path, *, seconds_per_image: float = 2.0, fps: float = 10.0, loop: bool = False):
        self.path = Path(path)
        self.name = self.path.name
        self.fps = fps
        self.loop = loop
        self.files = _images_in(self.path)
        if not self.files:
            raise SourceError("video.error", f"No images found in folder: {self.path}", name=str(self.path))
        self._repeat = max(1, round(seconds_per_image * fps))
        self._index = 0
        self._cache: tuple[int, np.ndarray | None] = (-1, None)
        self._state = "ok"
        self.skipped: list[Path] = []
        self.why_skipped: dict[Path, str] = {}

    @property
    def state(self) -> str:
        return self._state

    @property
    def frame_count(self) -> int:
        """Frames in one pass over the folder."""
        return len(self.files) * self._repeat

    def read(self) -> Frame | None:
        while True:
            total = self.frame_count
            if self._index >= total and not self.loop:
                self._state = "ended"
                return None
            file_index = (self._index // self._repeat) % len(self.files)
            if self._cache[0] != file_index:
                image, why = read_image(self.files[file_index])
                if image is None:
                    # An unreadable (or too large) image is skipped, not fatal: the rest of the
                    # folder still plays.
                    self.skipped.append(self.files[file_index])
                    self.why_skipped[self.files[file_index]] = why
                    log.warning("%s skipped: %s", self.files[file_index], why)  # the window's only word of it
                    del self.files[file_index]
                    if not self.files:
                        self._state = "ended"
                        return None
                    continue
                self._cache = (file_index, image)
            frame = Frame(self._cache[1], self._index / self.fps, self._index)
            self._index += 1
            return frame

    def close(self) -> None:
        self._cache = (-1, None)


def _images_in(path: Path) -> list[Path]:
    """The folder's images by name; a folder that cannot be listed (no permission, a dead
    network share) is a SourceError naming the cause, not a traceback."""
    try:
        if not path.is_dir():
            return []
        return sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SourceError("folder.unreadable", f"Cannot open folder {path}: {reason}",
                          name=str(path), reason=reason) from exc
