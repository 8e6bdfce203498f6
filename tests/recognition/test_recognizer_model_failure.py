"""A model that fails on a frame costs that frame the model's hint, never its verification."""
import logging

import numpy as np

from desktop_app.recognition.evidence import Verification
from desktop_app.recognition.model import ModelError
from desktop_app.recognition.recognizer import Recognizer


class BrokenModel:
    def predict(self, image):
        raise ModelError("note_model.onnx", "inference failed (test)")


class RecordingVerifier:
    def __init__(self):
        self.candidates = []

    def verify(self, image, candidates=None):
        self.candidates.append(candidates)
        return Verification(denomination="100", side="front", accepted=True, inliers=40, score=40.0)


def test_frame_is_still_verified_when_the_model_fails(caplog):
    verifier = RecordingVerifier()
    rec = Recognizer(verifier, BrokenModel())
    frame = np.full((120, 160, 3), 128, np.uint8)
    with caplog.at_level(logging.ERROR):
        first = rec.evaluate(frame, 0.0)
        second = rec.evaluate(frame, 0.1)
    for ev in (first, second):
        assert ev.model is None
        assert ev.verification.accepted and ev.verification.denomination == "100"
    assert verifier.candidates == [None, None]  # no ranking hint: every value is tried
    assert sum("note model failed" in r.getMessage() for r in caplog.records) == 1  # once, not per frame
