"""Teaching, one place for the window, the terminal command and imports: check, keep, merge.

``Teacher.learn`` runs the checks of ``checks.py`` in order and, when all pass, writes the note
to the user store and returns the merged gallery that names it from now on. The caller swaps
that gallery into the recognizer (the window does so off the UI thread); nothing here speaks.
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from desktop_app.recognition.evidence import DENOMINATIONS
from desktop_app.recognition.gallery import GalleryError, Reference, ReferenceGallery
from desktop_app.recognition.sharing import merge
from desktop_app.recognition.thresholds import DEFAULT, Thresholds
from desktop_app.recognition.verifier import Verifier
from desktop_app.teaching import checks
from desktop_app.teaching.store import StoreError, TaughtNote, UserStore, View, new_id, now_iso

log = logging.getLogger(__name__)

MIN_VIEWS_PER_SIDE = 1
TAUGHT_SERIES = "taught"
TAUGHT_PREFIX = "taught:"  # reference ids of taught views: taught:<note id>#<view>


@dataclass
class Outcome:
    """What a teach, forget or import came to. ``key``/``params`` say it aloud."""

    ok: bool
    key: str
    params: dict = field(default_factory=dict)
    detail: str = ""
    note: TaughtNote | None = None
    gallery: ReferenceGallery | None = None  # the merged gallery to use from now on
    verifier: Verifier | None = None  # a Verifier of it, when the checks already built one
    seconds: float = 0.0


def spoken(params: dict) -> dict:
    """An outcome's params as the phrases take them: a value is a number, so the Nepali voice
    says it in words."""
    return {k: (int(v) if k == "value" and str(v).isdigit() else v) for k, v in params.items()}


def taught_gallery(notes: Sequence[TaughtNote]) -> ReferenceGallery | None:
    """Every view of every taught note as one reference (unweighted: ``merge`` weighs)."""
    refs, pts, descs, owners = [], [], [], []
    for note in notes:
        for i, v in enumerate(note.views):
            w, h = v.size
            outline = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
            owners.append(np.full(len(v.points), len(refs), np.int32))
            refs.append(Reference(f"{TAUGHT_PREFIX}{note.id}#{i}", note.value, v.side, TAUGHT_SERIES,
                                  (w, h), outline, v.colour))
            pts.append(v.points)
            descs.append(v.descriptors)
    if not refs:
        return None
    return ReferenceGallery(refs, np.concatenate(pts), np.concatenate(descs),
                            np.concatenate(owners))


# Bumped whenever the merge itself changes, so no cache of an older merge is used.
# 3: the shipped references keep their colour cells (colour.py); 4: taught views too
MERGE_VERSION = 4


def ids_of(notes: Sequence[TaughtNote]) -> tuple[str, ...]:
    return tuple(sorted(n.id for n in notes))


def fingerprint(path: Path, notes: Sequence[TaughtNote]) -> str:
    """Names one merge: the merge's version, the shipped gallery's file and the taught notes'
    ids (in any order)."""
    st = path.stat()
    h = hashlib.sha1(f"{MERGE_VERSION}|{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
    for note_id in ids_of(notes):
        h.update(note_id.encode() + b"\0")
    return h.hexdigest()[:16]


def taught_ids(gallery: ReferenceGallery) -> tuple[str, ...]:
    """The taught notes a merged gallery holds (its ``taught:<id>#<view>`` references)."""
    return tuple(sorted({r.id[len(TAUGHT_PREFIX):].rsplit("#", 1)[0] for r in gallery.references
                         if r.id.startswith(TAUGHT_PREFIX)}))


class Teacher:
    def __init__(self, store: UserStore, shipped: ReferenceGallery, *, shipped_path: Path | None = None,
                 negatives: checks.Negatives | None = None, thresholds: Thresholds = DEFAULT,
                 negatives_path: Path | None = None):
        self.store = store
        self.negatives_path = negatives_path  # named when it is missing
        self.shipped = shipped
        self.shipped_path = shipped_path
        self.negatives = negatives
        self.th = thresholds
        self._merged: ReferenceGallery | None = None
        self._merged_ids: tuple[str, ...] | None = None  # the notes in ``_merged``
        self._verifier: Verifier | None = None

    @classmethod
    def open(cls, store: UserStore, gallery_path: Path, negatives_path: Path,
             thresholds: Thresholds = DEFAULT) -> "Teacher":
        negatives = checks.Negatives.load(negatives_path)
        return cls(store, ReferenceGallery.load(gallery_path), shipped_path=gallery_path,
                   negatives=negatives, thresholds=thresholds, negatives_path=negatives_path)

    # --- the gallery in use -------------------------------------------------------------
    def gallery(self, notes: Sequence[TaughtNote] | None = None) -> ReferenceGallery:
        """The shipped gallery merged with the taught notes (default: those in the store now,
        which another process may have changed). The merge of the same notes with the same
        shipped file is cached in the data folder, so a start-up does not redo it."""
        notes = self.store.notes() if notes is None else list(notes)
        if self._merged is not None and self._merged_ids == ids_of(notes):
            return self._merged
        extra = taught_gallery(notes)
        if extra is None:
            merged = self.shipped
        else:
            merged = self.cached(notes)
            if merged is None:
                merged = merge(self.shipped, extra)
                self._save_cache(notes, merged)
        self._merged, self._merged_ids, self._verifier = merged, ids_of(notes), None
        return merged

    def _cache_path(self, notes) -> Path | None:
        if self.shipped_path is None or not Path(self.shipped_path).is_file():
            return None
        return self.store.root / "cache" / f"merged-{fingerprint(Path(self.shipped_path), notes)}.npz"

    def cached(self, notes) -> ReferenceGallery | None:
        """The merge of these notes made before (at an earlier start or teach), if any."""
        path = self._cache_path(notes)
        if path is None or not path.is_file():
            return None
        try:
            merged = ReferenceGallery.load(path)
        except GalleryError:
            log.warning("merge cache %s unreadable; merging again", path)
            return None
        if taught_ids(merged) != ids_of(notes):  # never another set of notes than asked for
            log.warning("merge cache %s holds other notes; merging again", path)
            return None
        self._merged, self._merged_ids, self._verifier = merged, ids_of(notes), None
        return merged

    def _save_cache(self, notes, merged: ReferenceGallery) -> None:
        path = self._cache_path(notes)
        if path is None:
            return
        try:
            for old in path.parent.glob("merged-*.npz"):
                old.unlink()  # one merge is in use at a time
            merged.save(path)
        except OSError:
            log.warning("could not cache the merged gallery in %s", path, exc_info=True)

    def verifier(self, notes: Sequence[TaughtNote] | None = None) -> Verifier:
        """A Verifier of the gallery of these notes (default: those in the store now); its own,
        never the one the recognizer scans with: a Verifier is not shared across threads."""
        gallery = self.gallery(notes)
        if self._verifier is None:
            self._verifier = Verifier(gallery, self.th)
        return self._verifier

    # --- teaching -----------------------------------------------------------------------
    def learn(self, value: str, views: Sequence[View], *, origin: str = "window",
              note_id: str | None = None, created: str | None = None) -> Outcome:
        started = time.perf_counter()
        outcome = self._learn(value, list(views), origin, note_id, created)
        outcome.seconds = time.perf_counter() - started
        log.info("teach Rs %s (%d views): %s %s", value, len(views), outcome.key, outcome.detail)
        return outcome

    def _learn(self, value, views, origin, note_id, created) -> Outcome:
        if self.store.locked:
            return Outcome(False, "teach.locked")
        if self.negatives is None:
            return Outcome(False, "teach.no_negatives", {"path": str(self.negatives_path or "negatives.npz")},
                           "no negatives file: cannot check")
        if not views or str(value) not in DENOMINATIONS:
            return Outcome(False, "teach.refused.no_views", detail=f"value {value!r}, {len(views)} views")
        note = TaughtNote(note_id or new_id(value), value, created or now_iso(), tuple(views), origin)
        stored = self.store.notes()
        if any(n.id == note.id for n in stored):
            return Outcome(False, "teach.import_duplicate", {"id": note.id})
        refusal = (checks.inconsistent(views)
                   or checks.known_as(views, value, self.verifier(stored)))
        extra = taught_gallery([note])
        if refusal is None:
            alone = Verifier(extra, self.th)
            refusal = checks.matches_negatives(alone, self.negatives, self.th.min_inliers)
        notes = stored + [note]
        merged = None
        if refusal is None:
            before = self.gallery(stored)
            merged = merge(before, extra)
            merged_verifier = Verifier(merged, self.th)
            refusal = (checks.keeps_others(before, merged)
                       or checks.distinct(views, value, merged_verifier))
        if refusal is not None:
            return Outcome(False, refusal.key, dict(refusal.params), refusal.detail)
        try:
            self.store.add(note)
        except (OSError, StoreError) as exc:
            if isinstance(exc, StoreError):
                return Outcome(False, exc.key, dict(exc.params), str(exc))
            return Outcome(False, "teach.store_failed", {"path": str(self.store.root)}, str(exc))
        self._merged, self._merged_ids, self._verifier = merged, ids_of(notes), None
        self._save_cache(notes, merged)
        return Outcome(True, "teach.saved", {"value": value}, note=note, gallery=merged,
                       verifier=merged_verifier)

    def forget(self, note_id: str) -> Outcome:
        try:
            note = self.store.forget(note_id)
        except StoreError as exc:
            return Outcome(False, exc.key, dict(exc.params), str(exc))
        return Outcome(True, "teach.forgotten", {"value": note.value}, note=note,
                       gallery=self.gallery())

    def import_notes(self, source: Path) -> list[Outcome]:
        """Each note in an export, checked here as if taught here (the machine's own gallery
        and negatives may differ from where it was taught)."""
        try:
            notes = UserStore.read_export(source)
        except StoreError as exc:
            return [Outcome(False, exc.key, dict(exc.params), str(exc))]
        return [self.learn(n.value, n.views, origin="import", note_id=n.id, created=n.created)
                for n in notes]
