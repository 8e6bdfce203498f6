"""Where the app finds its shipped data (models, sounds, phrases).

In the repository (``pip install -e .``, ``scripts/run.sh``) the data lives beside the package:
models/ and sounds/ at the top. An installed wheel carries a copy inside the package,
``desktop_app/shipped/`` (made by setup.py at build time), which is used when it exists.
Environment variables let a kiosk or a test point elsewhere.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
SHIPPED_DIR = PACKAGE_DIR / "shipped"  # only in a built wheel; never in the repository


def data_dir(name: str, env: str, *, environ=os.environ, shipped: Path = SHIPPED_DIR, repo: Path = REPO_ROOT) -> Path:
    """``$env`` if set, else the wheel's copy, else the repository's folder ``name``."""
    if environ.get(env):
        return Path(environ[env])
    if (shipped / name).is_dir():
        return shipped / name
    return repo / name


MODELS_DIR = data_dir("models", "NCR_MODELS_DIR")
SOUNDS_DIR = data_dir("sounds", "NCR_SOUNDS_DIR")
PHRASES_FILE = PACKAGE_DIR / "data" / "phrases.json"
DEFAULT_MODEL = MODELS_DIR / "note_model.onnx"
DEFAULT_GALLERY = MODELS_DIR / "gallery.npz"
DEFAULT_NEGATIVES = MODELS_DIR / "negatives.npz"  # what teach mode must never let be named
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
