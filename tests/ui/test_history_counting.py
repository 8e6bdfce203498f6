"""In the window: the history list, and counting with T, U, A and 0 (asks once)."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest

from tests.ui.conftest import hold_space, release_space


def _results(run):
    return [p for p in run.posted if p.kind == "result"]


def _scan(qtbot, run):
    window = run.window
    before = len(_results(run))
    qtbot.waitUntil(lambda: window.session.state == "idle", timeout=5000)
    assert hold_space(qtbot, window, until=lambda: len(_results(run)) > before)
    release_space(window)
    qtbot.waitUntil(lambda: window.session.state == "idle", timeout=5000)


def _said(run):
    return run.posted[-1].text


def test_counting_in_the_window_with_the_rescan_rule(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video))
    window = run.window
    qtbot.waitUntil(lambda: window.preview.frames_shown >= 2, timeout=10000)
    _scan(qtbot, run)
    QTest.keyClick(window, Qt.Key.Key_T)
    assert _said(run) == "Total 500 rupees"
    _scan(qtbot, run)  # the same note again, seconds later: not added twice
    assert _results(run)[-1].text == "500 rupees Same value again, not added. Press A to add it."
    assert window.announcer.total == 500
    QTest.keyClick(window, Qt.Key.Key_A)  # it was a second 500 after all
    assert _said(run) == "Added. Total 1000 rupees." and window.announcer.total == 1000
    QTest.keyClick(window, Qt.Key.Key_U)
    assert _said(run) == "Took back 500 rupees. Total 500 rupees."
    QTest.keyClick(window, Qt.Key.Key_0)
    assert _said(run) == "Press zero again to clear the total of 500 rupees." and window.announcer.total == 500
    QTest.keyClick(window, Qt.Key.Key_0)
    assert _said(run) == "Total cleared." and window.announcer.total == 0


def test_history_lists_results_newest_first_with_their_time(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.note_video))
    window = run.window
    qtbot.waitUntil(lambda: window.preview.frames_shown >= 2, timeout=10000)
    _scan(qtbot, run)
    _scan(qtbot, run)
    entries = window.history.entries()
    assert len(entries) == 2
    assert re.fullmatch(r"\d\d:\d\d:\d\d  500 rupees Same value again.*", entries[0])
    assert re.fullmatch(r"\d\d:\d\d:\d\d  500 rupees", entries[1])
    iface = QAccessible.queryAccessibleInterface(window.history)
    assert iface.text(QAccessible.Text.Name) == "History"
    assert iface.childCount() == 2 and iface.child(1).text(QAccessible.Text.Name).startswith("500 rupees, ")


def test_history_keeps_the_newest_and_masks_values_in_privacy_mode(qtbot, start_app, ui_assets):
    from desktop_app.recognition.evidence import Decision

    run = start_app(str(ui_assets.empty_video))
    window = run.window
    window.history.keep = 3
    for value in ("5", "10", "20", "50"):
        window.announcer.announce(Decision("note", value))
    assert [e.split("  ")[1] for e in window.history.entries()] == ["50 rupees", "20 rupees", "10 rupees"]
    window.menus.privacy_action.setChecked(True)
    window.announcer.announce(Decision("note", "100"))
    top = window.history.item(0)
    assert top.text().endswith("100 rupees")  # on screen
    assert top.data(Qt.ItemDataRole.AccessibleTextRole).startswith("Result ready.")  # to the screen reader
