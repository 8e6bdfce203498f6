"""The live picture: the newest frame scaled into the available space, keeping its aspect ratio.

In teach mode it also draws the note's outline as found in the latest examined frame, so a
sighted helper sees whether the whole note is found (the same is said aloud when it is not).
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QLabel, QSizePolicy

# A light line on a dark one: visible on a dark cloth and on a light note alike.
OUTLINE_COLOUR = QColor(255, 221, 0)
OUTLINE_SHADOW = QColor(0, 0, 0)
OUTLINE_WIDTH = 4


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
        self.outline = None  # 4x2 corners in frame pixels, or None
        self._outline_frame = (1, 1)  # (width, height) of the frame the corners belong to

    def show_outline(self, quad, frame_size) -> None:
        """The note's corners in a frame of ``frame_size`` (None: nothing drawn)."""
        self.outline = None if quad is None else [(float(x), float(y)) for x, y in quad]
        self._outline_frame = frame_size or (1, 1)
        self._rescale()

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
        if self.outline is not None:
            self._draw_outline(pixmap)
        self.setPixmap(pixmap)

    def _draw_outline(self, pixmap: QPixmap) -> None:
        # The preview image may be smaller than the frame (workers.to_qimage), so the corners
        # are scaled by the frame's width to the pixmap's.
        scale = pixmap.width() / max(1, self._outline_frame[0])
        polygon = QPolygonF([QPointF(x * scale, y * scale) for x, y in self.outline])
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for colour, width in ((OUTLINE_SHADOW, OUTLINE_WIDTH + 4), (OUTLINE_COLOUR, OUTLINE_WIDTH)):
            painter.setPen(QPen(colour, width))
            painter.drawPolygon(polygon)
        painter.end()
