"""The found outlines and condition labels against the real shared photos; skipped without them."""
import cv2
import numpy as np
import pytest

from desktop_app.paths import SHARED_DATA

pytestmark = pytest.mark.skipif(not (SHARED_DATA / "npr-notes" / "MANIFEST.csv").is_file(),
                                reason="shared data folder absent")


@pytest.fixture(scope="module")
def photos():
    from training.data import load_manifest
    return [i for i in load_manifest() if i.kind == "photo"]


def test_every_photo_has_an_outline_on_its_own_image(photos):
    from training.data import NPR_DIR
    from training.outlines import signed_area
    assert len(photos) == 74
    found = [p for p in photos if p.outline_method not in (None, "hand")]
    assert len(found) == 57
    for p in found:
        h, w = cv2.imread(str(NPR_DIR / p.file), cv2.IMREAD_REDUCED_GRAYSCALE_4).shape
        quad = np.asarray(p.corners, np.float32) / 4
        area = signed_area(quad)
        # clockwise on screen, a real part of the frame, and mostly inside it
        assert area > 0.1 * w * h, p.file
        inside, _ = cv2.intersectConvexConvex(quad, np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
        assert inside > 0.8 * area, p.file


def test_every_photo_has_condition_labels(photos):
    from collections import Counter
    counts = Counter(label for p in photos for label in p.conditions)
    assert all(p.conditions for p in photos)
    assert counts == {"flat": 28, "dim": 57, "folded": 36, "partial": 8, "hand-held": 4}
    # a note lying flat and whole is neither folded nor partial
    assert not [p.file for p in photos if "flat" in p.conditions
                and {"folded", "partial"} & set(p.conditions)]
