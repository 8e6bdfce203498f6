"""A camera swapped for another at the same index (unplugged, another plugged in): the hold
that was open when the first went is dropped, so no frame of the old camera is weighed with
the new one's, and the new camera scans afresh once it is back."""
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.sources.fakes import FlakyCamera
from tests.ui.conftest import decisions, release_space


def test_a_hold_open_when_the_camera_goes_is_dropped_and_the_next_one_scans(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.empty_video))
    window = run.window
    camera = FlakyCamera(ok_before=45, gone_for=30)  # about 1.5 s of pictures, 1 s away
    window.use_source(camera)
    qtbot.waitUntil(lambda: camera.reads >= 5, timeout=5000)
    QTest.keyPress(window, Qt.Key.Key_Space)  # held through the loss
    qtbot.waitUntil(lambda: window.session.wants_frames, timeout=2000)
    qtbot.waitUntil(lambda: bool(run.heard("camera.lost")), timeout=10000)
    assert not window.session.wants_frames  # the open hold is dropped with the old camera
    qtbot.waitUntil(lambda: bool(run.heard("camera.back")), timeout=10000)
    answered = len(decisions(run))
    release_space(window)
    qtbot.wait(300)
    QTest.keyPress(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.session.wants_frames, timeout=2000)  # a fresh scan of the new picture
    release_space(window)
    qtbot.waitUntil(lambda: len(decisions(run)) == answered + 1, timeout=10000)
