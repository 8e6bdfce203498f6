"""Terminal mode with a damaged gallery: Enter says the load's own reason, not "missing"."""
import cv2
import numpy as np

from desktop_app.console import ConsoleApp
from desktop_app.recognition.recognizer import load_recognizer
from desktop_app.sources.frames import ImageFolderSource
from tests.test_console import make_announcer


def test_enter_with_a_corrupt_gallery_says_it_is_damaged(tmp_path):
    folder = tmp_path / "clip"
    folder.mkdir()
    cv2.imwrite(str(folder / "note.png"), np.full((48, 64, 3), 230, np.uint8))
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a gallery")
    recognizer, _ = load_recognizer(tmp_path / "none.onnx", bad)
    announcer, spy, out = make_announcer()
    app = ConsoleApp(ImageFolderSource(folder, loop=True), recognizer, announcer,
                     lines=iter(["\n", "q\n"]), out=out, gallery_path=bad)
    assert app.run() == 0
    said = [u.key for u in spy.spoken]
    assert "gallery.corrupt" in said and "gallery.missing" not in said
    assert f"Reference notes are damaged: {bad}" in out.getvalue()
