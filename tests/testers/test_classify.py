"""classify: photos through the single-frame path, with folder labels, skips and the threshold sweep."""
import cv2
import numpy as np
import pytest

from desktop_app.testers.classify import ImageResult, classify, collect_images, folder_label, write_report
from desktop_app.testers.reading import ReportInputError, read_label_file
from desktop_app.testers.sweep import accepted_at, sweep
from desktop_app.recognition.thresholds import DEFAULT

# Perspective-warped placements of a 600x280 note in a 640x480 scene (TL, TR, BR, BL).
PLACEMENTS = (
    [[110, 120], [530, 135], [515, 335], [120, 320]],
    [[150, 90], [500, 70], [520, 300], [140, 330]],
)


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory):
    from desktop_app.recognition.recognizer import load_recognizer
    from tests.builders.model import write_tiny_model
    from tests.builders.notes import synthetic_gallery

    folder = tmp_path_factory.mktemp("classify_models")
    cv2.setRNGSeed(0)
    synthetic_gallery().save(folder / "gallery.npz")
    write_tiny_model(folder / "model.onnx")
    rec, problems = load_recognizer(folder / "model.onnx", folder / "gallery.npz")
    assert problems == []
    return rec


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """100/ and 500/ with two warped notes each; 50/ holding a Rs 20 (mislabelled on purpose);
    none/ with an empty scene; and a corrupt .jpg among the 100s."""
    from tests.builders.notes import place_note, synthetic_note, synthetic_scene

    root = tmp_path_factory.mktemp("photos")
    for denomination, note_value in (("100", "100"), ("500", "500")):
        (root / denomination).mkdir()
        for k, corners in enumerate(PLACEMENTS):
            image = place_note(synthetic_note(note_value), synthetic_scene(10 + k), corners)
            cv2.imwrite(str(root / denomination / f"shot{k}.jpg"), image)
    (root / "50").mkdir()
    cv2.imwrite(str(root / "50" / "actually20.png"),
                place_note(synthetic_note("20"), synthetic_scene(20), PLACEMENTS[0]))
    (root / "none").mkdir()
    cv2.imwrite(str(root / "none" / "table.png"), synthetic_scene(30))
    (root / "100" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a JPEG")
    (root / "notes.txt").write_text("not an image, ignored")
    return root


def test_folder_names_are_labels():
    assert folder_label("100") == "100" and folder_label("Rs 500") == "500"
    assert folder_label("foreign") == "none" and folder_label("none") == "none"
    assert folder_label("photos") is None


def test_collect_images_labels_from_nearest_folder(tree, tmp_path):
    items, missing = collect_images([tree, tmp_path / "nowhere"])
    names = [(i.path.parent.name, i.path.name, i.truth) for i in items]
    assert names == [("100", "broken.jpg", "100"), ("100", "shot0.jpg", "100"), ("100", "shot1.jpg", "100"),
                     ("50", "actually20.png", "50"), ("500", "shot0.jpg", "500"), ("500", "shot1.jpg", "500"),
                     ("none", "table.png", "none")]
    assert missing == [{"path": str(tmp_path / "nowhere"), "error": "no such file or folder"}]
    labels = tmp_path / "labels.csv"
    labels.write_text("path,label\nactually20.png,20\n")
    items, _ = collect_images([tree], read_label_file(labels))
    assert {i.path.name: i.truth for i in items}["actually20.png"] == "20"
    labels.write_text("actually20.png,25\n")
    with pytest.raises(ReportInputError, match="labels.csv, line 1"):
        read_label_file(labels)


def test_classify_tree(tree, recognizer, tmp_path):
    items, _ = collect_images([tree])
    skipped_seen = []
    result = classify(items, recognizer, on_skip=skipped_seen.append)
    assert [s["path"] for s in result.skipped] == [str(tree / "100" / "broken.jpg")] == [s["path"] for s in skipped_seen]
    by_name = {(r.truth, r.path.rsplit("/", 1)[-1]): r for r in result.results}
    # Hand-computed: every real note is flat, sharp and fully in view, so it verifies; the Rs 20 in
    # the folder named 50 is named 20 (a wrong announcement for the report); the empty scene has no
    # note to verify, so no value is spoken.
    for key in (("100", "shot0.jpg"), ("100", "shot1.jpg"), ("500", "shot0.jpg"), ("500", "shot1.jpg")):
        r = by_name[key]
        assert (r.decision, r.outcome, r.side) == (key[0], "right", "front")
        assert r.inliers >= DEFAULT.min_inliers and r.confidence > 0
    assert by_name[("50", "actually20.png")].decision == "20"
    scene = by_name[("none", "table.png")]
    assert scene.decision in ("none", "unsure")
    s = result.summary
    assert (s["labelled"], s["right"], s["wrong"], s["skipped"]) == (6, 5, 1, 1)
    assert s["accuracy"] == round(5 / 6, 4) and s["wrong_rate"] == round(1 / 6, 4)
    assert s["per_class"]["100"]["count"] == 2 and s["per_class"]["100"]["accuracy"] == 1.0
    assert s["per_class"]["500"]["right"] == 2
    assert s["per_class"]["50"] == {"count": 1, "right": 0, "wrong": 1, "unsure": 0, "none": 0, "missed": 0,
                                    "accuracy": 0.0}
    conf = s["confusion"]
    assert conf["counts"][conf["rows"].index("50")][conf["columns"].index("20")] == 1
    assert s["coverage"] == 1.0  # all five note photos had a value spoken (one of them wrongly)

    # The sweep at the shipped thresholds reproduces exactly what the app decided.
    assert all(accepted_at(r, DEFAULT.min_inliers, DEFAULT.min_margin) == r.accepted for r in result.results)
    assert s["sweep_disagrees_with_verifier"] == []
    shipped = [p for p in result.sweep if p["shipped"]]
    assert len(shipped) == 1
    assert (shipped[0]["spoken"], shipped[0]["right"], shipped[0]["wrong"]) == (5, 4, 1)
    strict = [p for p in result.sweep if p["min_margin"] == DEFAULT.min_margin]
    coverages = [p["coverage"] for p in sorted(strict, key=lambda p: p["min_inliers"])]
    assert coverages == sorted(coverages, reverse=True)  # stricter never speaks more

    paths = write_report(result, tmp_path / "report", "summary text")
    for key in ("confusion", "tradeoff"):
        image = cv2.imread(str(paths[key]))
        assert image is not None and image.shape[0] > 200 and np.std(image) > 10
    header = paths["csv"].read_text().splitlines()[0]
    assert header.startswith("path,truth,decision,outcome")
    assert ",accepted,refined," in header  # a tester sees which answers came from a refit
    assert paths["json"].stat().st_size > 0 and paths["text"].read_text() == "summary text\n"


def test_sweep_recomputes_acceptance_from_the_stored_numbers():
    def r(truth, candidate, inliers, score, runner_up_score):
        return ImageResult(path="x", truth=truth, decision="none", side=None, score=score, confidence=0.0,
                           candidate=candidate, inliers=inliers, runner_up=None, runner_up_score=runner_up_score,
                           accepted=False, presence=None, keypoints=100, hint=None, reason="", outcome=None)

    results = [r("100", "100", 40, 40.0, 5.0), r("100", "100", 10, 10.0, 2.0), r("500", "100", 14, 14.0, 10.0),
               r("none", None, 0, 0.0, 0.0)]
    assert accepted_at(results[2], 12, 1.25) and not accepted_at(results[2], 12, 1.5)
    # Many inliers in shared artwork but little denomination-specific score (below the value
    # bar, Thresholds.min_value = 8): never accepted.
    assert not accepted_at(r("100", "100", 40, 7.0, 0.0), 12, 1.5)
    points = {(p["min_inliers"], p["min_margin"]): p for p in sweep(results, inliers=(8, 12), margins=(1.25, 1.5))}
    assert (points[(8, 1.25)]["spoken"], points[(8, 1.25)]["wrong"]) == (3, 1)
    assert points[(8, 1.25)]["coverage"] == 1.0 and points[(8, 1.25)]["wrong_rate"] == 0.25
    assert (points[(12, 1.5)]["spoken"], points[(12, 1.5)]["wrong"]) == (1, 0)
    assert points[(12, 1.5)]["coverage"] == round(1 / 3, 4) and points[(12, 1.5)]["shipped"]


def test_unreadable_sub_folders_are_named_not_passed_over(tree, tmp_path, monkeypatch):
    """Root ignores file permissions, so the refusal is simulated where os.walk lists a folder."""
    import os

    real_scandir = os.scandir
    locked = tree / "500"

    def scandir(path="."):
        if os.fspath(path) == os.fspath(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items, problems = collect_images([tree])
    assert problems == [{"path": str(locked), "error": "cannot read folder (Permission denied)"}]
    assert all(i.path.parent != locked for i in items) and len(items) == 5
    # A broken link given as input is named as such; one inside a folder is an unreadable image.
    (tmp_path / "gone.jpg").symlink_to(tmp_path / "nowhere.jpg")
    items, problems = collect_images([tmp_path / "gone.jpg"])
    assert items == [] and problems == [{"path": str(tmp_path / "gone.jpg"),
                                         "error": "a link to something that does not exist"}]
    (tmp_path / "100").mkdir()
    (tmp_path / "100" / "gone.jpg").symlink_to(tmp_path / "nowhere.jpg")
    items, problems = collect_images([tmp_path / "100"])
    assert problems == [] and [i.path.name for i in items] == ["gone.jpg"]


def test_an_image_that_cannot_be_opened_says_why(tmp_path):
    from desktop_app.testers.classify import read_image

    image, error = read_image(tmp_path / "missing.jpg")
    assert image is None and error == "cannot read image (No such file or directory)"
    (tmp_path / "empty.jpg").write_bytes(b"")
    assert read_image(tmp_path / "empty.jpg") == (None, "cannot read image (corrupt, empty or not an image)")
