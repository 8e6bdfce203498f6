"""One frame in, evidence out: image quality, the ONNX model's view, and gallery verification."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from desktop_app.recognition.evidence import FrameEvidence, ModelOutput, Verification
from desktop_app.recognition.flatten import to_grey
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
        self.gallery_problem: LoadProblem | None = None  # why there is no verifier, when known

    @property
    def ready(self) -> bool:
        """Without a gallery nothing can be named; the app still runs and says why."""
        return self.verifier is not None

    def why_not_ready(self, gallery_path: str) -> tuple[str, dict, tuple]:
        """The scan problem to say on a press: the load's own reason (a corrupt gallery is not
        a missing one), or "missing" for a recognizer built without a gallery."""
        if self.gallery_problem is not None:
            return self.gallery_problem.key, dict(self.gallery_problem.params), ()
        return "gallery.missing", {"path": gallery_path}, ()

    def evaluate(self, image: np.ndarray, t: float, *, verify: bool = True) -> FrameEvidence:
        started = time.perf_counter()
        quality = assess(to_grey(image), self.th)
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
            # The frame in colour: the verifier's colour check needs it (the verifier greys it
            # once more for SIFT: 0.07 ms at 640x480, measured).
            verification = self.verifier.verify(image, candidates=candidates)
        return FrameEvidence(t, quality, verification, model_out, time.perf_counter() - started)


def load_recognizer(
    model_path: str | Path, gallery_path: str | Path, thresholds: Thresholds = DEFAULT, threads: int = 2,
    phrases=None, extend=None,
) -> tuple[Recognizer, list[LoadProblem]]:
    """Loads what it can and lists what failed, so the app can start and say what is wrong.

    ``phrases`` (phrase keys; default the app's catalogue) is what the app can say: a gallery
    holding a value without a ``note.<value>`` phrase is refused whole, because its results
    could be neither spoken nor added to a total, and it is not the gallery this app was built with.

    ``extend(gallery, gallery_path, thresholds) -> (gallery, [LoadProblem])`` adds to the
    shipped gallery before the verifier is built (``teaching.loading.TaughtNotes``: the notes
    taught on this machine), so recognition itself knows nothing of where they come from."""
    from desktop_app.recognition.gallery import GalleryError, ReferenceGallery
    from desktop_app.recognition.model import ModelError, NoteModel
    from desktop_app.recognition.verifier import Verifier

    problems: list[LoadProblem] = []
    verifier = None
    gallery_path = Path(gallery_path)
    where = {"path": str(gallery_path)}
    try:
        gallery = ReferenceGallery.load(gallery_path)
        if phrases is None:
            from desktop_app.voice.phrases import PhraseCatalogue
            phrases = PhraseCatalogue.load()  # answers `in` for its keys
        unknown = [d for d in gallery.denominations if not d.isdigit() or f"note.{d}" not in phrases]
        if unknown:
            problems.append(LoadProblem("gallery.unknown_value", dict(where, value=", ".join(unknown)),
                                        f"reference gallery {gallery_path} holds values this app cannot "
                                        f"name: {unknown}; rebuild it with `python -m training.build_gallery`"))
        else:
            if extend is not None:
                gallery, more = extend(gallery, gallery_path, thresholds)
                problems.extend(more)
            verifier = Verifier(gallery, thresholds)
    except GalleryError as exc:
        problems.append(LoadProblem(f"gallery.{exc.kind}", where, str(exc)))
    except Exception as exc:  # any other failure to use the gallery leaves the app unable to name notes
        problems.append(LoadProblem("gallery.corrupt", where, f"reference gallery {gallery_path}: {exc}"))
    # The model after the verifier: building the matcher's index briefly holds two copies of
    # the gallery's descriptors (~80 MB), and with the model not yet loaded that moment is
    # not the process's peak (measured: 310 -> 258 MB peak for the two loads).
    model = None
    model_path = Path(model_path)
    try:
        model = NoteModel.load(model_path, threads=threads)
    except ModelError as exc:
        key = "model.missing" if not model_path.exists() else "model.corrupt"
        problems.insert(0, LoadProblem(key, {"path": str(model_path)}, str(exc)))
    recognizer = Recognizer(verifier, model, thresholds)
    recognizer.gallery_problem = next((p for p in problems if p.key.startswith("gallery.")), None)
    return recognizer, problems
