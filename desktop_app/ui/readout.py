"""A line of text on screen (the last result, the status) whose accessible name is what it says,
so a screen reader's Tab to it reads the result itself, not "Last result"."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel


class Readout(QLabel):
    said = ""  # what the screen reader may read; privacy mode keeps a value out of it

    def show_text(self, text: str, said: str = "") -> None:
        self.setText(text)
        self.said = said or text
        self.setAccessibleName(self.said)

    def name_default(self, name: str) -> None:
        """The control's own name until it has said something."""
        self.setAccessibleName(self.said or name)
