"""Loads the app's own recognizer (shipped model + gallery) for the benchmarks.

When ``models/gallery.npz`` is absent but the shared data is present, a gallery is built from
the shared references and photos into a temp dir, so verification can still be timed; the
benchmark says so. Gallery size drives matching cost, so figures from such a stand-in gallery
are labelled as such.
"""
from __future__ import annotations

import csv
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from bench.common import REPO, rel
from desktop_app.paths import DEFAULT_GALLERY, DEFAULT_MODEL, SHARED_DATA


@dataclass
class Pipeline:
    recognizer: object  # desktop_app.recognition.recognizer.Recognizer
    model_path: Path | None
    gallery_path: Path
    notes: list[str] = field(default_factory=list)
    gallery_label: str = "shipped gallery"


class Missing(Exception):
    """A piece the section needs does not exist (yet); the section is skipped with this text."""


def standin_gallery(directory: Path) -> Path:
    from desktop_app.recognition.gallery import ReferenceGallery

    root = SHARED_DATA / "npr-notes"
    manifest = root / "MANIFEST.csv"
    if not manifest.is_file():
        raise Missing(f"{rel(DEFAULT_GALLERY)} is missing and there is no shared data to build one from")
    items = []
    with open(manifest, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            image = cv2.imread(str(root / row["file"]), cv2.IMREAD_COLOR)
            if image is None:
                continue
            outline = json.loads(row["note_corners"]) if row.get("note_corners") else None
            items.append((image, dict(id=row["file"], denomination=row["denomination"], side=row["side"],
                                      series=row["series"], outline=outline)))
    path = directory / "gallery.npz"
    ReferenceGallery.from_images(items).save(path)
    return path


def synthetic_gallery(directory: Path) -> Path:
    try:
        from tests.builders.notes import synthetic_gallery as build
    except ImportError as exc:
        raise Missing(f"no shared data and tests/builders/notes.py cannot be imported ({exc})") from exc
    path = directory / "synthetic_gallery.npz"
    build().save(path)
    return path


def load_pipeline(threads: int = 2, tmp: Path | None = None, *, synthetic: bool = False) -> Pipeline:
    """The recognizer as the app loads it. Raises ``Missing`` when it cannot be built at all.

    ``synthetic``: the frames show synthetic notes, so the gallery is the synthetic one of
    ``tests.builders.notes`` (the shipped gallery would never match them)."""
    try:
        from desktop_app.recognition.recognizer import load_recognizer
    except ImportError as exc:
        raise Missing(f"desktop_app.recognition.recognizer cannot be imported yet ({exc})") from exc
    notes = []
    gallery = DEFAULT_GALLERY
    label = "shipped gallery"
    tmp = tmp or Path(tempfile.mkdtemp(prefix="ncr-bench-"))
    if synthetic:
        gallery = synthetic_gallery(tmp)
        label = "synthetic gallery"
        notes.append("gallery: synthetic (tests/builders/notes.py), to match the synthetic notes")
    elif not gallery.is_file():
        gallery = standin_gallery(tmp)
        label = "stand-in gallery"
        notes.append(f"gallery: {DEFAULT_GALLERY.name} missing; stand-in built from all 32 shared images")
    else:
        notes.append(f"gallery: {rel(gallery)}")
    recognizer, problems = load_recognizer(DEFAULT_MODEL, gallery, threads=threads)
    for p in problems:
        notes.append(f"load problem {p.key}: {p.message.replace(str(REPO) + '/', '')}")
    if recognizer.verifier is None:
        raise Missing("; ".join(notes))
    model_path = DEFAULT_MODEL if recognizer.model is not None else None
    if model_path is None:
        notes.append("model: not loaded; scans run without the ONNX model (verification only)")
    else:
        notes.append(f"model: {rel(model_path)}")
    return Pipeline(recognizer, model_path, gallery, notes, label)
