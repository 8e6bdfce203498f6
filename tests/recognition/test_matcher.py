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


def _whole(matcher: Matcher, queries: np.ndarray):
    idx, sq = matcher._search(matcher._prepare(queries))
    return idx.astype(np.int64), np.sqrt(np.maximum(sq, 0))


def test_a_split_search_gives_exactly_the_one_piece_answers(descriptors, monkeypatch):
    gallery, owners, queries = descriptors
    matcher = Matcher(gallery, owners, rootsift=True)
    calls = []
    search = matcher._search
    monkeypatch.setattr(matcher, "_search", lambda q: calls.append(len(q)) or search(q))
    monkeypatch.setattr(cv2, "getNumThreads", lambda: 2)
    idx, dist = matcher.knn(queries)
    assert calls == [450, 450]  # searched in two halves ...
    want_idx, want_dist = _whole(matcher, queries)
    np.testing.assert_array_equal(idx, want_idx)  # ... with the answers of one search
    np.testing.assert_allclose(dist, want_dist)
    assert idx.shape == (900, imaging.MATCH_NEIGHBOURS)


def test_one_thread_or_few_keypoints_search_in_one_piece(descriptors, monkeypatch):
    gallery, owners, queries = descriptors
    matcher = Matcher(gallery, owners, rootsift=True)
    calls = []
    search = matcher._search
    monkeypatch.setattr(matcher, "_search", lambda q: calls.append(len(q)) or search(q))
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
