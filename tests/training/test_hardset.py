"""The hard set: deterministic for a seed, and every transform does what it claims."""
import cv2
import numpy as np
import pytest

from training import hardset
from training.data import Item
from training.hardset_effects import curl, fold, jpeg, low_light, motion_blur, noise, occlude


@pytest.fixture
def note_root(tmp_path):
    """A made-up reference scan and a made-up photo (with an outline) on disk."""
    from tests.builders.notes import synthetic_note
    (tmp_path / "refs/100").mkdir(parents=True)
    (tmp_path / "photos/100").mkdir(parents=True)
    note = synthetic_note("100")
    cv2.imwrite(str(tmp_path / "refs/100/x__scan.png"), note)
    photo = np.full((400, 600, 3), 40, np.uint8)
    photo[100:300, 100:500] = cv2.resize(note, (400, 200))
    cv2.imwrite(str(tmp_path / "photos/100/y__shot_1.png"), photo)
    items = [Item("refs/100/x__scan.png", "100", "front", "everest", "ref", None),
             Item("photos/100/y__shot_1.png", "100", "front", "everest", "photo",
                  [[100, 100], [500, 100], [500, 300], [100, 300]]),
             Item("photos/100/y__shot_5.png", "100", "back", "n/a", "photo", None)]
    return tmp_path, items


def rng(seed=0):
    return np.random.default_rng(seed)


def test_same_seed_same_frames_other_seed_other_frames(note_root):
    root, items = note_root
    a = hardset.generate(items, seed=5, per_source=3, negatives=3, root=root)
    b = hardset.generate(items, seed=5, per_source=3, negatives=3, root=root)
    c = hardset.generate(items, seed=6, per_source=3, negatives=3, root=root)
    assert [s.transforms for s in a] == [s.transforms for s in b]
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a, b))
    assert not all(np.array_equal(x.image, y.image) for x, y in zip(a, c))


def test_samples_name_their_held_out_source_and_label(note_root):
    root, items = note_root
    samples = hardset.generate(items, seed=1, per_source=2, negatives=3, root=root)
    notes = [s for s in samples if s.kind == "note"]
    # the photo without an outline cannot be cut out: skipped
    assert [s.source for s in notes] == [items[0].file] * 2 + [items[1].file] * 2
    assert all(s.denomination == "100" and s.side == "front" for s in notes)
    negatives = samples[len(notes):]
    assert [s.kind for s in negatives] == list(hardset.NEGATIVE_KINDS)
    assert all(s.denomination is None and s.source is None for s in negatives)
    assert all(s.image.shape == (*hardset.FRAME, 3) for s in samples)
    assert all(1 <= len(s.transforms) <= 3 and set(s.transforms) <= set(hardset.TRANSFORMS) for s in samples)


def test_only_the_asked_transforms_are_used_and_unknown_ones_refused(note_root):
    root, items = note_root
    samples = hardset.generate(items[:1], seed=2, per_source=5, negatives=0, transforms=("jpeg",), root=root)
    assert {s.transforms for s in samples} == {("jpeg",)}
    with pytest.raises(ValueError, match="sideways"):
        hardset.generate(items, seed=2, transforms=("sideways",), root=root)


def test_photo_is_cut_along_its_outline(note_root):
    root, items = note_root
    image, alpha = hardset.flat_note(items[1], root)
    assert abs(image.shape[1] / image.shape[0] - 2.0) < 0.05
    assert image.mean() > 60  # the dark table around the note is not in the cut-out
    assert (alpha == 255).mean() > 0.95


def grey_note(h=200, w=400, level=160):
    return np.full((h, w, 3), level, np.uint8), np.full((h, w), 255, np.uint8)


def test_fold_foreshortens_and_shades_one_part():
    image, alpha = grey_note()
    for seed in range(6):
        out, out_a = fold(rng(seed), image, alpha)
        covered = (out_a > 128).mean()
        assert 0.5 < covered < 0.95  # the folded part got narrower, leaving transparent paper
        levels = out[out_a == 255][:, 0]
        assert (levels == 160).mean() > 0.3  # the unfolded part is untouched
        assert (np.abs(levels.astype(int) - 160) > 10).mean() > 0.1  # the folded part is relit


def test_curl_bends_the_edges_into_a_wave():
    image, alpha = grey_note()
    out, out_a = curl(rng(3), image, alpha)
    assert out.shape[0] > image.shape[0]
    top = np.argmax(out_a > 128, axis=0)  # first opaque row in each column
    assert top.max() - top.min() >= 0.05 * image.shape[0]
    assert out[out_a == 255].std() > 5  # the slope shades the paper


def test_occlusion_puts_skin_over_the_note():
    frame = np.full((480, 640, 3), 90, np.uint8)
    quad = np.float32([[120, 140], [520, 140], [520, 340], [120, 340]])
    out = occlude(rng(1), frame, quad)
    changed = np.abs(out.astype(int) - frame).sum(axis=2) > 30
    assert changed.mean() > 0.01
    b, g, r = (out[changed].astype(int).T)
    assert ((r > g) & (g > b)).mean() > 0.8  # skin tones: red over green over blue
    note = np.zeros(frame.shape[:2], np.uint8)
    cv2.fillPoly(note, [quad.astype(np.int32)], 1)
    assert note[changed].mean() > 0.5  # mostly over the note, entering across an edge


def parallel_error(quad):
    def angle(a, b):
        d = b - a
        return np.arctan2(d[1], d[0])
    e1 = abs(np.angle(np.exp(1j * (angle(quad[0], quad[1]) - angle(quad[3], quad[2])))))
    e2 = abs(np.angle(np.exp(1j * (angle(quad[0], quad[3]) - angle(quad[1], quad[2])))))
    return e1 + e2


def test_perspective_tilts_and_small_cluttered_shrinks_the_note():
    image, alpha = grey_note()
    flat = [parallel_error(hardset.place(rng(s), image, alpha)[1]) for s in range(10)]
    tilted = [parallel_error(hardset.place(rng(s), image, alpha, perspective=True)[1]) for s in range(10)]
    assert np.mean(tilted) > 3 * np.mean(flat)
    frame, quad = hardset.place(rng(4), image, alpha, small=True)
    assert cv2.contourArea(quad) < 0.1 * frame.shape[0] * frame.shape[1]
    outside = np.ones(frame.shape[:2], np.uint8)
    cv2.fillPoly(outside, [quad.astype(np.int32)], 0)
    edges = cv2.Canny(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), 50, 150)
    assert (edges[outside > 0] > 0).mean() > 0.01  # the rest of the frame is busy


def test_a_tilted_note_is_always_a_convex_quad():
    # A flat note seen by any camera is convex; jittered corners can cross, and such a quad
    # smears the note off to infinity (it happened to one frame of the evaluation's draw).
    from training import synth
    image, alpha = grey_note()
    h, w = image.shape[:2]
    jittered = [synth.quad_for(rng(s), w, h, hardset.FRAME, scale=(0.55, 0.9), jitter=0.3,
                               min_visible=0.97) for s in range(300)]
    assert not all(synth.is_convex(q) for q in jittered)  # the draws below do meet the case
    placed = [hardset.place(rng(s), image, alpha, perspective=True)[1] for s in range(300)]
    assert all(synth.is_convex(q) for q in placed)


def test_convexity_of_quads():
    from training import synth
    square = np.float32([[0, 0], [10, 0], [10, 10], [0, 10]])
    assert synth.is_convex(square) and synth.is_convex(square[::-1])
    assert not synth.is_convex(np.float32([[0, 0], [10, 10], [10, 0], [0, 10]]))  # crossed
    assert not synth.is_convex(np.float32([[0, 0], [10, 0], [3, 3], [0, 10]]))  # dented


def test_a_redrawn_frame_gets_a_cache_key_of_its_own():
    from training.hard_eval import _digest
    a = texture(1)
    b = a.copy()
    b[5, 5, 0] ^= 1
    assert _digest(a) == _digest(a.copy()) and _digest(a) != _digest(b)


def texture(seed=0):
    return np.random.default_rng(seed).integers(0, 256, (240, 320, 3)).astype(np.uint8)


def test_camera_effects():
    img = texture()
    lap = lambda x: cv2.Laplacian(cv2.cvtColor(x, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var()
    assert lap(motion_blur(rng(), img)) < 0.2 * lap(img)
    mid = np.full((240, 320, 3), 128, np.uint8)
    assert low_light(rng(), mid).mean() < 0.5 * mid.mean()
    noisy = noise(rng(), mid).astype(float) - 128
    assert 5 < noisy.std() < 17 and abs(noisy.mean()) < 1
    smooth = cv2.GaussianBlur(texture(1), (0, 0), 6)
    grad = np.abs(np.diff(jpeg(rng(), smooth).astype(float), axis=1)).mean(axis=(0, 2))
    boundary = grad[7::8].mean() / np.delete(grad, np.s_[7::8]).mean()
    assert boundary > 1.1  # 8x8 block edges appear


def test_negatives_are_text_rich_and_not_notes():
    for kind, make in hardset.NEGATIVE_MAKERS.items():
        obj = make(rng(2))
        grey = cv2.cvtColor(obj, cv2.COLOR_BGR2GRAY)
        edges = cv2.Canny(grey, 50, 150)
        assert (edges > 0).mean() > 0.02, kind
    r = hardset.receipt(rng(3))
    rows_with_ink = (cv2.cvtColor(r, cv2.COLOR_BGR2GRAY) < 120).any(axis=1).sum()
    assert rows_with_ink > 0.3 * r.shape[0] and r.shape[0] > 1.7 * r.shape[1]


def test_every_negative_kind_renders_for_many_seeds():
    for seed in range(40):
        for kind in hardset.NEGATIVE_KINDS:
            frame, quad = hardset.negative_frame(rng(seed), kind, ("perspective",))
            assert frame.shape == (*hardset.FRAME, 3) and quad.shape == (4, 2)
    assert hardset.scene(rng(1), (30, 40)).shape == (30, 40, 3)  # smaller than text needs
