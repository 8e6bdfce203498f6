import cv2
import numpy as np
import pytest

from desktop_app.sources.frames import CameraSource, ImageFolderSource, Pacer, SourceError, VideoSource, open_source
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


class FakeCapture:
    def __init__(self, frames_before_loss):
        self.left = frames_before_loss
        self.released = False

    def isOpened(self):
        return True

    def read(self):
        if self.left <= 0:
            return False, None
        self.left -= 1
        return True, np.zeros((4, 4, 3), np.uint8)

    def get(self, prop):
        return 30.0

    def release(self):
        self.released = True


class Closed(FakeCapture):
    def isOpened(self):
        return False


def test_camera_lost_then_back():
    clock = [0.0]
    plugged = [True]

    def opener(index):
        return FakeCapture(3) if plugged[0] else Closed(0)

    camera = CameraSource(0, opener=opener, retry_interval=1.0, clock=lambda: clock[0])
    assert all(camera.read() is not None for _ in range(3))
    assert camera.read() is None and camera.state == "lost"
    plugged[0] = False
    clock[0] = 2.0
    assert camera.read() is None and camera.state == "lost"
    plugged[0] = True
    clock[0] = 2.5  # within the retry interval: no reopen attempt yet
    assert camera.read() is None
    clock[0] = 3.5
    assert camera.read() is not None and camera.state == "ok"


def test_missing_camera_raises_a_spoken_error():
    with pytest.raises(SourceError) as err:
        CameraSource(7, opener=lambda i: Closed(0))
    assert err.value.key == "camera.missing"


def test_open_source_picks_by_spec(tmp_path):
    assert isinstance(open_source(str(write_video(tmp_path / "v.avi"))), VideoSource)
    cv2.imwrite(str(tmp_path / "x.png"), np.zeros((5, 5, 3), np.uint8))
    assert isinstance(open_source(str(tmp_path)), ImageFolderSource)


def test_pacer_waits_one_period_per_frame():
    now = [0.0]
    slept = []

    def sleep(d):
        slept.append(d)
        now[0] += d

    pacer = Pacer(10.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        pacer.wait()
    assert now[0] == pytest.approx(0.3)
