"""One frame in, evidence out: image quality, the ONNX model's view, and gallery verification."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from desktop_app.recognition.evidence import FrameEvidence, ModelOutput, Verification
from desktop_app.recognition.gallery import to_grey
from desktop_app.recognition.model import ModelError
from desktop_app.recognition.quality import assess
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadProblem:
    """Something the user must be told at start-up; ``key`` is the phrase to say."""

    key: str
    params: dict = field(default_factory=dict)
    message: str = ""


class Recognizer:
    def __init__(self, verifier, model=None, thresholds: Thresholds = DEFAULT):
        self.verifier = verifier
        self.model = model
        self.th = thresholds
        self._model_failed = False

    @property
    def ready(self) -> bool:
        """Without a gallery nothing can be named; the app still runs and says why."""
        return self.verifier is not None

    def evaluate(self, image: np.ndarray, t: float, *, verify: bool = True) -> FrameEvidence:
        started = time.perf_counter()
        grey = to_grey(image)  # once per frame: quality and verification both work in grey
        quality = assess(grey, self.th)
        model_out: ModelOutput | None = None
        if self.model is not None:
            try:
                model_out = self.model.predict(image)
            except ModelError:
                # The verifier names notes on its own; a model failing on a frame only costs the
                # frame the model's ranking hint, never its verification. Logged once, not per frame.
                if not self._model_failed:
                    self._model_failed = True
                    log.exception("note model failed on a frame; verifying without it")
        verification = Verification()
        if verify and self.verifier is not None:
            candidates = [d for d, _ in model_out.ranking] if model_out is not None else None
            verification = self.verifier.verify(grey, candidates=candidates)
        return FrameEvidence(t, quality, verification, model_out, time.perf_counter() - started)


def load_recognizer(
    model_path: str | Path, gallery_path: str | Path, thresholds: Thresholds = DEFAULT, threads: int = 2
) -> tuple[Recognizer, list[LoadProblem]]:
    """Loads what it can and lists what failed, so the app can start and say what is wrong."""
    from desktop_app.recognition.gallery import ReferenceGallery
    from desktop_app.recognition.model import ModelError, NoteModel
    from desktop_app.recognition.verifier import Verifier

    problems: list[LoadProblem] = []
    model = None
    model_path = Path(model_path)
    try:
        model = NoteModel.load(model_path, threads=threads)
    except ModelError as exc:
        key = "model.missing" if not model_path.exists() else "model.corrupt"
        problems.append(LoadProblem(key, {"path": str(model_path)}, str(exc)))
    verifier = None
    gallery_path = Path(gallery_path)
    try:
        verifier = Verifier(ReferenceGallery.load(gallery_path), thresholds)
    except Exception as exc:  # any failure to read the gallery leaves the app unable to name notes
        problems.append(LoadProblem("gallery.missing", {"path": str(gallery_path)}, str(exc)))
    return Recognizer(verifier, model, thresholds), problems
