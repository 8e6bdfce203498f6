"""Picking a source from what the user typed."""
import cv2
import numpy as np

from desktop_app.sources.frames import ImageFolderSource, VideoSource, open_source
from tests.builders.video import write_video


def test_open_source_picks_by_spec(tmp_path):
    assert isinstance(open_source(str(write_video(tmp_path / "v.avi", [np.zeros((120, 160, 3), np.uint8)] * 3, 10.0))), VideoSource)
    cv2.imwrite(str(tmp_path / "x.png"), np.zeros((5, 5, 3), np.uint8))
    assert isinstance(open_source(str(tmp_path)), ImageFolderSource)
