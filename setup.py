"""Build step that puts the app's data into the wheel (everything else is in pyproject.toml).

The model, the reference gallery and the Nepali clips live at the top of the repository
(models/, sounds/), where training and sounds/make_sounds.py write them and where an editable
install reads them. A wheel has no repository, so the build copies them into the package as
``desktop_app/shipped/``, which ``desktop_app.paths`` uses when it exists.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# (folder in the repository, patterns): what the running app reads, and nothing else (no
# training notes, no evaluation JSON, no generator scripts).
SHIPPED = (("models", ("note_model.onnx", "gallery.npz", "negatives.npz")), ("sounds", ("manifest.json", "ne/*.wav")))


def shipped_files(root: Path = HERE) -> list[Path]:
    """Paths relative to ``root`` of every data file the wheel carries."""
    return [path.relative_to(root) for folder, patterns in SHIPPED for pattern in patterns
            for path in sorted((root / folder).glob(pattern)) if path.is_file()]


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if not self.dry_run:
            target = Path(self.build_lib) / "desktop_app" / "shipped"
            shutil.rmtree(target, ignore_errors=True)  # a clip removed since the last build must not linger
            for rel in shipped_files():
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(HERE / rel, target / rel)


if __name__ == "__main__":  # the build backend runs this file as __main__; tests import shipped_files
    setup(cmdclass={"build_py": BuildWithData})
