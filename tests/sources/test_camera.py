"""Webcams: lost and back without raising, and a clear error when there is none."""
import numpy as np
import pytest

from desktop_app.sources.base import SourceError
from desktop_app.sources.camera import CameraSource


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
