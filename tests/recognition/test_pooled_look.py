"""The last look: the plain and enlarged looks' keypoints together (``frames.pooled``)."""
from dataclasses import replace

import numpy as np
import pytest

from desktop_app.recognition import frames
from desktop_app.recognition.frames import FrameFeatures, frame_features, pooled
from desktop_app.recognition.gallery import make_sift
from desktop_app.recognition.verifier import Options, Verifier
from tests.builders.notes import place_note, synthetic_gallery, synthetic_note, synthetic_scene

CORNERS = [[120, 90], [520, 120], [500, 330], [110, 300]]


@pytest.fixture(scope="module")
def gallery():
    return synthetic_gallery(("5", "10", "20", "100", "500"))


def _features(points, scale=1.0, shape=(480, 640), first=0):
    points = np.float32(points).reshape(-1, 2)
    desc = (np.arange(len(points))[:, None] + first + np.zeros((1, 128))).astype(np.uint8)
    return FrameFeatures(shape, scale, points, desc)


def test_keypoints_come_back_in_the_first_looks_pixels_and_a_spot_counts_once():
    plain = _features([[100, 100], [300, 200]])
    # At twice the size: (200.5, 200) is plain (100.25, 100), the same spot; (600, 400) is (300,
    # 200) again; (1000, 100) is a spot of its own at (500, 50).
    enlarged = _features([[200.5, 200], [600, 400], [1000, 100]], scale=2.0,
                         shape=(960, 1280), first=10)
    # At the working size: 2.5 px from a kept spot is a new spot, 1.5 px the same one.
    deblurred = _features([[102.5, 100], [500, 51.5]], first=20)
    out = pooled([plain, enlarged, deblurred])
    assert out.shape == (480, 640) and out.scale == 1.0
    assert out.points.dtype == np.float32 and out.descriptors.dtype == np.uint8
    np.testing.assert_allclose(out.points, [[100, 100], [300, 200], [500, 50], [102.5, 100]])
    # Each descriptor stays with its keypoint.
    assert list(out.descriptors[:, 0]) == [0, 1, 12, 20]


def test_looks_without_keypoints_are_pooled_too():
    empty = _features(np.zeros((0, 2)))
    some = _features([[5, 5]], scale=2.0, shape=(960, 1280))
    out = pooled([empty, some, empty])
    np.testing.assert_allclose(out.points, [[2.5, 2.5]])
    assert out.descriptors.shape == (1, 128)
    assert len(pooled([empty, empty]).points) == 0


def test_the_pooled_pass_is_every_other_look_at_once():
    frame = place_note(synthetic_note("100"), synthetic_scene(2), CORNERS)
    sift = make_sift(1500, 0.015)
    out = frame_features(sift, frame, "pooled")
    looks = [frame_features(sift, frame, p) for p in frames.POOLED_FROM]
    assert out.shape == looks[0].shape and out.scale == looks[0].scale
    assert len(looks[0].points) < len(out.points) < sum(len(f.points) for f in looks)
    # The plain look's keypoints come first, as they were; nothing added lies within the
    # radius of one of them (a spot the plain look had is not counted again).
    first = len(looks[0].points)
    np.testing.assert_array_equal(out.points[:first], looks[0].points)
    d = np.linalg.norm(out.points[first:, None] - looks[0].points[None], axis=2)
    assert d.min() > frames.POOL_RADIUS


def test_a_small_note_no_single_look_names_is_named_from_both_sizes(gallery):
    """A note 80 px wide: at the working size SIFT places nothing, at 2.5 times the size the
    placement lacks value evidence, and no other look names it either; both sizes' keypoints
    together name it with three times the inliers the bar asks (measured on this scene)."""
    frame = place_note(synthetic_note("20"), synthetic_scene(3),
                       [[150, 120], [230, 126], [226, 160], [148, 158]])
    v = Verifier(gallery)
    for look in ("plain", "enlarged"):
        alone = v.verify_features(v.features(frame, look))
        assert not alone.accepted, look
    # (the looks before the pooled one; the denoised look, measured but not shipped, would
    # name this note too: tests/recognition/test_denoised_look.py)
    retries = Options().retries
    without = replace(Options(), retries=retries[:retries.index("pooled")])
    assert not Verifier(gallery, options=without).verify(frame).accepted
    asked = []

    def features_of(pass_):
        asked.append(pass_)
        return v.features(frame, pass_)
    out = v.verify_passes(features_of)
    assert out.accepted and out.denomination == "20"
    assert out.inliers >= 3 * 12
    # Each look computed once, in the retries' order; the pooled look reuses them.
    assert asked == ["plain", *without.retries]
    assert 140 <= out.outline[:, 0].min() and out.outline[:, 0].max() <= 240
