"""Still images that must not take the machine down: a multi-gigabyte file, a small file that
decodes to a gigapixel picture, things that are not images, and files that never end."""
import os
import resource

import cv2
import numpy as np
import pytest
from PIL import Image

import desktop_app.sources.stills as stills
from desktop_app.sources.folder import ImageFolderSource
from desktop_app.sources.stills import NOT_AN_IMAGE, read_image


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def test_a_multi_gigabyte_file_is_refused_unread(tmp_path):
    big = tmp_path / "huge.jpg"
    with open(big, "wb") as f:
        f.truncate(3 * 2**30)  # sparse: 3 GB long, nothing on disk
    before = _peak_rss_mb()
    assert read_image(big) == (None, "image file too large (3072 MB; at most 256 MB)")
    assert _peak_rss_mb() - before < 100


def test_a_gigapixel_picture_in_a_small_file_is_refused_undecoded(tmp_path):
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(bomb)  # 400 MP in a file of a few kilobytes
    assert bomb.stat().st_size < 2**20
    before = _peak_rss_mb()
    image, why = read_image(bomb)
    assert image is None and why.startswith("image too large (over ") and "at most 120 megapixels" in why
    assert _peak_rss_mb() - before < 300  # decoding it would take 1.2 GB


def test_a_large_png_is_refused_with_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr(stills, "MAX_IMAGE_PIXELS", 40_000)
    path = tmp_path / "wide.png"
    cv2.imwrite(str(path), np.zeros((300, 400, 3), np.uint8))  # 120 000 pixels
    assert read_image(path) == (None, "image too large (400 x 300 pixels; at most 0.04 megapixels)")


def test_a_large_jpeg_is_read_reduced_while_decoding(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(stills, "MAX_IMAGE_PIXELS", 40_000)
    path = tmp_path / "wide.jpg"
    cv2.imwrite(str(path), np.full((300, 400, 3), 90, np.uint8))
    image, why = read_image(path)
    assert why is None and image.shape == (150, 200, 3)  # 1/2 each way: 30 000 pixels
    assert "read at 1/2 size" in caplog.text and str(path) in caplog.text


def test_an_ordinary_photo_is_read_whole(tmp_path):
    path = tmp_path / "photo.jpg"
    cv2.imwrite(str(path), np.full((480, 640, 3), 200, np.uint8))
    image, why = read_image(path)
    assert why is None and image.shape == (480, 640, 3)


def test_a_text_file_named_as_a_photo_is_not_an_image(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("shopping list: rice, dal\n")
    assert read_image(path) == (None, NOT_AN_IMAGE)


def test_a_pipe_named_as_a_photo_is_refused_not_read_forever(tmp_path):
    path = tmp_path / "pipe.jpg"
    os.mkfifo(path)
    assert read_image(path) == (None, "cannot read image (not a regular file)")


def test_folder_source_skips_huge_and_non_image_files_and_says_why(tmp_path, caplog):
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((20, 30, 3), np.uint8))
    Image.new("1", (20000, 20000)).save(tmp_path / "b.png")
    (tmp_path / "c.jpg").write_text("not a picture")
    (tmp_path / "d.txt").write_text("not an image name either")  # never even tried
    cv2.imwrite(str(tmp_path / "e.png"), np.full((20, 30, 3), 255, np.uint8))
    source = ImageFolderSource(tmp_path, seconds_per_image=0.1, fps=10)
    means = []
    while (frame := source.read()) is not None:
        means.append(int(frame.image.mean()))
    assert means == [0, 255]
    assert [p.name for p in source.skipped] == ["b.png", "c.jpg"]
    assert source.why_skipped[tmp_path / "b.png"].startswith("image too large")
    assert source.why_skipped[tmp_path / "c.jpg"] == NOT_AN_IMAGE
    assert f"{tmp_path / 'b.png'} skipped: image too large" in caplog.text  # logged for the window's user


@pytest.mark.parametrize("name", ["big.png", "text.jpg"])
def test_replay_names_why_an_image_was_skipped(tmp_path, capsys, name):
    from desktop_app.cli import main
    from tests.builders.model import write_tiny_model
    from tests.builders.notes import synthetic_gallery

    synthetic_gallery(("100", "500")).save(tmp_path / "gallery.npz")
    model = write_tiny_model(tmp_path / "model.onnx")
    frames = tmp_path / "frames"
    frames.mkdir()
    cv2.imwrite(str(frames / "a.png"), np.full((240, 320, 3), 120, np.uint8))
    if name == "big.png":
        Image.new("1", (20000, 20000)).save(frames / name)
    else:
        (frames / name).write_text("not a picture")
    (tmp_path / "holds.csv").write_text("0,1\n")
    code = main(["replay", str(frames), "--holds", str(tmp_path / "holds.csv"),
                 "--model", str(model), "--gallery", str(tmp_path / "gallery.npz")])
    err = capsys.readouterr().err
    assert code == 0, err
    why = "image too large" if name == "big.png" else NOT_AN_IMAGE
    assert f"error: {frames / name}: {why}" in err


class _Capture:
    """A webcam driver giving ``pictures()`` one after another."""

    def __init__(self, pictures):
        self.pictures = pictures

    def isOpened(self):
        return True

    def read(self):
        return True, self.pictures()

    def get(self, prop):
        return 30.0

    def release(self):
        pass


def _textured(seed):
    return np.random.default_rng(seed).integers(0, 255, (48, 64, 3), dtype=np.uint8)


def test_a_frozen_camera_is_lost_once_and_back_when_its_picture_moves():
    from desktop_app.sources.camera import CameraSource
    from desktop_app.timing import CAMERA_FROZEN

    clock = [0.0]
    still = _textured(1)
    count = iter(range(10**6))
    drivers = {"frozen": lambda: still, "moving": lambda: _textured(next(count) + 2)}
    mode = ["frozen"]
    camera = CameraSource(0, opener=lambda i: _Capture(lambda: drivers[mode[0]]()), retry_interval=1.0,
                          clock=lambda: clock[0])
    shown = []
    while clock[0] < CAMERA_FROZEN + 0.5:
        shown.append(camera.read() is not None)
        clock[0] += 0.1
    assert camera.state == "lost"
    assert sum(shown) <= round(CAMERA_FROZEN / 0.1) + 1  # the repeated picture stops within CAMERA_FROZEN
    # Reopened but still frozen on the same picture: still lost (said once, not lost/back/lost).
    for _ in range(30):
        assert camera.read() is None and camera.state == "lost"
        clock[0] += 0.1
    mode[0] = "moving"
    clock[0] += 1.0
    frame = camera.read()
    assert frame is not None and camera.state == "ok"
    for _ in range(40):  # a live picture is never taken for a frozen one
        clock[0] += 0.1
        assert camera.read() is not None and camera.state == "ok"


def test_a_black_camera_is_not_frozen_but_too_dark():
    """All-black pictures are left to the scan's own "Too dark. Add light." hint."""
    from desktop_app.recognition.quality import assess
    from desktop_app.sources.camera import CameraSource

    clock = [0.0]
    black = np.zeros((48, 64, 3), np.uint8)
    camera = CameraSource(0, opener=lambda i: _Capture(lambda: black), clock=lambda: clock[0])
    for _ in range(50):
        frame = camera.read()
        assert frame is not None and camera.state == "ok"
        clock[0] += 0.1
    assert assess(cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY)).too_dark


def _clip(path, frames=30):
    from tests.builders.video import write_video
    return write_video(path, (_textured(i) for i in range(frames)), 10.0)


def test_a_truncated_video_plays_what_it_has_then_ends(tmp_path):
    from desktop_app.sources.video import VideoSource

    path = _clip(tmp_path / "cut.avi")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])  # a download or copy cut short
    source = VideoSource(path)
    frames = []
    for _ in range(100):  # bounded: a source that never ends would hang here
        frame = source.read()
        if frame is None:
            break
        frames.append(frame)
    assert 5 <= len(frames) < 30 and all(f.image is not None for f in frames)
    assert source.state == "ended"


def test_a_video_with_zero_frames_is_refused_with_its_name(tmp_path):
    from desktop_app.sources.base import SourceError
    from desktop_app.sources.video import VideoSource

    path = tmp_path / "empty.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    writer.release()  # a valid container holding no frame
    assert path.stat().st_size > 0
    with pytest.raises(SourceError) as err:
        VideoSource(path)
    assert err.value.key == "video.error" and "empty.avi" in str(err.value)
