"""The one "same physical note" rule, on made-up manifest rows (no shared data needed)."""
from training.data import Item, covered_by_other_note, physical_groups


def photo(name: str, denomination: str = "100", side: str = "front", series: str = "everest") -> Item:
    return Item(f"photos/{denomination}/{name}", denomination, side, series, "photo", None)


def test_consecutive_shots_of_one_source_share_a_group_and_gaps_split_it():
    items = [photo("ann__x_1.jpg"), photo("ann__x_2.jpg"), photo("ann__x_4.jpg"),
             photo("bob__x_3.jpg")]
    g = physical_groups(items)
    assert g[items[0].file] == g[items[1].file]
    assert g[items[2].file] != g[items[1].file]  # shot 3 missing: another note
    assert g[items[3].file] not in (g[items[0].file], g[items[2].file])  # another source


def test_a_burst_source_is_one_note_per_denomination_and_side():
    items = [photo("mmanishh__IMG_20180308_122144.jpg"), photo("mmanishh__IMG_20180308_122234.jpg"),
             photo("mmanishh__IMG_20180308_122239.jpg", side="back"),
             photo("mmanishh__IMG_20180308_122520.jpg", denomination="50")]
    g = physical_groups(items)
    assert g[items[0].file] == g[items[1].file]  # 90 "shots" apart, same burst
    assert len({g[i.file] for i in items}) == 3


def test_references_are_not_grouped_and_cover_only_other_notes():
    ref = Item("refs/100/x__scan.jpg", "100", "front", "everest", "ref", None)
    old_ref = Item("refs/100/x__old.jpg", "100", "front", "old", "ref", None)
    a, b = photo("ann__x_1.jpg"), photo("ann__x_2.jpg")
    g = physical_groups([ref, a, b])
    assert ref.file not in g
    assert not covered_by_other_note(a, [a, b, old_ref], g)  # own repeat shot, other design
    assert covered_by_other_note(a, [a, b, ref], g)


def test_designs_the_manifest_names_cover_only_themselves():
    from training.data import design_of
    assert design_of("old (back, older design: Singha Durbar)", "back") == "singha durbar"
    assert design_of("old (back, older design)", "back") == "older design"
    assert design_of("n/a (back)", "back") == design_of("new (Everest)", "back") == "current"
    assert design_of("n/a (back, rhododendron variant)", "back") == "current"
    assert design_of("new (Everest)", "front") == "everest"
    assert design_of("old (King portrait)", "front") == "king portrait"
    back = photo("ann__x_1.jpg", side="back")
    back = Item(back.file, "10", "back", "n/a", "photo", None, design="current")
    old_back = Item("refs/10/x__old.jpg", "10", "back", "old", "ref", None, design="older design")
    new_back = Item("refs/10/x__new.jpg", "10", "back", "n/a", "ref", None, design="current")
    g = physical_groups([back])
    assert covered_by_other_note(back, [back, old_back], g)  # the series-blind reading
    assert not covered_by_other_note(back, [back, old_back], g, by_design=True)
    assert covered_by_other_note(back, [back, new_back], g, by_design=True)
    king = Item("refs/10/x__k.jpg", "10", "front", "old", "ref", None, design="king portrait")
    gyan = Item("refs/10/x__g.jpg", "10", "front", "old", "ref", None, design="gyanendra")
    bir = Item("refs/10/x__b.jpg", "10", "front", "old", "ref", None, design="birendra")
    own = {it.file: it.file for it in (king, gyan, bir)}  # each its own note
    assert covered_by_other_note(king, [king, gyan], own, by_design=True)  # king not named
    assert not covered_by_other_note(bir, [bir, gyan], own, by_design=True)
