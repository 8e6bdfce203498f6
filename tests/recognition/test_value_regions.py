"""Value evidence must lie in several regions of the note: one element that an unknown design
shares with a known value (the seal, a word) is not evidence of that value."""
from dataclasses import replace

import numpy as np
import pytest

from desktop_app.paths import SHARED_DATA
from desktop_app.recognition.options import accepts
from desktop_app.recognition.thresholds import DEFAULT
from desktop_app.recognition.verifier import REGION_GRID, Verifier
from tests.builders.notes import (place_note, synthetic_gallery, synthetic_note, synthetic_scene,
                                 unknown_design_with_one_element_of)

CORNERS = [[120, 90], [520, 120], [500, 330], [110, 300]]


@pytest.fixture(scope="module")
def gallery():
    return synthetic_gallery(("5", "10", "20", "100", "500"))


def test_evidence_from_one_element_is_not_a_value(gallery):
    frame = place_note(unknown_design_with_one_element_of("500"), synthetic_scene(5), CORNERS)
    # Counted alone, the element is enough value evidence: the note would be named Rs 500.
    loose = Verifier(gallery, replace(DEFAULT, min_value_regions=0)).verify(frame)
    assert loose.accepted and loose.denomination == "500"
    assert loose.score >= DEFAULT.min_value and loose.regions < DEFAULT.min_value_regions
    # With the bar on regions, no look names it (each look's own placement of the element
    # stays in one or two regions).
    shipped = Verifier(gallery).verify(frame)
    assert shipped.denomination == "500" and not shipped.accepted
    assert shipped.regions < DEFAULT.min_value_regions


def test_a_whole_note_has_its_evidence_everywhere(gallery):
    v = Verifier(gallery).verify(place_note(synthetic_note("500"), synthetic_scene(5), CORNERS))
    assert v.accepted and v.denomination == "500"
    # the value-specific two thirds of the synthetic note (the left third is the common panel)
    assert v.regions >= 2 * REGION_GRID[0] * REGION_GRID[1] // 3 - 2


def test_the_bar_counts_regions_only_where_measured():
    t = DEFAULT
    assert accepts(20, 20.0, 0.0, t, regions=t.min_value_regions)
    assert not accepts(20, 20.0, 0.0, t, regions=t.min_value_regions - 1)
    assert accepts(20, 20.0, 0.0, t, regions=None)  # the v1 score has no regions


FIVE_FRONT = "photos/5/pratyasha__five_test_7.jpg"


@pytest.mark.skipif(not (SHARED_DATA / "npr-notes" / "MANIFEST.csv").is_file(),
                    reason="shared data folder absent")
def test_real_note_of_a_design_the_gallery_lacks_is_not_named_from_its_seal():
    """A real Rs 5 Everest front against every front reference except the Rs 5 ones (a design
    the gallery does not know): the old-series Rs 10 front's seal, at another place on that
    note, gave 17 value-specific matches all in one region; counted alone, they name it Rs 10."""
    from training.build_gallery import build, gallery_items
    from training.data import NPR_DIR, load_manifest, read_image
    g = build([it for it in gallery_items(load_manifest())
               if it.side == "front" and it.denomination != "5"])
    frame = read_image(NPR_DIR / FIVE_FRONT)
    loose = Verifier(g, replace(DEFAULT, min_value_regions=0)).verify(frame)
    assert loose.accepted and loose.denomination == "10"
    assert not Verifier(g).verify(frame).accepted


def test_regions_count_the_cells_holding_evidence():
    from desktop_app.recognition.imaging import regions
    size = (600, 280)  # a 6 x 3 grid of 100 x 93 px cells
    assert regions(np.zeros((0, 2), np.float32), size, (6, 3)) == 0
    one_cell = np.array([[10, 10], [90, 80], [50, 50]], np.float32)
    assert regions(one_cell, size, (6, 3)) == 1
    corners = np.array([[0, 0], [599, 0], [0, 279], [599, 279], [600, 280]], np.float32)
    assert regions(corners, size, (6, 3)) == 4  # the far edge belongs to the last cell
