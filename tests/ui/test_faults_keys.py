"""Focus lost while Space is held: the release never arrives, so losing focus is the release.
The hold ends with its answer at once (not after the over-long-hold limit), and the next press
after coming back starts a new scan instead of being taken for the same, stuck key."""
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_app import timing
from tests.ui.conftest import decisions, release_space


@pytest.mark.parametrize("lost", ["window", "application"])
def test_focus_lost_with_space_down_ends_the_hold(qtbot, start_app, ui_assets, lost):
    run = start_app(str(ui_assets.empty_video))
    window = run.window
    qtbot.waitUntil(lambda: window.preview.frames_shown >= 2, timeout=10000)
    QTest.keyPress(window, Qt.Key.Key_Space)  # held; its release goes to whichever window gets focus
    qtbot.wait(300)
    assert window.session.wants_frames
    if lost == "window":
        QApplication.sendEvent(window, QEvent(QEvent.Type.WindowDeactivate))
    else:
        QApplication.sendEvent(QApplication.instance(), QEvent(QEvent.Type.ApplicationDeactivate))
    # Well before the over-long-hold limit would have ended it.
    qtbot.waitUntil(lambda: len(decisions(run)) == 1, timeout=int(timing.MAX_HOLD * 1000 / 3))
    assert not window.session.wants_frames
    assert not run.heard("scan.held_too_long")
    # Back in the window, a fresh press scans again.
    QTest.keyPress(window, Qt.Key.Key_Space)
    qtbot.wait(100)
    assert window.session.wants_frames
    release_space(window)
    qtbot.waitUntil(lambda: len(decisions(run)) == 2, timeout=10000)
