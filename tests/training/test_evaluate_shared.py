"""Checks against the real shared images; skipped when ../shared is absent."""
import pytest

from desktop_app.paths import SHARED_DATA

pytestmark = pytest.mark.skipif(not (SHARED_DATA / "npr-notes" / "MANIFEST.csv").is_file(),
                                reason="shared data folder absent")


@pytest.fixture(scope="module")
def items():
    from training.data import load_manifest
    return load_manifest()


def test_photo_groups_keep_repeat_shots_together(items):
    from training.data import physical_groups
    groups = physical_groups(items)
    assert len(groups) == 74
    assert groups["photos/5/shivraaj98__five_valid_3.jpg"] == \
        groups["photos/5/shivraaj98__five_valid_1.jpg"]
    assert groups["photos/5/pratyasha__five_test_7.jpg"] != \
        groups["photos/5/shivraaj98__five_valid_1.jpg"]
    # a burst: shots minutes apart (122144 .. 122234) are one Rs 100 front
    assert groups["photos/100/mmanishh__IMG_20180308_122144.jpg"] == \
        groups["photos/100/mmanishh__IMG_20180308_122234.jpg"]
    assert groups["photos/100/mmanishh__IMG_20180308_122239.jpg"] != \
        groups["photos/100/mmanishh__IMG_20180308_122234.jpg"]
    # 12 groups of the first 17 photos + one per denomination and side of the burst (6)
    assert len(set(groups.values())) == 18


QUERY_1000 = "photos/1000/shivraaj98__thousand_valid_3.jpg"
QUERY_50 = "photos/50/pratyasha__fifty_test_22.jpg"


@pytest.fixture(scope="module")
def back_verifier(items):
    """One real leave-one-note-out fold, kept small for speed: every back-side reference
    except the Rs 1000 query's own note (both repeat shots) and every Rs 50."""
    from desktop_app.recognition.verifier import Verifier
    from training.build_gallery import build
    from training.data import physical_groups
    groups = physical_groups(items)
    keep = [it for it in items if it.side == "back" and it.denomination != "50"
            and groups.get(it.file) != groups[QUERY_1000]]
    return Verifier(build(keep))


def test_left_out_photo_is_named_by_another_note_of_its_side(back_verifier):
    from training.data import NPR_DIR, read_image
    v = back_verifier.verify(read_image(NPR_DIR / QUERY_1000))
    assert v.accepted and v.denomination == "1000" and v.side == "back"
    assert v.reference and "thousand_valid" not in v.reference


def test_uncovered_side_is_not_named(back_verifier):
    """No other reference shows a Rs 50 back: the photo must come out "not sure"."""
    from training.data import NPR_DIR, read_image
    assert not back_verifier.verify(read_image(NPR_DIR / QUERY_50)).accepted


def test_shipped_gallery_covers_expected_classes():
    from desktop_app.recognition.gallery import ReferenceGallery
    from desktop_app.paths import DEFAULT_GALLERY
    if not DEFAULT_GALLERY.is_file():
        pytest.skip("models/gallery.npz not built")
    g = ReferenceGallery.load(DEFAULT_GALLERY)
    sides = {(r.denomination, r.side) for r in g.references}
    # The Rs 50 front now has a web image and the mmanishh photos: every side is covered.
    for d in ("5", "10", "20", "50", "100", "500", "1000"):
        assert (d, "front") in sides and (d, "back") in sides
    assert g.info["weighting"]["method"] == "geometric"
    # every scan and at most 4 outlined shots per physical note
    from training.build_gallery import gallery_items
    from training.data import load_manifest
    assert len(g) == len(gallery_items(load_manifest())) > 46
