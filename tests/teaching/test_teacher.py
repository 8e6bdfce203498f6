"""Teaching end to end without a window: checked, kept, merged, named; and what is refused."""
import pytest

from desktop_app.recognition import sharing
from desktop_app.recognition.verifier import Verifier
from desktop_app.teaching import teacher as teacher_mod
from desktop_app.teaching.store import UserStore
from desktop_app.teaching.teacher import Teacher
from desktop_app.teaching.views import examine
from tests.teaching.conftest import frame_of


def views(denomination, poses=(0, 1), sides=("front", "back")):
    return [examine(frame_of(denomination, p, side), side).view for side in sides for p in poses]


def test_a_taught_note_is_kept_and_named_from_then_on(teacher, gallery, store):
    before = Verifier(gallery).verify(frame_of("50", 3, seed=7))
    assert not (before.accepted and before.denomination == "50")
    out = teacher.learn("50", views("50"))
    assert out.ok, out.detail
    assert out.key == "teach.saved" and out.params == {"value": "50"}
    assert [n.id for n in store.notes()] == [out.note.id]
    named = Verifier(out.gallery).verify(frame_of("50", 3, seed=7))
    assert named.accepted and named.denomination == "50"
    for known in ("100", "500", "1000"):  # and every value it knew is still named
        v = Verifier(out.gallery).verify(frame_of(known, 2, seed=3))
        assert v.accepted and v.denomination == known


def test_teaching_a_known_note_as_another_value_is_refused_and_nothing_kept(teacher, store):
    out = teacher.learn("100", views("500", sides=("front",)))
    assert not out.ok and out.key == "teach.refused.other_value" and out.params == {"value": "500"}
    assert store.notes() == []


def test_views_of_two_notes_are_refused(teacher, store):
    out = teacher.learn("20", [examine(frame_of("20", 0), "front").view,
                               examine(frame_of("5", 1), "front").view])
    assert out.key == "teach.refused.different" and store.notes() == []


def test_locked_or_unable_to_check_means_not_saved(store, gallery, negatives):
    store.set_locked(True)
    assert Teacher(store, gallery, negatives=negatives).learn("50", views("50")).key == "teach.locked"
    store.set_locked(False)
    out = Teacher(store, gallery, negatives=None).learn("50", views("50"))
    assert out.key == "teach.no_negatives" and store.notes() == []


def test_the_merge_is_cached_for_the_next_start(tmp_path, store, gallery, negatives, monkeypatch):
    shipped = tmp_path / "gallery.npz"
    gallery.save(shipped)
    first = Teacher(store, gallery, shipped_path=shipped, negatives=negatives)
    assert first.learn("50", views("50")).ok
    assert len(list((store.root / "cache").glob("merged-*.npz"))) == 1

    def no_merge(*a, **k):
        raise AssertionError("merged again although the same notes were merged before")

    monkeypatch.setattr(teacher_mod, "merge", no_merge)
    again = Teacher(store, gallery, shipped_path=shipped, negatives=negatives).gallery()
    assert len(again.references) == len(gallery.references) + 4
    monkeypatch.setattr(teacher_mod, "merge", sharing.merge)
    (store.root / "cache" / next((store.root / "cache").iterdir()).name).write_bytes(b"broken")
    assert len(Teacher(store, gallery, shipped_path=shipped).gallery().references) == len(gallery.references) + 4


def test_forget_takes_the_note_out_of_the_gallery(teacher, store):
    out = teacher.learn("50", views("50"))
    gone = teacher.forget(out.note.id)
    assert gone.ok and gone.params == {"value": "50"} and store.notes() == []
    v = Verifier(gone.gallery).verify(frame_of("50", 3, seed=7))
    assert not (v.accepted and v.denomination == "50")
    assert teacher.forget("nope").key == "teach.no_such_note"


def test_an_export_imports_on_another_machine_checked_again(teacher, tmp_path, gallery, negatives):
    out = teacher.learn("50", views("50"))
    teacher.store.export(tmp_path / "bank.ncr-notes")
    kiosk = Teacher(UserStore(tmp_path / "kiosk"), gallery, negatives=negatives)
    (imported,) = kiosk.import_notes(tmp_path / "bank.ncr-notes")
    assert imported.ok and imported.note.id == out.note.id and imported.note.origin == "import"
    v = Verifier(kiosk.gallery()).verify(frame_of("50", 3, seed=7))
    assert v.accepted and v.denomination == "50"
    (twice,) = kiosk.import_notes(tmp_path / "bank.ncr-notes")
    assert twice.key == "teach.import_duplicate"
    (missing,) = kiosk.import_notes(tmp_path / "none.ncr-notes")
    assert missing.key == "teach.import_missing"


@pytest.mark.parametrize("value", ["100", "1000"])
def test_an_import_that_would_mislabel_a_known_note_is_refused(teacher, tmp_path, value):
    # Taught elsewhere (where the gallery did not know Rs 500) as another value: refused here.
    elsewhere = UserStore(tmp_path / "elsewhere")
    elsewhere.add(teacher_mod.TaughtNote("5-20261201-000000-0001", value, "now", tuple(views("500", sides=("front",)))))
    elsewhere.export(tmp_path / "x.ncr-notes")
    (out,) = teacher.import_notes(tmp_path / "x.ncr-notes")
    assert out.key == "teach.refused.other_value" and out.params == {"value": "500"}
    assert teacher.store.notes() == []


def test_another_process_changing_the_store_is_never_lost_or_brought_back(tmp_path, store, gallery, negatives):
    """The window's Teacher and a terminal's `teach` share one store: each teach merges what
    the store holds now, and the cache holds exactly those notes."""
    from desktop_app.teaching.teacher import taught_ids

    shipped = tmp_path / "gallery.npz"
    gallery.save(shipped)
    window = Teacher(store, gallery, shipped_path=shipped, negatives=negatives)
    terminal = Teacher(UserStore(store.root), gallery, shipped_path=shipped, negatives=negatives)
    fifty = window.learn("50", views("50")).note
    twenty = terminal.learn("20", views("20")).note  # the window does not know of it
    five = window.learn("5", views("5"))
    assert five.ok, five.detail
    assert taught_ids(five.gallery) == tuple(sorted((fifty.id, twenty.id, five.note.id)))
    terminal.forget(fifty.id)
    ten = window.learn("10", views("10"))
    assert fifty.id not in taught_ids(ten.gallery)
    restart = Teacher(UserStore(store.root), gallery, shipped_path=shipped)
    assert restart.cached(store.notes()) is not None  # the cache is the store's notes exactly
    assert taught_ids(restart.gallery()) == tuple(sorted((twenty.id, five.note.id, ten.note.id)))


def test_every_outcome_can_be_said_in_both_languages(store, gallery, negatives, tmp_path):
    from desktop_app.voice.phrases import PhraseCatalogue

    catalogue = PhraseCatalogue.load()
    outcomes = [Teacher(store, gallery, negatives=None, negatives_path=tmp_path / "n.npz").learn("50", views("50"))]
    t = Teacher(store, gallery, negatives=negatives)
    outcomes += [t.learn("100", views("500", sides=("front",))),
                 t.learn("20", [views("20")[0], views("5")[1]]), t.forget("nope"),
                 t.learn("50", views("50")), t.forget(store.notes()[0].id)]
    store.set_locked(True)
    outcomes += [t.learn("50", views("50")), t.forget("50-20261201-000000-0000")]
    keys = set()
    for out in outcomes:
        keys.add(out.key)
        for language in ("en", "ne"):
            assert catalogue.text(out.key, language, **{k: (int(v) if k == "value" else v)
                                                        for k, v in out.params.items()})
    assert {"teach.no_negatives", "teach.refused.other_value", "teach.refused.different",
            "teach.no_such_note", "teach.saved", "teach.forgotten", "teach.locked"} <= keys


def test_a_taught_note_keeps_its_colours_and_is_colour_checked(teacher, store):
    """Taught from colour frames, a note keeps its views' colours through its file and the
    merge, so a note of its grey pattern in other colours is checked as a shipped one is."""
    from dataclasses import replace

    import cv2

    from desktop_app.recognition.thresholds import DEFAULT
    from tests.builders.notes import other_colours, place_note, synthetic_note
    from tests.teaching.conftest import POSES, cloth

    out = teacher.learn("50", views("50"))
    assert out.ok, out.detail
    (kept,) = store.notes()
    assert all(v.colour is not None and v.colour.shape == (32, 3) for v in kept.views)
    taught = [r for r in out.gallery.references if r.id.startswith(teacher_mod.TAUGHT_PREFIX)]
    assert taught and all(r.colour is not None for r in taught)
    named = Verifier(out.gallery).verify(frame_of("50", 3, seed=7))
    assert named.accepted and named.denomination == "50" and named.colour > 0.8
    donor = synthetic_note("5", "front")[::-1, ::-1]
    recoloured = place_note(other_colours(synthetic_note("50"), donor), cloth(7), POSES[3])
    never = replace(DEFAULT, colour_waived_value=float("inf"))  # (proven all over otherwise)
    v = Verifier(out.gallery, never).verify(recoloured)
    assert not v.accepted and v.denomination == "50" and v.hint == "other_side"
    # A view taught from a grey frame has no colours, and its reference is not checked.
    grey = cv2.cvtColor(frame_of("50", 0), cv2.COLOR_BGR2GRAY)
    assert examine(grey, "front").view.colour is None
