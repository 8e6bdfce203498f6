"""A wheel (``pip install .``, not editable) carries the model, the gallery, the Nepali clips and
the phrases, and the app installed from it finds them without the repository.

Building needs setuptools>=77 from the package index (pip's build isolation): CI has it. The
build takes a few seconds, so it is done once for the module.
"""
import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktop_app.paths import REPO_ROOT, SHARED_DATA, data_dir


def _setup_module():
    spec = importlib.util.spec_from_file_location("ncr_setup", REPO_ROOT / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shipped_files = _setup_module().shipped_files  # the build's own list of data files


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps", "-q", "-w", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = out.glob("nepali_cash_reader-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel unpacked by pip into a folder of its own, without dependencies (this
    interpreter already has them)."""
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return target


def test_the_wheel_holds_model_gallery_clips_and_phrases(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"desktop_app/shipped/{rel.as_posix()}" for rel in shipped_files(REPO_ROOT)}
    assert {"desktop_app/shipped/models/note_model.onnx", "desktop_app/shipped/models/gallery.npz",
            "desktop_app/shipped/models/negatives.npz",
            "desktop_app/shipped/sounds/manifest.json", "desktop_app/shipped/sounds/ne/note.100.wav"} <= expected
    assert len([n for n in expected if n.endswith(".wav")]) == len(list((REPO_ROOT / "sounds" / "ne").glob("*.wav")))
    assert {n for n in names if n.startswith("desktop_app/shipped/")} == expected  # nothing stale, nothing more
    assert "desktop_app/data/phrases.json" in names
    assert not any(n.startswith(("models/", "sounds/", "training/", "tests/", "bench/")) for n in names)


def _run_installed(installed: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCR_")}
    env.update(PYTHONPATH=str(installed), NCR_NO_TTS="1")  # the wheel's copy, never the repository
    return subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)


def test_an_installed_wheel_finds_its_own_data(installed, tmp_path):
    done = _run_installed(installed, tmp_path, "-c",
                          "import desktop_app.paths as p, desktop_app.voice.phrases as ph; "
                          "c = ph.PhraseCatalogue.load(); "
                          "print(p.__file__, p.DEFAULT_MODEL.is_file(), p.DEFAULT_GALLERY.is_file(), "
                          "c.clip_path('note.100').is_file())")
    assert done.returncode == 0, done.stderr
    where, model, gallery, clip = done.stdout.split()
    assert Path(where).is_relative_to(installed)
    assert (model, gallery, clip) == ("True", "True", "True")


@pytest.mark.skipif(not (SHARED_DATA / "npr-notes" / "photos" / "100").is_dir(), reason="shared photos absent")
def test_classify_from_the_installed_wheel_names_a_note(installed, tmp_path):
    photo = sorted((SHARED_DATA / "npr-notes" / "photos" / "100").iterdir())[0]
    done = _run_installed(installed, tmp_path, "-m", "desktop_app", "classify", str(photo), "--jsonl")
    assert done.returncode == 0, done.stderr
    assert '"decision": "100"' in done.stdout


def test_data_dirs_env_then_wheel_then_repository(tmp_path):
    shipped, repo = tmp_path / "shipped", tmp_path / "repo"
    assert data_dir("models", "NCR_MODELS_DIR", environ={}, shipped=shipped, repo=repo) == repo / "models"
    (shipped / "models").mkdir(parents=True)
    assert data_dir("models", "NCR_MODELS_DIR", environ={}, shipped=shipped, repo=repo) == shipped / "models"
    assert data_dir("models", "NCR_MODELS_DIR", environ={"NCR_MODELS_DIR": "/kiosk/m"}, shipped=shipped,
                    repo=repo) == Path("/kiosk/m")
