"""Folders of photos played as a slow video."""
from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop_app.sources.base import SourceError
from desktop_app.sources.folder import ImageFolderSource


def test_image_folder_skips_unreadable_files(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((20, 30, 3), np.uint8))
    (tmp_path / "b.jpg").write_bytes(b"broken")
    cv2.imwrite(str(tmp_path / "c.png"), np.full((20, 30, 3), 255, np.uint8))
    source = ImageFolderSource(tmp_path, seconds_per_image=0.2, fps=10)
    means = []
    while (frame := source.read()) is not None:
        means.append(int(frame.image.mean()))
    assert means == [0, 0, 255, 255]
    assert [p.name for p in source.skipped] == ["b.jpg"]


def test_a_folder_that_cannot_be_listed_names_the_folder_and_the_cause(tmp_path, monkeypatch):
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((20, 30, 3), np.uint8))

    def refuse(self):
        # What a folder without read permission does (the tests run as root, where chmod cannot).
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(SourceError) as err:
        ImageFolderSource(tmp_path)
    assert err.value.key == "folder.unreadable"
    assert err.value.params == {"name": str(tmp_path), "reason": "Permission denied"}
