"""The colour check: a placed note must show its reference's pattern of colours."""
from dataclasses import replace

import cv2
import numpy as np
import pytest

from desktop_app.recognition import colour
from desktop_app.recognition.gallery import ReferenceGallery
from desktop_app.recognition.options import Options
from desktop_app.recognition.thresholds import DEFAULT
from desktop_app.recognition.verifier import Verifier
from tests.builders.notes import (evening_lamp, other_colours, place_note, synthetic_gallery,
                                  synthetic_note, synthetic_scene)

CORNERS = [[120, 90], [520, 120], [500, 330], [110, 300]]


@pytest.fixture(scope="module")
def gallery():
    return synthetic_gallery(("5", "10", "20", "100", "500"))


def test_note_agrees_with_itself_under_any_light():
    note = synthetic_note("500")
    ref = colour.cells(note)
    assert colour.agreement(colour.cells(note), ref) == pytest.approx(1.0)
    assert colour.agreement(colour.cells(evening_lamp(note)), ref) > 0.8


def test_a_design_of_other_colours_does_not_agree():
    note = synthetic_note("500")
    for value, side in (("5", "front"), ("10", "back")):
        # turned round, so that the panel every synthetic note shares in the same colours
        # does not line up with this note's
        donor = synthetic_note(value, side)[::-1, ::-1]
        recoloured = other_colours(note, donor)
        assert colour.agreement(colour.cells(recoloured), colour.cells(note)) < -0.3, value


def test_half_the_note_covered_still_agrees():
    note = synthetic_note("100")
    covered = note.copy()
    covered[:, : note.shape[1] * 2 // 5] = (90, 120, 200)  # a thumb and more, skin coloured
    assert colour.agreement(colour.cells(covered), colour.cells(note)) > 0.8


def test_too_little_in_view_or_a_one_colour_reference_is_not_compared():
    note = synthetic_note("20")
    ref = colour.cells(note)
    partial = ref.copy()
    partial[colour.MIN_CELLS - 1:] = np.nan
    assert colour.agreement(partial, ref) is None
    flat = np.full_like(note, (120, 160, 200))
    assert colour.agreement(colour.cells(note), colour.cells(flat)) is None


def test_placed_cells_read_the_note_where_it_lies_and_nan_off_the_frame():
    note = synthetic_note("10")
    frame = place_note(note, synthetic_scene(2), CORNERS)
    cells = colour.placed_cells(frame, CORNERS)
    assert colour.agreement(cells, colour.cells(note)) > 0.95
    off = np.float32(CORNERS) - np.float32([300, 0])  # the left half beyond the frame's edge
    assert np.isnan(colour.placed_cells(frame, off)).any(axis=1).sum() >= 8


def test_verifier_does_not_name_a_known_grey_pattern_in_other_colours(gallery):
    note = synthetic_note("500")
    recoloured = place_note(other_colours(note, synthetic_note("10", "back")[::-1, ::-1]),
                            synthetic_scene(3), CORNERS)
    without = Verifier(gallery, options=replace(Options(), colour=False)).verify(recoloured)
    assert without.accepted and without.denomination == "500"  # SIFT alone names it
    never = replace(DEFAULT, colour_waived_value=float("inf"))
    v = Verifier(gallery, never).verify(recoloured)
    assert not v.accepted and v.denomination == "500"
    assert v.colour is not None and v.colour < DEFAULT.min_colour and v.hint == "other_side"
    right = Verifier(gallery).verify(place_note(evening_lamp(note), synthetic_scene(3), CORNERS))
    assert right.accepted and right.denomination == "500" and right.colour > 0.8


def test_value_proven_all_over_the_note_is_named_whatever_its_colours(gallery):
    """The whole of this note's value artwork matches (another print of the value, in other
    colours): the value is proven without colour, and the disagreement is only recorded."""
    recoloured = place_note(other_colours(synthetic_note("500"),
                                          synthetic_note("10", "back")[::-1, ::-1]),
                            synthetic_scene(3), CORNERS)
    one_look = replace(Options(), retries=())  # (a retry's look can prove it more strongly)
    v = Verifier(gallery, options=one_look).verify(recoloured)
    assert v.accepted and v.denomination == "500" and v.colour < DEFAULT.min_colour
    assert DEFAULT.colour_waived(v.score, v.regions)
    # Just short of the waiver, in evidence or in regions: the colour check decides again.
    for short in (dict(colour_waived_value=v.score + 1),
                  dict(colour_waived_regions=v.regions + 1)):
        w = Verifier(gallery, replace(DEFAULT, **short), one_look).verify(recoloured)
        assert not w.accepted and w.denomination == "500" and w.hint == "other_side", short


def test_colour_waiver_needs_both_strong_evidence_and_many_regions():
    t = DEFAULT
    assert t.colour_waived(t.colour_waived_value, t.colour_waived_regions)
    assert not t.colour_waived(t.colour_waived_value - 0.5, 18)
    assert not t.colour_waived(1000.0, t.colour_waived_regions - 1)
    assert not t.colour_waived(1000.0, None)  # the v1 score has no regions: never waived


def test_grey_frames_and_grey_references_skip_the_check(gallery):
    frame = place_note(synthetic_note("100"), synthetic_scene(4), CORNERS)
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    v = Verifier(gallery).verify(grey)
    assert v.accepted and v.colour is None
    grey_refs = ReferenceGallery.from_images(
        [(cv2.cvtColor(synthetic_note(d), cv2.COLOR_BGR2GRAY),
          dict(id=d, denomination=d, side="front", series="s")) for d in ("20", "100", "500")])
    assert all(r.colour is None for r in grey_refs.references)
    v = Verifier(grey_refs).verify(frame)
    assert v.accepted and v.colour is None


def test_gallery_keeps_reference_colours_through_a_file(gallery, tmp_path):
    gallery.save(tmp_path / "g.npz")
    again = ReferenceGallery.load(tmp_path / "g.npz")
    for a, b in zip(gallery.references, again.references):
        assert a.colour.shape == (colour.GRID[0] * colour.GRID[1], 3)
        np.testing.assert_allclose(a.colour, b.colour, atol=0.05)
    assert again.subset([again.references[0].id], weighted=False).references[0].colour is not None


def test_marked_photo_reference_takes_colour_only_from_inside_its_outline():
    note = synthetic_note("5")
    photo = place_note(note, np.full((480, 640, 3), (0, 255, 0), np.uint8), CORNERS)
    g = ReferenceGallery.from_images([(photo, dict(id="p", denomination="5", side="front",
                                                   series="s", outline=CORNERS))], weighted=False)
    assert colour.agreement(g.references[0].colour, colour.cells(note)) > 0.95
