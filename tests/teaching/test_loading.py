"""Taught notes at start: from the merge cache when it is there, else left for ``finish``."""
from desktop_app.recognition.recognizer import load_recognizer
from desktop_app.teaching.loading import open_taught
from desktop_app.teaching.teacher import Teacher
from desktop_app.teaching.views import examine
from desktop_app.voice.phrases import PhraseCatalogue
from tests.teaching.conftest import frame_of


def _shipped_and_a_taught_fifty(tmp_path, gallery, negatives):
    """The shipped gallery on disk and a data folder holding one taught Rs 50 (its merge not
    cached yet): (gallery path, data folder, the TaughtNotes that taught it)."""
    shipped = tmp_path / "gallery.npz"
    gallery.save(shipped)
    data = tmp_path / "data"
    taught = open_taught(data)
    assert Teacher(taught.store, gallery, negatives=negatives).learn(
        "50", [examine(frame_of("50", p), "front").view for p in (0, 1)]).ok
    return shipped, data, taught


def test_a_start_without_a_cached_merge_leaves_it_for_later(tmp_path, gallery, negatives):
    shipped, data, taught = _shipped_and_a_taught_fifty(tmp_path, gallery, negatives)
    recognizer, problems = load_recognizer(tmp_path / "none.onnx", shipped, extend=taught,
                                           phrases=PhraseCatalogue.load())
    assert "teach.preparing" in [p.key for p in problems] and taught.pending is not None
    assert len(recognizer.verifier.gallery.references) == len(gallery.references)  # shipped only
    merged = taught.finish()
    assert len(merged.references) == len(gallery.references) + 2 and taught.pending is None
    assert taught.finish() is None

    again = open_taught(data)
    recognizer, problems = load_recognizer(tmp_path / "none.onnx", shipped, extend=again,
                                           phrases=PhraseCatalogue.load())
    assert "teach.preparing" not in [p.key for p in problems] and again.pending is None
    assert len(recognizer.verifier.gallery.references) == len(gallery.references) + 2
    assert again.count == 1


def test_no_taught_notes_leaves_the_gallery_as_shipped(tmp_path, gallery):
    shipped = tmp_path / "gallery.npz"
    gallery.save(shipped)
    taught = open_taught(tmp_path / "empty")
    recognizer, problems = load_recognizer(tmp_path / "none.onnx", shipped, extend=taught,
                                           phrases=PhraseCatalogue.load())
    assert [p.key for p in problems] == ["model.missing"]
    assert len(recognizer.verifier.gallery.references) == len(gallery.references)
    assert taught.pending is None and taught.teacher is not None


def test_the_terminal_merges_at_once_and_names_the_taught_note(tmp_path, gallery, negatives):
    import io

    import cv2

    from desktop_app.console import run_console
    from tests.spies import SpeechSpy

    shipped, data, _ = _shipped_and_a_taught_fifty(tmp_path, gallery, negatives)
    folder = tmp_path / "frames"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), frame_of("50", 2, seed=4))
    out, spy = io.StringIO(), SpeechSpy()
    code = run_console(source=str(folder), language="en", model=tmp_path / "none.onnx", gallery=shipped,
                       speech=spy, stdin=io.StringIO("\nq\n"), out=out, data_dir=data, output_mode="app")
    assert code == 0
    keys = spy.keys
    assert keys.index("teach.preparing") < keys.index("teach.ready") < keys.index("note.50")
