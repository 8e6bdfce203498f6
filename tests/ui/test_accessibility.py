"""Every control has a name a screen reader can read; messages become Qt announcement events."""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desktop_app.voice.announcer import Message
from desktop_app.ui import accessibility
from desktop_app.ui.accessibility import ScreenReaderBridge


def _name(widget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name) if iface is not None else ""


def _description(widget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Description) if iface is not None else ""


def test_tab_walk_reaches_only_named_widgets(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.empty_video))
    window = run.window
    window.activateWindow()
    window.scan_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.scan_button, timeout=3000)
    visited = []
    for _ in range(30):
        widget = QApplication.focusWidget()
        if widget in visited:
            break
        visited.append(widget)
        window.focusNextPrevChild(True)
    assert {window.scan_button, window.repeat_button, window.language_button, window.open_button,
            window.help_button, window.result_label} <= set(visited)
    for widget in visited:
        assert _name(widget).strip(), f"{type(widget).__name__} {widget.objectName()!r} has no accessible name"
        assert _description(widget).strip(), f"{_name(widget)!r} has no accessible description"


def test_every_focusable_or_informative_widget_is_named(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.empty_video))
    window = run.window
    checked = 0
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value or isinstance(widget, QLabel):
            assert _name(widget).strip(), f"{type(widget).__name__} {widget.objectName()!r} has no accessible name"
            checked += 1
    assert checked >= 8  # preview, result, status and the five buttons at least
    for menu in (window.file_menu, window.camera_menu, window.speech_menu):
        assert menu.accessibleName()
        for action in menu.actions():
            assert action.isSeparator() or action.text().strip()


def test_names_follow_the_language(qtbot, start_app, ui_assets):
    run = start_app(str(ui_assets.empty_video), language="ne")
    window = run.window
    assert _name(window.repeat_button) == "दोहोर्याउनुहोस्"
    window.toggle_language()
    assert _name(window.repeat_button) == "Repeat"
    assert window.windowTitle() == "Nepali Cash Reader"


def test_results_and_errors_are_posted_as_assertive_announcements(qtbot, start_app, ui_assets, monkeypatch):
    posted_events = []
    real_update = accessibility.QAccessible.updateAccessibility

    class Recorder:
        AnnouncementPoliteness = QAccessible.AnnouncementPoliteness

        @staticmethod
        def updateAccessibility(event):  # noqa: N802 (Qt naming)
            posted_events.append((event.type(), event.message(), event.politeness(), event.object()))
            real_update(event)

    monkeypatch.setattr(accessibility, "QAccessible", Recorder)
    run = start_app("63")  # no such camera: an error
    window = run.window
    window.announcer.say("help")  # a status message
    kinds = {message: politeness for _, message, politeness, _ in posted_events}
    catalogue = window.announcer.catalogue
    missing = f'{catalogue.text("camera.missing", "en")} {catalogue.text("video.offer", "en")}'
    assert kinds[missing] == QAccessible.AnnouncementPoliteness.Assertive
    assert kinds[window.announcer.catalogue.text("help", "en")] == QAccessible.AnnouncementPoliteness.Polite
    assert all(kind == QAccessible.Event.Announcement for kind, *_ in posted_events)
    assert all(source is window for *_, source in posted_events)
    # What the hook saw is exactly what went to Qt.
    assert [p.text for p in run.posted] == [message for _, message, _, _ in posted_events]


def test_bridge_posts_on_the_ui_thread_when_called_from_elsewhere(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)
    bridge = ScreenReaderBridge(owner)
    threads = []
    bridge.hooks.append(lambda posted: threads.append(threading.current_thread()))
    message = Message("note.100", "100 rupees", "en", "result", ("note.100",))
    worker = threading.Thread(target=bridge, args=(message,))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(threads) == 1, timeout=3000)
    assert threads[0] is threading.main_thread()
    assert bridge.posted[-1].text == "100 rupees" and bridge.posted[-1].politeness == "assertive"


def test_bridge_keeps_a_bounded_history(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)
    bridge = ScreenReaderBridge(owner, keep=5)
    for i in range(20):
        bridge(Message("ready", f"message {i}", "en", "status", ("ready",)))
    assert len(bridge.posted) == 5
    assert bridge.posted[-1].text == "message 19"
