"""Merging taught references recomputes shared artwork only where a new reference is involved,
and comes to what building everything at once would."""
import numpy as np
import pytest

from desktop_app.recognition.gallery import MIN_WEIGHT, ReferenceGallery
from desktop_app.recognition.sharing import merge
from tests.builders.notes import synthetic_note


def items(denominations):
    return [(synthetic_note(d), dict(id=f"s/{d}", denomination=d, side="front", series="s"))
            for d in denominations]


@pytest.fixture(scope="module")
def parts():
    base = ReferenceGallery.from_images(items(("100", "500")))
    extra = ReferenceGallery.from_images(items(("50",)), weighted=False)
    whole = ReferenceGallery.from_images(items(("100", "500", "50")))
    return base, extra, whole


def test_merge_gives_the_weights_of_a_gallery_built_at_once(parts):
    base, extra, whole = parts
    merged = merge(base, extra)
    assert [r.id for r in merged.references] == [r.id for r in whole.references]
    np.testing.assert_array_equal(merged.points, whole.points)
    agree = np.mean((merged.weights < 1) == (whole.weights < 1))
    assert agree > 0.97, agree


def test_the_new_note_shares_the_common_panel_and_keeps_its_own_numerals(parts):
    base, extra, _ = parts
    merged = merge(base, extra)
    new = merged.owners == len(base.references)
    x = merged.points[:, 0]
    w = extra.references[0].size[0]
    panel, own = new & (x < w / 3 - 20), new & (x > w / 2)
    assert np.mean(merged.weights[panel] == MIN_WEIGHT) > 0.8
    # Chance matches widen the shared hulls a little (as when building everything at once).
    assert np.mean(merged.weights[own] == 1.0) > 0.5


def test_ids_must_not_clash(parts):
    base, _, _ = parts
    with pytest.raises(ValueError, match="both galleries"):
        merge(base, base.unweighted())
