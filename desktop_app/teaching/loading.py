"""Taught notes at start-up: merged into the shipped gallery, and a Teacher for teaching more.

``TaughtNotes`` is handed to ``recognition.recognizer.load_recognizer(extend=...)``; the
front end (window, terminal) keeps it for teach mode. A taught note that cannot be read is a
problem to tell the user by name; the other taught notes are still used.

The merge is cached, so a start normally takes the merged gallery from disk in well under a
second. When it must be made again (the first start after an update of the shipped gallery,
or a cache deleted) it can take minutes with many taught notes, so the start does not wait:
the app starts with the shipped gallery alone (taught notes say "not sure" meanwhile, never
a wrong value), says so, and ``finish`` makes the merge, on a background thread in the window.
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
        self.pending: list | None = None  # notes still to merge (``finish``), when not cached

    def __call__(self, gallery: ReferenceGallery, gallery_path: Path, thresholds: Thresholds
                 ) -> tuple[ReferenceGallery, list[LoadProblem]]:
        try:
            negatives = Negatives.load(self.negatives_path)
        except GalleryError:
            negatives = None  # taught notes are still named; teaching more says why it cannot
        self.teacher = Teacher(self.store, gallery, shipped_path=Path(gallery_path),
                               negatives=negatives, thresholds=thresholds,
                               negatives_path=self.negatives_path)
        notes = self.store.notes()
        problems = [LoadProblem(p.key, dict(p.params), str(p)) for p in self.store.problems]
        self.count = len(notes)
        if not notes:
            return gallery, problems
        merged = self.teacher.cached(notes)
        if merged is not None:
            return merged, problems
        self.pending = notes
        problems.append(LoadProblem("teach.preparing", {}, f"merging {len(notes)} taught notes"))
        return gallery, problems

    def finish(self) -> ReferenceGallery | None:
        """The merge the start left for later; None when there was none."""
        if self.pending is None or self.teacher is None:
            return None
        notes, self.pending = self.pending, None
        return self.teacher.gallery(notes)

    def finish_verifier(self, thresholds: Thresholds):
        """``finish``, as the Verifier to swap into the recognizer (None: nothing to swap)."""
        from desktop_app.recognition.verifier import Verifier

        merged = self.finish()
        return None if merged is None else Verifier(merged, thresholds)


def open_taught(data_dir: str | Path | None = None) -> TaughtNotes:
    """The notes taught on this machine (``--data-dir``, else $NCR_DATA_DIR or the platform's
    data folder), to hand to ``load_recognizer(extend=...)``."""
    return TaughtNotes(UserStore(user_data_dir(data_dir)))
