"""Where the app finds its shipped data (models, sounds, phrases).

The project is installed editable (``pip install -e .``), so data lives beside the package
in the repository. Environment variables let a kiosk or a test point elsewhere.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = Path(os.environ.get("NCR_MODELS_DIR", REPO_ROOT / "models"))
SOUNDS_DIR = Path(os.environ.get("NCR_SOUNDS_DIR", REPO_ROOT / "sounds"))
PHRASES_FILE = Path(__file__).resolve().parent / "data" / "phrases.json"
DEFAULT_MODEL = MODELS_DIR / "note_model.onnx"
DEFAULT_GALLERY = MODELS_DIR / "gallery.npz"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
