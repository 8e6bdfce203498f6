"""tools/handheld_video.py: the live proof's material, and its unknown-design gallery."""
from __future__ import annotations

import cv2

from desktop_app.recognition.gallery import ReferenceGallery
from tests.builders.notes import synthetic_gallery, synthetic_note
from training.data import Item


def test_unknown_design_gallery_has_no_reference_of_the_photos_value_and_side(tmp_path,
                                                                              monkeypatch):
    import training.data as data
    from tools import handheld_video

    shipped = synthetic_gallery(("5", "100", "500"), sides=("front", "back"))
    shipped.save(tmp_path / "shipped.npz")
    photo = Item("photos/500/a.png", "500", "front", "synthetic", "photo", None)
    (tmp_path / "photos/500").mkdir(parents=True)
    cv2.imwrite(str(tmp_path / photo.file), synthetic_note("500"))
    monkeypatch.setattr(data, "NPR_DIR", tmp_path)
    monkeypatch.setattr(data, "load_manifest", lambda: [photo])
    monkeypatch.setattr(handheld_video, "DEFAULT_GALLERY", tmp_path / "shipped.npz")

    out = tmp_path / "out"
    handheld_video.main([str(out), "--photo", photo.file])
    assert not (out / "unknown.npz").exists()  # only when asked for
    handheld_video.main([str(out), "--photo", photo.file, "--unknown-design"])

    kept = {(r.denomination, r.side) for r in ReferenceGallery.load(out / "unknown.npz").references}
    assert ("500", "front") not in kept
    every = {(d, s) for d in ("5", "100", "500") for s in ("front", "back")}
    assert kept == every - {("500", "front")}
    # the usual gallery leaves out only the photo's own note (not in this gallery): all six
    assert len(ReferenceGallery.load(out / "gallery.npz").references) == 6
    cap = cv2.VideoCapture(str(out / "note.avi"))
    n = 0
    while cap.read()[0]:
        n += 1
    assert n == round(handheld_video.FPS * handheld_video.SECONDS)
