"""One conftest for the suite: offscreen Qt, and an ALSA device that never reaches a speaker."""
import os

# Set before any Qt import: the suite must run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NCR_NO_SETTINGS", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory, monkeypatch):
    """Taught notes of a test stay in a folder of its own, never the user's data folder."""
    monkeypatch.setenv("NCR_DATA_DIR", str(tmp_path_factory.mktemp("ncr-data")))
