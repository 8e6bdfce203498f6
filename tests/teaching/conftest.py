"""Made-up notes for the teach-mode tests: a gallery of a few values, and frames of a note
lying whole on a dark cloth, as a person is asked to show it."""
from __future__ import annotations

import numpy as np
import pytest

from desktop_app.teaching.checks import Negatives
from desktop_app.teaching.store import UserStore
from desktop_app.teaching.teacher import Teacher
from tests.builders.notes import place_note, synthetic_gallery, synthetic_note, synthetic_scene

KNOWN = ("100", "500", "1000")
# A few ways of laying the note down: corners TL, TR, BR, BL in a 640x480 frame.
POSES = (
    ((70, 110), (570, 95), (580, 350), (60, 365)),
    ((90, 90), (560, 120), (545, 370), (75, 345)),
    ((60, 130), (575, 110), (590, 360), (80, 380)),
    ((100, 100), (545, 100), (555, 335), (90, 345)),
)


def cloth(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(28, 6, (480, 640, 3)), 0, 255).astype(np.uint8)


def frame_of(denomination: str, pose: int = 0, side: str = "front", seed: int = 0) -> np.ndarray:
    return place_note(synthetic_note(denomination, side), cloth(seed), POSES[pose % len(POSES)])


@pytest.fixture(scope="session")
def gallery():
    return synthetic_gallery(KNOWN)


@pytest.fixture(scope="session")
def negatives():
    from training.build_negatives import negative_features

    frames = [negative_features(synthetic_scene(s)) for s in range(6)]
    return Negatives([f"scene:{s}" for s in range(6)], frames)


@pytest.fixture
def store(tmp_path):
    return UserStore(tmp_path / "data")


@pytest.fixture
def teacher(store, gallery, negatives):
    return Teacher(store, gallery, negatives=negatives)
