"""The last results as an accessible list, newest first, each with the time it was said, so a
screen-reader user can Tab to it and arrow through what was said (not only the very last)."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem

from desktop_app.voice.announcer import Message

from .accessibility import set_accessible
from .labels import label

KEEP = 20


class HistoryList(QListWidget):
    def __init__(self, parent=None, *, keep: int = KEEP, wall_clock=time.localtime):
        super().__init__(parent)
        self.setObjectName("history")
        self.keep = keep
        self._wall_clock = wall_clock
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMaximumHeight(160)

    def add(self, message: Message) -> None:
        """An ``announcer.screen_text`` sink: results only."""
        if message.kind != "result":
            return
        stamp = time.strftime("%H:%M:%S", self._wall_clock())
        item = QListWidgetItem(f"{stamp}  {message.text}")
        # Privacy mode: the screen reader reads the masked words, the screen shows the value.
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{message.reader_text or message.text}, {stamp}")
        self.insertItem(0, item)
        while self.count() > self.keep:
            self.takeItem(self.count() - 1)
        self.setCurrentRow(0)

    def entries(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

    def retranslate(self, lang: str) -> None:
        _text, name, description = label("history", lang)
        set_accessible(self, name, description)
