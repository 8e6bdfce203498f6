"""The window tells a damaged or foreign gallery as what it is, at start and on every press."""
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.builders.notes import synthetic_gallery


def _told_at_start_and_on_space(run, key):
    assert run.heard(key)
    assert not run.heard("gallery.missing")  # the old, wrong reason for every gallery fault
    before = len(run.heard(key))
    QTest.keyClick(run.window, Qt.Key.Key_Space)
    assert len(run.heard(key)) == before + 1
    assert not run.window.session.wants_frames


def test_corrupt_gallery_is_said_damaged(qtbot, start_app, ui_assets, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 truncated zip")
    run = start_app(str(ui_assets.empty_video), gallery=bad)
    _told_at_start_and_on_space(run, "gallery.corrupt")


def test_gallery_with_an_unnamed_value_is_refused_and_said(qtbot, start_app, ui_assets, tmp_path):
    odd = tmp_path / "odd.npz"
    synthetic_gallery(("2", "500")).save(odd)  # no "note.2" phrase: a result could not be spoken
    run = start_app(str(ui_assets.note_video), gallery=odd)
    _told_at_start_and_on_space(run, "gallery.unknown_value")
    said = run.heard("gallery.unknown_value")[0]
    assert said.text == f"Reference notes hold a value this app cannot name: 2. File: {odd}"
