"""Terminal mode's frame grabber: newest frame only, driver errors reported, a stuck read()
never waited on and never closed under the driver's feet."""
import threading
import time

from desktop_app.sources.grabber import FrameGrabber
from tests.sources.fakes import FakeCamera, RaisingCamera, StallingCamera


def _wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.01)
    return condition()


def test_stopping_during_a_stuck_read_returns_at_once_and_the_thread_closes_the_source():
    camera = StallingCamera(good=1)
    grabber = FrameGrabber(camera).start()
    assert camera.stalled.wait(5)
    started = time.monotonic()
    grabber.stop(timeout=0.05)
    assert time.monotonic() - started < 0.5  # the console used to close it here, during the read
    assert not camera.closed
    camera.release.set()
    assert _wait_for(lambda: camera.closed)
    assert not camera.closed_during_read and camera.closed_by is not threading.main_thread()


def test_a_driver_error_is_reported_once_with_its_words_and_the_camera_reopened():
    states = []
    fresh = FakeCamera(shade=33)
    grabber = FrameGrabber(RaisingCamera(good=1, error="select() timeout"), on_state=lambda *s: states.append(s),
                           reopen=lambda: fresh, retry=0.02).start()
    try:
        assert _wait_for(lambda: ("ok", "") in states)
        assert _wait_for(lambda: grabber.latest() is not None and grabber.latest().frame.image[0, 0, 0] == 33)
    finally:
        grabber.stop()
    assert states == [("failed", "select() timeout"), ("ok", "")]
