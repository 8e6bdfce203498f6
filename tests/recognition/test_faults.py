"""Gallery faults at start-up: each is told as what it is, and a gallery whose values the app
cannot name is refused instead of failing later, silently, when a result is spoken."""
import pytest

from desktop_app.recognition.recognizer import load_recognizer
from desktop_app.voice.phrases import PhraseCatalogue
from tests.builders.notes import synthetic_gallery


@pytest.fixture(scope="module")
def catalogue():
    return PhraseCatalogue.load()


def _gallery_problem(tmp_path, gallery_path, catalogue):
    recognizer, problems = load_recognizer(tmp_path / "no-model.onnx", gallery_path, phrases=catalogue)
    keys = [p.key for p in problems if p.key.startswith("gallery.")]
    assert len(keys) == 1 and not recognizer.ready
    # A press repeats the same reason, not a generic "missing".
    assert recognizer.why_not_ready(str(gallery_path))[0] == keys[0]
    problem = problems[[p.key for p in problems].index(keys[0])]
    return problem, catalogue.text(problem.key, "en", **problem.params)


def test_missing_gallery_is_said_missing(tmp_path, catalogue):
    path = tmp_path / "none.npz"
    problem, said = _gallery_problem(tmp_path, path, catalogue)
    assert problem.key == "gallery.missing"
    assert said == f"Reference notes missing: {path}"


def test_corrupt_gallery_is_said_damaged_not_missing(tmp_path, catalogue):
    path = tmp_path / "bad.npz"
    path.write_bytes(b"this is not a zip file")
    problem, said = _gallery_problem(tmp_path, path, catalogue)
    assert problem.key == "gallery.corrupt"
    assert said == f"Reference notes are damaged: {path}"


def test_wrong_version_gallery_is_said_as_another_version(tmp_path, catalogue, monkeypatch):
    import desktop_app.recognition.gallery as mod
    path = tmp_path / "old.npz"
    monkeypatch.setattr(mod, "FORMAT_VERSION", 999)
    synthetic_gallery(("5", "500")).save(path)
    monkeypatch.undo()
    problem, said = _gallery_problem(tmp_path, path, catalogue)
    assert problem.key == "gallery.version"
    assert said == f"Reference notes are from another version of this app: {path}"


@pytest.mark.parametrize("value", ["2", "fake"])  # no note.2 phrase; "fake" is not a number
def test_gallery_with_a_value_without_a_phrase_is_refused(tmp_path, catalogue, value):
    path = tmp_path / "odd.npz"
    synthetic_gallery((value, "500")).save(path)
    problem, said = _gallery_problem(tmp_path, path, catalogue)
    assert problem.key == "gallery.unknown_value"
    assert said == f"Reference notes hold a value this app cannot name: {value}. File: {path}"
    assert value in problem.message and str(path) in problem.message  # the log names both


def test_gallery_whose_values_all_have_phrases_loads(tmp_path, catalogue):
    path = tmp_path / "good.npz"
    synthetic_gallery(("5", "500")).save(path)
    recognizer, problems = load_recognizer(tmp_path / "no-model.onnx", path, phrases=catalogue)
    assert recognizer.ready and recognizer.gallery_problem is None
    assert [p.key for p in problems] == ["model.missing"]


def test_default_catalogue_is_the_apps(tmp_path):
    path = tmp_path / "odd.npz"
    synthetic_gallery(("2", "500")).save(path)
    recognizer, problems = load_recognizer(tmp_path / "no-model.onnx", path)
    assert not recognizer.ready and "gallery.unknown_value" in [p.key for p in problems]


def _model(tmp_path, kind):
    from tests.builders.model import write_corrupt_model, write_tiny_model
    if kind == "wrong inputs":  # the graph takes 16x16 where its metadata promises 32x32
        return write_tiny_model(tmp_path / "m.onnx", input_size=(32, 32), graph_size=(16, 16))
    return write_corrupt_model(tmp_path / "m.onnx", kind)


@pytest.mark.parametrize("kind", ["garbage", "truncated", "empty", "wrong inputs"])
def test_a_damaged_model_is_said_damaged_and_the_gallery_still_names_notes(tmp_path, catalogue, kind):
    path = _model(tmp_path, kind)
    synthetic_gallery(("5", "500")).save(tmp_path / "g.npz")
    recognizer, problems = load_recognizer(path, tmp_path / "g.npz", phrases=catalogue)
    assert [p.key for p in problems] == ["model.corrupt"]
    assert catalogue.text("model.corrupt", "en", **problems[0].params) == f"Recognition model is damaged: {path}"
    assert recognizer.model is None and recognizer.ready  # verification alone still names notes
