"""The preview: frames scaled to fit, and the reason for a missing picture readable in full."""
from __future__ import annotations

from desktop_app.ui.preview import PreviewView


def test_a_long_reason_wraps_instead_of_being_cut_off(qtbot):
    preview = PreviewView()
    qtbot.addWidget(preview)
    preview.resize(400, 300)
    preview.clear_image("Camera 0 stopped sending pictures. Trying again. Press Control O to open a video instead.")
    assert preview.minimumSizeHint().width() <= 400  # the whole sentence fits the width it has
    assert preview.frames_shown == 0 and preview.pixmap().isNull()
