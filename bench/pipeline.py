"""Loads the app's own recognizer (shipped model + gallery) for the benchmarks.

When ``models/gallery.npz`` is absent but the shared data is present, a gallery is built from
the shared references and photos into a temp dir, so verification can still be timed; the
benchmark says so. Gallery size drives matching cost, so figures from such a stand-in gallery
are labelled as such.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from bench.common import REPO, rel
from desktop_app.paths import DEFAULT_GALLERY, DEFAULT_MODEL


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
    from training.data import NPR_DIR, load_manifest

    try:
        manifest = load_manifest(NPR_DIR)
    except FileNotFoundError as exc:
        raise Missing(f"{rel(DEFAULT_GALLERY)} is missing and there is no shared data to build one from") from exc
    items = []
    for it in manifest:
        image = cv2.imread(str(NPR_DIR / it.file), cv2.IMREAD_COLOR)
        if image is not None:
            items.append((image, it.meta()))
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
        notes.append(f"gallery: {DEFAULT_GALLERY.name} missing; stand-in built from every shared image")
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
