"""classify given a gigapixel picture, a multi-gigabyte file or a non-image: each is skipped
with its reason and never reaches the recognizer; the rest are classified."""
import cv2
import numpy as np
from PIL import Image

from desktop_app.recognition.evidence import FrameEvidence, Verification
from desktop_app.recognition.quality import assess
from desktop_app.sources.stills import NOT_AN_IMAGE
from desktop_app.testers.classify import classify, collect_images


class CountingRecognizer:
    ready = True

    def __init__(self):
        self.shapes = []

    def evaluate(self, image, t, verify=True):
        self.shapes.append(image.shape)
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        return FrameEvidence(t, assess(grey), Verification(), None, 0.0)


def test_classify_skips_what_cannot_be_read_safely(tmp_path):
    folder = tmp_path / "500"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.jpg"), np.full((240, 320, 3), 120, np.uint8))
    Image.new("1", (20000, 20000)).save(folder / "bomb.png")
    with open(folder / "huge.jpg", "wb") as f:
        f.truncate(3 * 2**30)
    (folder / "notes.jpg").write_text("not a picture")
    recognizer = CountingRecognizer()
    items, problems = collect_images([folder])
    skips = []
    result = classify(items, recognizer, on_skip=skips.append)
    assert problems == [] and recognizer.shapes == [(240, 320, 3)]
    assert [r.path for r in result.results] == [str(folder / "a.jpg")]
    why = {s["path"]: s["error"] for s in result.skipped}
    assert why[str(folder / "bomb.png")].startswith("image too large (over ")
    assert why[str(folder / "huge.jpg")] == "image file too large (3072 MB; at most 256 MB)"
    assert why[str(folder / "notes.jpg")] == NOT_AN_IMAGE
    assert skips == result.skipped and result.summary["skipped"] == 3
