"""Recognition v2: alignment by any artwork, the value from the parts where values differ."""
from dataclasses import replace

import cv2
import numpy as np
import pytest

from desktop_app.recognition.flatten import rectify
from desktop_app.recognition.gallery import detect, detect_scales
from desktop_app.recognition.imaging import root_sift
from desktop_app.recognition.thresholds import DEFAULT
from desktop_app.recognition.imaging import stretch
from desktop_app.recognition.verifier import Options, Verifier
from tests.builders.notes import place_note, synthetic_gallery, synthetic_note, synthetic_scene

CORNERS = [[120, 90], [520, 120], [500, 330], [110, 300]]


@pytest.fixture(scope="module")
def gallery():
    return synthetic_gallery(("5", "10", "20", "100", "500"))


def test_value_evidence_comes_from_value_specific_keypoints(gallery):
    """The shared panel places a note of a value not in the gallery, but its value parts match
    no reference: placed (many inliers), not named, and the person is asked for the other side."""
    v = Verifier(gallery).verify(place_note(synthetic_note("50"), synthetic_scene(3), CORNERS))
    assert v.denomination is not None and v.inliers >= DEFAULT.min_inliers
    assert not v.accepted and v.score < DEFAULT.min_value
    assert v.hint == "other_side"
    right = Verifier(gallery).verify(place_note(synthetic_note("500"), synthetic_scene(3), CORNERS))
    assert right.accepted and right.score > 3 * DEFAULT.min_value


def test_value_evidence_without_the_exclusivity_tests_is_larger(gallery):
    frame = place_note(synthetic_note("20"), synthetic_scene(4), CORNERS)
    strict = Verifier(gallery).verify(frame)
    loose = Verifier(gallery, options=replace(Options(), exclusive=False)).verify(frame)
    controlled = Verifier(gallery, options=replace(Options(), control=True)).verify(frame)
    assert controlled.accepted and controlled.score <= strict.score
    assert strict.accepted and loose.accepted and strict.denomination == loose.denomination == "20"
    assert loose.score >= strict.score


def test_v1_scoring_is_still_available(gallery):
    frame = place_note(synthetic_note("10"), synthetic_scene(2), CORNERS)
    v1 = Verifier(gallery, replace(DEFAULT, min_value=12),
                  Options(evidence="weighted", rootsift=False, method=cv2.RANSAC,
                          second_plane=False)).verify(frame)
    assert v1.accepted and v1.denomination == "10"


def _folded(note: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Each half of the note under its own homography, as a note bent along its middle."""
    h, w = note.shape[:2]
    half = w // 2
    left = place_note(note[:, :half], background, [[100, 120], [320, 110], [320, 330], [100, 320]])
    return place_note(note[:, half:], left, [[320, 110], [520, 160], [520, 290], [320, 330]])


def test_folded_note_is_placed_in_two_halves(gallery):
    frame = _folded(synthetic_note("100"), synthetic_scene(6))
    two = Verifier(gallery).verify(frame)
    one = Verifier(gallery, options=replace(Options(), second_plane=False)).verify(frame)
    assert two.denomination == "100" and two.inliers > one.inliers


def test_stretch_lifts_a_dim_frame_and_leaves_a_full_range_one():
    rng = np.random.default_rng(0)
    dim = rng.integers(10, 50, (120, 160)).astype(np.uint8)
    out = stretch(dim)
    assert out.min() <= 5 and out.max() >= 250
    assert np.all(np.diff(stretch(np.arange(40, 90, dtype=np.uint8)[None].astype(np.uint8))
                          .astype(int)) >= 0)  # order kept: no reflection of dark pixels
    full = np.zeros((10, 20), np.uint8)
    full[:, 10:] = 255
    np.testing.assert_array_equal(stretch(full), full)


def test_dim_note_gets_more_keypoints_after_stretch():
    note = cv2.cvtColor(place_note(synthetic_note("5"), synthetic_scene(1), CORNERS),
                        cv2.COLOR_BGR2GRAY)
    dim = (note * 0.15).astype(np.uint8)
    v = Verifier(synthetic_gallery(("5",)))
    plain, _ = detect(dim, 1500)
    assert len(v.features(dim).points) > len(plain)


def test_references_carry_coarse_scale_keypoints():
    flat, mask = rectify(synthetic_note("20"), None)
    full, _ = detect(flat, 1200, mask)
    pts, desc = detect_scales(flat, mask, 1200)
    assert len(pts) > len(full) and len(pts) == len(desc)
    h, w = flat.shape
    assert pts[:, 0].max() < w and pts[:, 1].max() < h and pts.min() >= 0


def test_root_sift_is_a_unit_hellinger_descriptor():
    d = np.random.default_rng(1).integers(0, 255, (5, 128)).astype(np.uint8)
    r = root_sift(d)
    np.testing.assert_allclose(np.linalg.norm(r, axis=1), 1.0, atol=1e-5)
    assert r.min() >= 0


@pytest.mark.parametrize("seed", range(6))
def test_stretch_of_an_8_bit_frame_matches_the_float_formula(seed):
    """The histogram and look-up-table path gives exactly what the per-pixel formula gives."""
    rng = np.random.default_rng(seed)
    lo, hi = sorted(rng.integers(0, 256, 2))
    grey = rng.integers(lo, hi + 1, (97, 131)).astype(np.uint8)
    grey[rng.random(grey.shape) < 0.01] = rng.integers(0, 256)
    want_lo, want_hi = np.percentile(grey, (1, 99))
    out = stretch(grey, (1, 99))
    if want_hi - want_lo < 1 or (want_lo <= 0 and want_hi >= 255):
        assert out is grey
        return
    gain = 255.0 / (want_hi - want_lo)
    want = np.clip((grey.astype(np.float32) - want_lo) * gain, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(out, want)
