import cv2
import numpy as np

from desktop_app.recognition.quality import assess
from desktop_app.recognition.thresholds import Thresholds
from tests.builders.notes import synthetic_note


def test_sharp_bright_note_is_fine():
    q = assess(cv2.resize(synthetic_note("100"), (640, 480)))
    assert not q.too_dark and not q.blurred and q.brightness > 100


def test_dark_frame_is_too_dark():
    dark = (synthetic_note("100") * 0.1).astype(np.uint8)
    assert assess(dark).too_dark


def test_blurred_frame_is_blurred():
    blurred = cv2.GaussianBlur(cv2.resize(synthetic_note("100"), (640, 480)), (0, 0), 8)
    q = assess(blurred)
    assert q.blurred and q.sharpness < assess(synthetic_note("100")).sharpness


def test_thresholds_drive_flags():
    img = synthetic_note("5")
    q = assess(img, Thresholds(dark_brightness=255.0, blur_sharpness=0.0))
    assert q.too_dark and not q.blurred


def test_grey_input_accepted():
    assert assess(np.full((100, 100), 128, np.uint8)).brightness == 128.0
