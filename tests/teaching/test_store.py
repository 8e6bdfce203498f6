"""The user gallery on disk: one atomic file per note, features only, readable after a crash."""
import json
import os
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from desktop_app.teaching import store as store_mod
from desktop_app.teaching.store import StoreError, TaughtNote, UserStore, View, new_id, user_data_dir


def view(seed=0, side="front", n=50, image=None):
    rng = np.random.default_rng(seed)
    return View(side, (600, 270), rng.uniform(0, 600, (n, 2)).astype(np.float32),
                rng.integers(0, 255, (n, 128)).astype(np.uint8), rng.random(n) > 0.3, 123.4, image)


def note(value="100", seed=0, views=2, note_id=None):
    return TaughtNote(note_id or new_id(value), value, "2026-12-01T10:00:00+00:00",
                      tuple(view(seed + i, ("front", "back")[i % 2]) for i in range(views)), "files")


def same(a: TaughtNote, b: TaughtNote):
    assert (a.id, a.value, a.created, a.origin, a.sides) == (b.id, b.value, b.created, b.origin, b.sides)
    for va, vb in zip(a.views, b.views, strict=True):
        assert va.side == vb.side and va.size == vb.size
        np.testing.assert_array_equal(va.points, vb.points)
        np.testing.assert_array_equal(va.descriptors, vb.descriptors)
        np.testing.assert_array_equal(va.full_scale, vb.full_scale)


def test_a_note_comes_back_as_it_was_kept_and_can_be_forgotten(store):
    n = note()
    store.add(n)
    (back,) = store.notes()
    same(back, n)
    assert back.describe()["views"] == 2 and back.sides == ("front", "back")
    assert store.forget(n.id).id == n.id
    assert store.notes() == []
    with pytest.raises(StoreError) as e:
        store.forget(n.id)
    assert e.value.key == "teach.no_such_note"


def test_a_crash_while_saving_loses_nothing_taught_before(store, monkeypatch):
    first = note(seed=1)
    store.add(first)

    def killed(src, dst):
        raise OSError("power cut")  # the new file was written but never renamed into place

    monkeypatch.setattr(store_mod.os, "replace", killed)
    with pytest.raises(OSError):
        store.add(note(seed=2))
    monkeypatch.undo()
    (only,) = store.notes()
    same(only, first)
    assert store.problems == []
    assert not list(store.notes_dir.glob(".*.tmp"))  # cleaned up after itself


def test_a_stray_temporary_file_and_a_damaged_note_do_not_hide_the_others(store):
    good = note(seed=3)
    store.add(good)
    (store.notes_dir / ".half.npz.123.tmp").write_bytes(b"partial")
    (store.notes_dir / "broken.npz").write_bytes(b"not a zip at all")
    (listed,) = store.notes()
    assert listed.id == good.id
    assert [p.key for p in store.problems] == ["teach.note_corrupt"]
    assert store.problems[0].params == {"name": "broken.npz"}


def test_a_note_of_another_format_version_is_named_not_used(store):
    n = note(seed=4)
    store.add(n)
    path = store.notes_dir / f"{n.id}.npz"
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(bytes(arrays["meta"]).decode())
    meta["format_version"] = 99
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    np.savez(path, **arrays)
    assert store.notes() == []
    assert [p.key for p in store.problems] == ["teach.note_version"]


def test_export_and_import_carry_every_note(store, tmp_path):
    notes = [note("50", seed=5), note("1000", seed=9, views=3)]
    for n in notes:
        store.add(n)
    target = tmp_path / "bank.ncr-notes"
    assert store.export(target) == 2
    with zipfile.ZipFile(target) as z:
        head = json.loads(z.read("export.json"))
        assert head["format"] == "ncr-taught-export" and len(head["notes"]) == 2
        assert not any(name.endswith((".png", ".jpg")) for name in z.namelist())
    for a, b in zip(sorted(notes, key=lambda n: n.id), sorted(UserStore.read_export(target), key=lambda n: n.id)):
        same(a, b)


@pytest.mark.parametrize("content,key", [(None, "teach.import_missing"), (b"junk", "teach.import_bad")])
def test_a_bad_export_file_is_named(tmp_path, content, key):
    path = tmp_path / "x.ncr-notes"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(StoreError) as e:
        UserStore.read_export(path)
    assert e.value.key == key and e.value.params == {"path": str(path)}


def test_a_locked_store_refuses_teaching_and_forgetting(store):
    n = note(seed=6)
    store.add(n)
    store.set_locked(True)
    for act in (lambda: store.add(note(seed=7)), lambda: store.forget(n.id)):
        with pytest.raises(StoreError) as e:
            act()
        assert e.value.key == "teach.locked"
    store.set_locked(False)
    store.forget(n.id)


def test_pictures_are_kept_only_when_staff_turn_it_on(store):
    pic = np.full((270, 600), 128, np.uint8)
    n1 = TaughtNote("100-20261201-100000-000a", "100", "2026", (view(1, image=pic),))
    store.add(n1)
    assert not (store.notes_dir / "images").exists()
    store.set_keep_images(True)
    store.add(TaughtNote("100-20261201-100000-000b", "100", "2026", (view(2, image=pic),)))
    b = "100-20261201-100000-000b"
    assert [p.name for p in (store.notes_dir / "images" / b).iterdir()] == ["00-front.png"]
    store.forget(b)
    assert not (store.notes_dir / "images" / b).exists()


@pytest.mark.parametrize("bad", ["", "../escape", "a/b", ".hidden", "C:evil", "x:y", "50-1\x00", "a" * 300])
def test_ids_cannot_reach_outside_the_folder(store, bad):
    with pytest.raises(StoreError):
        store.forget(bad)


def test_the_data_folder_follows_the_platform(tmp_path):
    home = str(tmp_path)
    assert user_data_dir("/x", environ={"NCR_DATA_DIR": "/y"}) == store_mod.Path("/x")
    assert user_data_dir(environ={"NCR_DATA_DIR": "/y"}) == store_mod.Path("/y")
    assert user_data_dir(environ={"XDG_DATA_HOME": "/xdg", "HOME": home}, platform="posix") \
        == store_mod.Path("/xdg/nepali-cash-reader")
    assert user_data_dir(environ={"HOME": home}, platform="posix") \
        == store_mod.Path(home, ".local/share/nepali-cash-reader")
    assert user_data_dir(environ={"APPDATA": r"C:\Users\a\AppData\Roaming"}, platform="nt").name \
        == "NepaliCashReader"


def test_the_folder_entry_reaches_the_disk_too(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(store_mod.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    store_mod.atomic_write(tmp_path / "f.bin", b"data")
    assert (tmp_path / "f.bin").read_bytes() == b"data"
    assert len(synced) == (2 if os.name != "nt" else 1)  # the file, then its folder


def _export_with(tmp_path, note_meta_change=None, arrays_change=None):
    """An export file whose one note was altered after writing (what a hostile file can hold)."""
    import io

    n = note(seed=11)
    with np.load(io.BytesIO(store_mod.note_bytes(n))) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(bytes(arrays["meta"]).decode())
    if note_meta_change:
        note_meta_change(meta)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    if arrays_change:
        arrays_change(arrays)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path = tmp_path / "odd.ncr-notes"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("export.json", json.dumps({"format": "ncr-taught-export", "format_version": 1, "notes": []}))
        z.writestr(f"taught/{n.id}.npz", buf.getvalue())
    return path


@pytest.mark.parametrize("meta_change,arrays_change", [
    (lambda m: m.update(value="2000"), None),  # a value the app cannot say
    (lambda m: m.update(value="abc"), None),
    (lambda m: m.update(id="../../x"), None),
    (lambda m: m.update(id="C:evil"), None),
    (lambda m: m["views"][0].update(size=[0, 0, 0]), None),
    (None, lambda a: a.update(counts=np.array([-5, 105], np.int32))),
    (None, lambda a: a.update(descriptors=a["descriptors"].astype(np.float64))),
    (None, lambda a: a.update(full_scale=a["full_scale"][:3])),
    (None, lambda a: a.update(colours=a["colours"][:1])),  # one view's colours for two
    (None, lambda a: a.update(colours=np.full_like(a["colours"], np.inf))),
    (None, lambda a: a.update(colours=np.zeros(a["colours"].shape, np.uint8))),
    (None, lambda a: a.update(colours=np.full_like(a["colours"], -1.0))),  # no such colour
])
def test_an_odd_or_hostile_import_is_refused_by_name(tmp_path, meta_change, arrays_change):
    path = _export_with(tmp_path, meta_change, arrays_change)
    with pytest.raises(StoreError) as e:
        UserStore.read_export(path)
    assert e.value.key == "teach.note_corrupt"


def test_view_colours_come_back_and_a_note_kept_before_colours_loads_without(store):
    import io

    cells = np.random.default_rng(3).uniform(0, 255, (32, 3)).astype(np.float32)
    cells[:5] = np.nan  # cells off the note
    n = TaughtNote(new_id("20"), "20", "2026-12-01T10:00:00+00:00",
                   (replace(view(1), colour=cells), view(2, "back")),
                   "window")
    store.add(n)
    (back,) = store.notes()
    np.testing.assert_array_equal(back.views[0].colour, cells)  # NaN where it was NaN
    assert back.views[1].colour is None
    with np.load(io.BytesIO(store_mod.note_bytes(n))) as z:
        arrays = {k: z[k] for k in z.files if k != "colours"}
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    old = store_mod.note_from_bytes(buf.getvalue(), "old.npz")
    assert [v.colour for v in old.views] == [None, None]
    same(old, n)

