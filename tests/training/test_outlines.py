"""Outline finding on a made-up photo, and how found outlines and labels reach Item."""
import cv2
import numpy as np

from training.outlines import find_outline, load_outlines, orient


def printed_note(w: int = 360, h: int = 170) -> np.ndarray:
    """A textured note-like card whose top-left is recognisable (an asymmetric pattern)."""
    rng = np.random.default_rng(3)
    img = np.full((h, w, 3), 200, np.uint8)
    for _ in range(60):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.circle(img, (x, y), int(rng.integers(3, 18)), tuple(int(v) for v in rng.integers(20, 180, 3)), -1)
    cv2.putText(img, "NOTE 50", (10, 40), 0, 1.2, (30, 30, 120), 3)
    return img


def photo_of(note: np.ndarray, quad: np.ndarray, size=(900, 700)) -> np.ndarray:
    table = np.full((size[1], size[0], 3), 35, np.uint8)
    h, w = note.shape[:2]
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), quad)
    warped = cv2.warpPerspective(note, m, size)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, size)
    table[mask > 0] = warped[mask > 0]
    return table


def test_outline_of_an_upside_down_note_starts_at_its_printed_top_left():
    note = printed_note()
    # the note lies rotated by 180 degrees: its printed top-left is the lower-right corner
    quad = np.float32([[720, 520], [180, 560], [150, 200], [700, 150]])
    found = find_outline(photo_of(note, quad), [note])
    assert found.method == "segmentation+sift"
    assert np.abs(np.asarray(found.corners) - quad).max() < 12


def test_no_matching_reference_means_no_outline():
    note = printed_note()
    other = np.full_like(note, 128)
    found = find_outline(photo_of(note, np.float32([[100, 100], [700, 120], [690, 420], [110, 400]])), [other])
    assert found.corners is None and found.method == "none"


def test_orient_rolls_corners_onto_the_guide():
    quad = np.float32([[0, 0], [10, 0], [10, 5], [0, 5]])
    guide = np.roll(quad, -2, axis=0) + 0.5
    rolled, dist = orient(quad, guide)
    assert np.allclose(rolled, np.roll(quad, -2, axis=0)) and dist < 1


def write(path, text):
    path.write_text(text)
    return path


def test_found_outlines_pass_to_items_only_when_checked_ok(tmp_path):
    from training.data import load_manifest
    manifest = write(tmp_path / "MANIFEST.csv",
                     "file,denomination,side,series,note_corners\n"
                     'photos/5/a__x_1.jpg,5,front,new (Everest),"[[1,1],[9,1],[9,5],[1,5]]"\n'
                     "photos/5/b__x_1.jpg,5,front,new (Everest),\n"
                     "photos/5/b__x_2.jpg,5,front,new (Everest),\n"
                     "refs/5/c__scan.jpg,5,back,n/a (back),\n")
    outlines = write(tmp_path / "outlines.csv",
                     "file,corners,method,status\n"
                     'photos/5/b__x_1.jpg,"[[2,2],[8,2],[8,6],[2,6]]",segmentation+sift,ok\n'
                     "photos/5/b__x_2.jpg,,sift,rejected: outline cuts the note\n")
    conditions = write(tmp_path / "conditions.csv",
                       "file,conditions\nphotos/5/b__x_1.jpg,flat;dim\n")
    items = {i.file: i for i in load_manifest(manifest.parent, outlines_csv=outlines,
                                                conditions_csv=conditions)}
    assert items["photos/5/a__x_1.jpg"].outline_method == "hand"
    assert items["photos/5/b__x_1.jpg"].corners == [[2, 2], [8, 2], [8, 6], [2, 6]]
    assert items["photos/5/b__x_1.jpg"].conditions == ("flat", "dim")
    assert items["photos/5/b__x_2.jpg"].corners is None
    assert items["refs/5/c__scan.jpg"].kind == "ref" and items["refs/5/c__scan.jpg"].conditions == ()
    assert load_outlines(tmp_path / "absent.csv") == {}


def test_unknown_condition_label_is_refused(tmp_path):
    import pytest

    from training.conditions import load_conditions
    path = write(tmp_path / "c.csv", "file,conditions\nphotos/x.jpg,flat;sideways\n")
    with pytest.raises(ValueError, match="sideways"):
        load_conditions(path)
