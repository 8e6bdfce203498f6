"""The gallery-wide nearest-neighbour search: split across two threads, same answers."""
import cv2
import numpy as np
import pytest

from desktop_app.recognition import imaging
from desktop_app.recognition.imaging import Matcher, root_sift


@pytest.fixture
def descriptors():
    rng = np.random.default_rng(3)
    gallery = rng.integers(0, 120, (4000, 128)).astype(np.uint8)
    owners = np.repeat(np.arange(40), 100)
    queries = np.clip(gallery[rng.choice(4000, 900)].astype(int)
                      + rng.integers(-6, 7, (900, 128)), 0, 255).astype(np.uint8)
    return gallery, owners, queries


def _counting(matcher: Matcher, monkeypatch) -> list[int]:
    """The sizes of the pieces the matcher searches, as it searches them."""
    calls: list[int] = []
    search = matcher._search
    monkeypatch.setattr(matcher, "_search",
                        lambda q, checks: calls.append(len(q)) or search(q, checks))
    return calls


def _whole(matcher: Matcher, queries: np.ndarray, checks: int = imaging.FLANN_CHECKS):
    idx, sq = matcher._search(matcher._prepare(queries), checks)
    return idx.astype(np.int64), np.sqrt(np.maximum(sq, 0))


def test_a_split_search_gives_exactly_the_one_piece_answers(descriptors, monkeypatch):
    gallery, owners, queries = descriptors
    matcher = Matcher(gallery, owners, rootsift=True)
    calls = _counting(matcher, monkeypatch)
    monkeypatch.setattr(cv2, "getNumThreads", lambda: 2)
    idx, dist = matcher.knn(queries)
    assert calls == [450, 450]  # searched in two halves ...
    want_idx, want_dist = _whole(matcher, queries)
    np.testing.assert_array_equal(idx, want_idx)  # ... with the answers of one search
    np.testing.assert_allclose(dist, want_dist)
    assert idx.shape == (900, imaging.MATCH_NEIGHBOURS)
    # The quick look's search too (fewer checks), and it is a different search.
    quick = matcher.knn(queries, imaging.QUICK_CHECKS)
    np.testing.assert_array_equal(quick[0], _whole(matcher, queries, imaging.QUICK_CHECKS)[0])
    assert not np.array_equal(quick[0], idx)


def test_one_thread_or_few_keypoints_search_in_one_piece(descriptors, monkeypatch):
    gallery, owners, queries = descriptors
    matcher = Matcher(gallery, owners, rootsift=True)
    calls = _counting(matcher, monkeypatch)
    monkeypatch.setattr(cv2, "getNumThreads", lambda: 1)
    matcher.knn(queries)
    monkeypatch.setattr(cv2, "getNumThreads", lambda: 2)
    matcher.knn(queries[: 2 * imaging.MIN_SPLIT_QUERIES - 1])
    assert calls == [900, 2 * imaging.MIN_SPLIT_QUERIES - 1]


def test_search_distances_are_rootsift_distances(descriptors):
    """The verifier's between-value ratio test reads these distances as RootSIFT distances."""
    gallery, owners, queries = descriptors
    idx, dist = Matcher(gallery, owners, rootsift=True).knn(queries[:50])
    direct = np.linalg.norm(root_sift(gallery[idx[:, 0]]) - root_sift(queries[:50]), axis=1)
    np.testing.assert_allclose(dist[:, 0], direct, atol=1e-4)


def test_nearest_keypoint_by_position_is_the_exact_nearest_almost_always():
    from desktop_app.recognition.imaging import near_points
    rng = np.random.default_rng(5)
    h, w = 480, 640
    points = (rng.random((1500, 2)) * [w, h]).astype(np.float32)
    points = np.vstack([points, points[:100]])  # several orientations at one spot
    pred = (rng.random((2000, 2)) * [w - 1, h - 1]).astype(np.float32)
    idx, d2 = near_points(points, (h, w))(pred)
    assert idx.shape == d2.shape == (2000, 1)
    exact = ((pred[:, None, :] - points[None, :, :]) ** 2).sum(axis=2).min(axis=1)
    got = ((points[idx[:, 0]] - pred) ** 2).sum(axis=1)
    np.testing.assert_allclose(d2[:, 0], got, rtol=1e-5, atol=1e-4)  # the distance it reports
    assert np.all(got >= exact - 1e-3)
    near = exact < 10 ** 2  # what the verifier asks about: keypoints a few pixels away
    assert np.mean(np.isclose(got[near], exact[near], atol=1e-3)) >= 0.99


def test_nearest_keypoint_search_with_nothing_to_find():
    from desktop_app.recognition.imaging import near_points
    idx, d2 = near_points(np.zeros((0, 2), np.float32), (48, 64))(np.ones((3, 2), np.float32))
    assert idx.shape == (3, 0) and d2.shape == (3, 0)


def test_both_runs_the_other_half_on_a_thread_that_is_gone_after():
    import threading
    from desktop_app.recognition.imaging import both
    names = []
    assert both(lambda: 1, lambda: names.append(threading.current_thread().name) or 2) == (1, 2)
    assert names == ["knn"]
    assert not any(t.name == "knn" for t in threading.enumerate())

    def fails():
        raise RuntimeError("index gone")
    with pytest.raises(RuntimeError, match="index gone"):
        both(lambda: 1, fails)
