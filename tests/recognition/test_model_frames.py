"""Frames of any channel count reach the model as the BGR frame they show; a run-time model
failure is a ModelError naming the file."""
import cv2
import numpy as np
import pytest

from desktop_app.recognition.model import ModelError, NoteModel, as_bgr
from tests.builders.model import write_tiny_model


@pytest.fixture
def tiny(tmp_path):
    return NoteModel.load(write_tiny_model(tmp_path / "tiny.onnx"), threads=1)


def bgr_frame():
    rng = np.random.default_rng(0)
    return cv2.resize(rng.integers(0, 256, (12, 16, 3)).astype(np.uint8), (160, 120),
                      interpolation=cv2.INTER_NEAREST)


def test_grey_frames_2d_and_one_channel_are_fed_as_grey_bgr(tiny):
    grey = cv2.cvtColor(bgr_frame(), cv2.COLOR_BGR2GRAY)
    expected = tiny.preprocess(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))
    for frame in (grey, grey[:, :, None]):
        x = tiny.preprocess(frame)
        assert x.shape == expected.shape and np.array_equal(x, expected)
        assert tiny.predict(frame).ranking == tiny.predict(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)).ranking


def test_bgra_frame_drops_its_alpha(tiny):
    bgr = bgr_frame()
    bgra = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
    bgra[..., 3] = 7  # whatever the alpha holds, the picture is the same
    assert np.array_equal(tiny.preprocess(bgra), tiny.preprocess(bgr))
    assert np.array_equal(as_bgr(bgra), bgr)


def test_float_frames_are_clipped_to_bytes():
    assert as_bgr(np.full((4, 4), 300.0)).dtype == np.uint8
    assert as_bgr(np.full((4, 4), 300.0)).max() == 255


def test_inference_failure_is_a_model_error_naming_the_file(tiny):
    with pytest.raises(ModelError, match="tiny.onnx.*inference failed"):
        tiny.run(np.zeros((1, 3, 5, 5), np.float32))  # the graph wants its own input size
