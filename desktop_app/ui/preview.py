"""The live picture: the newest frame scaled into the available space, keeping its aspect ratio."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy


class PreviewView(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("preview")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Without wrapping, a long reason for the missing picture is cut off at both edges
        # (seen under Xvfb: "era 0 stopped sending pictures ... ins").
        self.setWordWrap(True)
        self.setMargin(12)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._image: QImage | None = None
        self.frames_shown = 0

    def show_image(self, image: QImage) -> None:
        self._image = image
        self.frames_shown += 1
        self._rescale()

    def clear_image(self, text: str = "") -> None:
        self._image = None
        self.clear()
        self.setText(text)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._image is None:
            return
        pixmap = QPixmap.fromImage(self._image).scaled(
            self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
        )
        self.setPixmap(pixmap)
