"""Screen-reader output: the announcer's messages as Qt accessibility announcements.

Qt 6.8+ turns a ``QAccessibleAnnouncementEvent`` into the platform's announcement (UIA
notification on Windows, NSAccessibility announcement on macOS, the AT-SPI ``Announcement``
object event on Linux that Orca speaks), so NVDA, JAWS, VoiceOver and Orca read results and
errors without the user moving focus. Results and errors interrupt (assertive); status
messages wait their turn (polite).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

from desktop_app.voice.announcer import Message

ASSERTIVE_KINDS = ("result", "error")


@dataclass(frozen=True)
class Posted:
    """One announcement handed to Qt; what tests and the probe compare against."""

    text: str
    politeness: str  # "assertive" | "polite"
    key: str
    kind: str


def politeness_for(kind: str) -> QAccessible.AnnouncementPoliteness:
    if kind in ASSERTIVE_KINDS:
        return QAccessible.AnnouncementPoliteness.Assertive
    return QAccessible.AnnouncementPoliteness.Polite


class ScreenReaderBridge(QObject):
    """An ``announcer.screen_reader`` sink. Safe to call from any thread: posting happens on
    the thread that owns ``source`` (the UI thread), as Qt's accessibility requires."""

    _post = Signal(object)

    def __init__(self, source: QObject, *, keep: int = 50):
        super().__init__()
        self.source = source  # the object the announcement is attributed to (the main window)
        self.hooks: list[Callable[[Posted], None]] = []  # observers (tests, logging)
        self.posted: deque[Posted] = deque(maxlen=keep)  # bounded: a kiosk runs for days
        # Off while speech-dispatcher carries the words (an Orca that ignores announcements),
        # so a newer Orca cannot hear them twice.
        self.enabled = True
        self._post.connect(self._deliver)

    def __call__(self, message: Message) -> None:
        self._post.emit(message)

    @Slot(object)
    def _deliver(self, message: Message) -> None:
        # The announcer's output mode and privacy decide the words and the urgency.
        text = message.reader_text or message.text
        if not text or not self.enabled:
            return
        politeness = (QAccessible.AnnouncementPoliteness.Assertive if message.politeness == "assertive"
                      else QAccessible.AnnouncementPoliteness.Polite if message.politeness
                      else politeness_for(message.kind))
        event = QAccessibleAnnouncementEvent(self.source, text)
        event.setPoliteness(politeness)
        QAccessible.updateAccessibility(event)
        posted = Posted(
            text,
            "assertive" if politeness == QAccessible.AnnouncementPoliteness.Assertive else "polite",
            message.key,
            message.kind,
        )
        self.posted.append(posted)
        for hook in list(self.hooks):
            hook(posted)


def set_accessible(widget, name: str, description: str) -> None:
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description)
