"""Recorded videos: timestamps from the video clock, loops, files that cannot be read."""
import numpy as np
import pytest

from desktop_app.sources.base import SourceError
from desktop_app.sources.video import VideoSource
from tests.builders.video import write_video as write_clip


def write_video(path, frames=12, fps=10.0, size=(160, 120)):
    images = (np.full((size[1], size[0], 3), i * 20 % 255, np.uint8) for i in range(frames))
    return write_clip(path, images, fps)


def test_video_frames_are_timestamped_by_the_video_clock(tmp_path):
    source = VideoSource(write_video(tmp_path / "v.avi"))
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    assert len(frames) == 12
    assert [f.t for f in frames[:3]] == pytest.approx([0.0, 0.1, 0.2])
    assert source.state == "ended"


def test_looping_video_keeps_time_increasing(tmp_path):
    source = VideoSource(write_video(tmp_path / "v.avi", frames=5), loop=True)
    times = [source.read().t for _ in range(12)]
    assert times == sorted(times) and len(set(times)) == 12


def test_missing_and_corrupt_videos_name_the_file(tmp_path):
    with pytest.raises(SourceError) as missing:
        VideoSource(tmp_path / "nope.mp4")
    assert "nope.mp4" in str(missing.value) and missing.value.key == "video.error"
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"this is not a video" * 100)
    with pytest.raises(SourceError) as corrupt:
        VideoSource(bad)
    assert "bad.mp4" in str(corrupt.value)
