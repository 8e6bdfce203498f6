"""Taught notes at start-up: merged into the shipped gallery, and a Teacher for teaching more.

``TaughtNotes`` is handed to ``recognition.recognizer.load_recognizer(extend=...)``; the
front end (window, terminal) keeps it for teach mode. A taught note that cannot be read is a
problem to tell the user by name; the other taught notes are still used.
"""
from __future__ import annotations

from pathlib import Path

from desktop_app.recognition.gallery import GalleryError, ReferenceGallery
from desktop_app.recognition.recognizer import LoadProblem
from desktop_app.recognition.thresholds import Thresholds
from desktop_app.teaching.checks import Negatives
from desktop_app.teaching.store import UserStore, user_data_dir
from desktop_app.teaching.teacher import Teacher


class TaughtNotes:
    def __init__(self, store: UserStore, negatives_path: Path | None = None):
        from desktop_app.paths import DEFAULT_NEGATIVES

        self.store = store
        self.negatives_path = Path(negatives_path or DEFAULT_NEGATIVES)
        self.teacher: Teacher | None = None  # set once the shipped gallery has loaded
        self.count = 0  # taught notes in use

    def __call__(self, gallery: ReferenceGallery, gallery_path: Path, thresholds: Thresholds
                 ) -> tuple[ReferenceGallery, list[LoadProblem]]:
        try:
            negatives = Negatives.load(self.negatives_path)
        except GalleryError:
            negatives = None  # taught notes are still named; teaching more says why it cannot
        self.teacher = Teacher(self.store, gallery, shipped_path=Path(gallery_path),
                               negatives=negatives, thresholds=thresholds)
        notes = self.store.notes()
        problems = [LoadProblem(p.key, dict(p.params), str(p)) for p in self.store.problems]
        self.count = len(notes)
        return self.teacher.gallery(notes), problems


def open_taught(data_dir: str | Path | None = None) -> TaughtNotes:
    """The notes taught on this machine (``--data-dir``, else $NCR_DATA_DIR or the platform's
    data folder), to hand to ``load_recognizer(extend=...)``."""
    return TaughtNotes(UserStore(user_data_dir(data_dir)))
