"""Teach mode in the real window, by real key events: Ctrl+T, a number, Space held on each side,
the check off the UI thread, and the next hold naming the taught note.

The notes lie flat on a dark cloth, whole in view, as teach mode asks (``teaching.outline``
finds a note by its shape alone). "Unknown" is a synthetic note of a value the test gallery
(Rs 100, 500, 1000) has no reference for, so the app answers "not sure" before teaching;
"known" is the gallery's own Rs 500 note.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_app.teaching.session import CHECKING
from desktop_app.teaching.store import UserStore, user_data_dir
from desktop_app.teaching.teacher import Teacher
from desktop_app.ui.labels import label
from desktop_app.ui.workers import TEACH
from tests.builders.notes import place_note, synthetic_note
from tests.builders.video import write_video
from tests.ui.conftest import FPS, FRAME_SIZE, decisions, hold_space, key_event, release_space

CTRL = Qt.KeyboardModifier.ControlModifier
ATTENDANT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
CHECK_TIMEOUT = 60000  # the check runs a few seconds on the test gallery; a loaded machine is slower


@dataclass(frozen=True)
class TeachVideos:
    unknown: Path  # a note the test gallery does not know
    known: Path  # the gallery's Rs 500 note


def _on_cloth(note: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The note laid on a dark cloth, filling most of the frame, moved a little by the hand."""
    w, h = FRAME_SIZE
    cloth = np.clip(rng.normal(35, 6, (h, w, 3)), 0, 255).astype(np.uint8)
    nh, nw = note.shape[:2]
    half = np.array([[-nw, -nh], [nw, -nh], [nw, nh], [-nw, nh]], np.float32) * 0.8 * min(w / nw, h / nh) / 2
    a = np.deg2rad(rng.uniform(-4, 4))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    centre = np.array([w / 2 + rng.uniform(-6, 6), h / 2 + rng.uniform(-6, 6)], np.float32)
    return place_note(note, cloth, half @ rot.T + centre)


@pytest.fixture(scope="module")
def teach_videos(tmp_path_factory) -> TeachVideos:
    folder = tmp_path_factory.mktemp("teach-videos")
    rng = np.random.default_rng(3)
    # "50" has no reference in the gallery: only the artwork all synthetic notes share matches.
    # Each video shows the note's front, then its back, half a second each (the second side
    # taught must be the other side).
    def turned(value):
        return [_on_cloth(synthetic_note(value, side), rng) for side in ("front", "back") for _ in range(6)]

    unknown, known = turned("50"), turned("500")
    return TeachVideos(write_video(folder / "unknown.avi", unknown, FPS),
                       write_video(folder / "known500.avi", known, FPS))


def _texts(run, key: str) -> list[str]:
    return [u.text for u in run.heard(key)]


def _ready(qtbot, run):
    qtbot.waitUntil(lambda: run.window.preview.frames_shown >= 2, timeout=10000)
    return run.window


def _choose(qtbot, run, digit_key=Qt.Key.Key_5):
    """Ctrl+T, then a number key."""
    window = run.window
    QTest.keyClick(window, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: bool(run.heard("teach.start")), timeout=3000)
    QTest.keyClick(window, digit_key)


def _teach_both_sides(qtbot, run, outlines: list | None = None) -> None:
    """Holds Space until the first side is enough, lets go, holds again until the check."""
    window = run.window
    outlines = [] if outlines is None else outlines
    assert hold_space(qtbot, window, until=lambda: outlines.append(window.preview.outline)
                      or run.heard("teach.other_side"))
    release_space(window)
    qtbot.wait(200)  # past the release grace: the next press is a new hold
    # Unflagged autorepeat pairs, as some X11 setups send them: the hold must go on.
    assert hold_space(qtbot, window, until=lambda: run.heard("teach.checking"), x11_pairs=True)
    release_space(window)


def test_teaching_an_unknown_note_saves_it_and_the_next_hold_names_it(qtbot, start_app, teach_videos):
    run = start_app(str(teach_videos.unknown))
    window = _ready(qtbot, run)
    # Before: not named.
    hold_space(qtbot, window, until=lambda: False, timeout_ms=1500)
    release_space(window)
    qtbot.waitUntil(lambda: len(decisions(run)) == 1, timeout=10000)
    assert run.heard("result.unsure") or run.heard("result.none")
    assert not [k for k in run.spy.keys if k.startswith("note.")]

    _choose(qtbot, run)
    assert _texts(run, "teach.value") == ["100 rupees. Lay one side of the note flat on a plain dark cloth, "
                                          "whole in view, and hold Space."]
    outlines: list = []
    _teach_both_sides(qtbot, run, outlines)
    assert run.spy.earcons.count("tick") == 6  # three pictures of each side
    assert not run.heard("teach.keep_holding")  # autorepeat never looked like letting go
    assert any(o is not None for o in outlines)  # the sighted helper saw the outline found
    qtbot.waitUntil(lambda: bool(run.heard("teach.saved")), timeout=CHECK_TIMEOUT)
    assert _texts(run, "teach.saved") == ["Saved. From now on this note is named 100 rupees."]
    assert window.preview.outline is None  # gone once not teaching
    notes = UserStore(user_data_dir()).notes()
    assert [(n.value, n.origin, len(n.views)) for n in notes] == [("100", "window", 6)]
    assert window.recognition.mode != TEACH

    # No restart: the very next hold names it.
    assert hold_space(qtbot, window, until=lambda: run.heard("note.100"))
    release_space(window)


def test_a_note_the_app_names_as_another_value_is_refused_aloud(qtbot, start_app, teach_videos):
    run = start_app(str(teach_videos.known))
    _ready(qtbot, run)
    _choose(qtbot, run)  # Rs 100, for a Rs 500 note
    _teach_both_sides(qtbot, run)
    qtbot.waitUntil(lambda: bool(run.heard("teach.refused.other_value")), timeout=CHECK_TIMEOUT)
    assert _texts(run, "teach.refused.other_value") == ["This looks like a 500 rupee note; not saved."]
    assert not run.heard("teach.saved")
    assert UserStore(user_data_dir()).notes() == []
    assert not run.window.teach.active


def test_escape_cancels_at_every_step_and_does_not_count_towards_quitting(qtbot, start_app, teach_videos):
    run = start_app(str(teach_videos.unknown))
    window = _ready(qtbot, run)
    # The value step.
    QTest.keyClick(window, Qt.Key.Key_T, CTRL)
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert len(run.heard("teach.cancelled")) == 1
    # The side step.
    _choose(qtbot, run)
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert len(run.heard("teach.cancelled")) == 2
    # While pictures are collected, Space still down.
    _choose(qtbot, run)
    assert hold_space(qtbot, window, until=lambda: "tick" in run.spy.earcons)
    QTest.keyPress(window, Qt.Key.Key_Escape)
    QTest.keyRelease(window, Qt.Key.Key_Escape)
    assert len(run.heard("teach.cancelled")) == 3
    assert window.recognition.mode != TEACH and window.preview.outline is None
    # The Space still held is teaching's until it is let go: its autorepeat starts no scan.
    hold_space(qtbot, window, until=lambda: False, timeout_ms=300, x11_pairs=True)
    release_space(window)
    qtbot.wait(200)
    assert not window.session.wants_frames and decisions(run) == []
    assert run.heard("quit.confirm") == []  # none of those Escapes asked to quit
    assert UserStore(user_data_dir()).notes() == []
    # The next Escape asks, as always, and does not quit.
    QTest.keyClick(window, Qt.Key.Key_Escape)
    qtbot.wait(50)
    assert len(run.heard("quit.confirm")) == 1 and window.isVisible()
    # Scanning works again.
    assert hold_space(qtbot, window, until=lambda: window.session.wants_frames)
    release_space(window)


def test_a_screen_reader_user_is_told_every_step(qtbot, start_app, teach_videos):
    # The screen reader speaks, the app only plays its tones: every step reaches the reader.
    run = start_app(str(teach_videos.unknown), output_mode="screen_reader")
    window = _ready(qtbot, run)
    QTest.keyClick(window, Qt.Key.Key_T, CTRL)
    QTest.keyClick(window, Qt.Key.Key_6)
    QTest.keyClick(window, Qt.Key.Key_Escape)
    told = [(p.key, p.text) for p in run.posted if p.key.startswith("teach.")]
    assert [k for k, _ in told] == ["teach.start", "teach.value", "teach.cancelled"]
    assert told[1][1].startswith("500 rupees.")
    assert window.status_label.text() == told[2][1]  # and on screen, for braille and a helper


def test_ctrl_t_during_a_scan_ends_the_scan_without_a_word(qtbot, start_app, teach_videos):
    run = start_app(str(teach_videos.unknown))
    window = _ready(qtbot, run)
    assert hold_space(qtbot, window, until=lambda: window.session.wants_frames)
    QTest.keyClick(window, Qt.Key.Key_T, CTRL)
    assert not window.session.wants_frames and window.recognition.mode != "scan"
    release_space(window)
    qtbot.wait(300)
    assert decisions(run) == [] and run.heard("teach.start")


def test_space_without_a_picture_says_why(qtbot, start_app, tmp_path):
    run = start_app(str(tmp_path / "missing.avi"))
    window = run.window
    assert window.sources.problem is not None
    _choose(qtbot, run)
    QTest.keyPress(window, Qt.Key.Key_Space)
    QTest.keyRelease(window, Qt.Key.Key_Space)
    qtbot.wait(200)
    assert run.spy.last.key == window.sources.problem[0]
    assert not window.teach.session.wants_frames and not run.heard("teach.keep_holding")


def test_the_value_step_takes_only_numbers_one_to_seven(qtbot, start_app, teach_videos):
    run = start_app(str(teach_videos.unknown))
    window = _ready(qtbot, run)
    QTest.keyClick(window, Qt.Key.Key_T, CTRL)
    QTest.keyClick(window, Qt.Key.Key_R)  # not a repeat here: says which keys work
    QTest.keyClick(window, Qt.Key.Key_9)
    QTest.keyPress(window, Qt.Key.Key_Space)  # no value yet: no picture taken
    QTest.keyRelease(window, Qt.Key.Key_Space)
    assert len(run.heard("teach.bad_key")) == 3
    assert not window.session.wants_frames  # Space did not scan either
    QTest.keyClick(window, Qt.Key.Key_7)
    assert _texts(run, "teach.value")[0].startswith("1000 rupees.")


def test_guidance_when_the_note_cannot_be_found(qtbot, start_app, ui_assets):
    # The conftest's Rs 500 note lies on clutter: no outline of a whole note stands out.
    run = start_app(str(ui_assets.note_video))
    window = _ready(qtbot, run)
    _choose(qtbot, run)
    assert hold_space(qtbot, window, until=lambda: run.heard("teach.no_note"))
    assert "tick" not in run.spy.earcons
    release_space(window)
    qtbot.wait(200)
    assert len(run.heard("teach.no_note")) == 1  # said once per hold, not again on letting go


def test_the_check_runs_off_the_ui_thread_and_the_window_stays_responsive(qtbot, start_app, teach_videos,
                                                                         monkeypatch):
    threads, go_on = [], threading.Event()
    real_learn = Teacher.learn

    def slow_learn(self, *args, **kwargs):
        threads.append(threading.get_ident())
        assert go_on.wait(30), "the test never let the check finish"
        return real_learn(self, *args, **kwargs)

    monkeypatch.setattr(Teacher, "learn", slow_learn)
    run = start_app(str(teach_videos.unknown))
    window = _ready(qtbot, run)
    _choose(qtbot, run)
    _teach_both_sides(qtbot, run)
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert threads[0] != threading.get_ident()
    assert window.teach.session.state == CHECKING
    QTest.keyClick(window, Qt.Key.Key_R)  # the event loop runs while the check waits
    qtbot.waitUntil(lambda: len(run.heard("teach.checking")) == 2, timeout=3000)
    QTest.keyClick(window, Qt.Key.Key_Escape)  # cannot stop the check: says to wait
    QTest.keyClick(window, Qt.Key.Key_T, CTRL)
    assert len(run.heard("teach.busy")) == 2 and not run.heard("teach.cancelled")
    assert run.heard("quit.confirm") == []
    go_on.set()
    qtbot.waitUntil(lambda: bool(run.heard("teach.saved")), timeout=CHECK_TIMEOUT)


def test_a_check_that_fails_says_why_and_saves_nothing(qtbot, start_app, teach_videos, monkeypatch):
    def broken_learn(self, *args, **kwargs):
        raise MemoryError("out of memory while merging")

    monkeypatch.setattr(Teacher, "learn", broken_learn)
    run = start_app(str(teach_videos.unknown))
    _ready(qtbot, run)
    _choose(qtbot, run)
    _teach_both_sides(qtbot, run)
    qtbot.waitUntil(lambda: bool(run.heard("teach.failed")), timeout=CHECK_TIMEOUT)
    assert _texts(run, "teach.failed") == ["Checking the note failed: out of memory while merging. "
                                           "Nothing was saved."]
    assert not run.window.teach.active and UserStore(user_data_dir()).notes() == []
    assert run.window.recognizer.verifier is not None  # still scanning with the old gallery


def test_kiosk_teaching_is_the_attendants_and_a_locked_store_refuses(qtbot, start_app, teach_videos):
    run = start_app(str(teach_videos.unknown), kiosk=True)
    window = _ready(qtbot, run)
    QTest.keyClick(window, Qt.Key.Key_T, CTRL)  # a customer's Ctrl+T does nothing
    qtbot.wait(100)
    assert not run.heard("teach.start") and not window.teach.active
    QTest.keyClick(window, Qt.Key.Key_T, ATTENDANT)
    assert len(run.heard("teach.start")) == 1 and window.teach.active
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert len(run.heard("teach.cancelled")) == 1

    UserStore(user_data_dir()).set_locked(True)
    QTest.keyClick(window, Qt.Key.Key_T, ATTENDANT)
    assert len(run.heard("teach.locked")) == 1 and not window.teach.active
    assert len(run.heard("teach.start")) == 1


def test_without_a_gallery_teaching_says_it_is_unavailable(qtbot, start_app, teach_videos, tmp_path):
    run = start_app(str(teach_videos.unknown), gallery=tmp_path / "missing.npz")
    QTest.keyClick(run.window, Qt.Key.Key_T, CTRL)
    assert len(run.heard("teach.unavailable")) == 1 and not run.window.teach.active


def test_the_menu_item_shows_its_shortcut_and_is_named_in_both_languages(start_app, teach_videos):
    run = start_app(str(teach_videos.unknown), language="ne")
    action = run.window.menus.teach_action
    assert action in run.window.file_menu.actions()
    assert action.shortcut() == QKeySequence("Ctrl+T")
    assert action.text() == label("action.teach", "ne")[0]
    assert "कन्ट्रोल T" in action.statusTip()
    run.window.toggle_language()
    assert action.text() == "&Teach a note…" and "Control T" in action.toolTip()


def test_the_preview_draws_the_outline_over_the_picture_and_clears_it(qtbot):
    from PySide6.QtGui import QColor, QImage

    from desktop_app.ui.preview import OUTLINE_COLOUR, PreviewView

    view = PreviewView()
    qtbot.addWidget(view)
    view.resize(640 + 24, 480 + 24)  # the picture at its own size inside the margin
    image = QImage(320, 240, QImage.Format.Format_RGB888)  # the preview is half the frame's size
    image.fill(QColor(0, 0, 0))
    view.show_image(image)

    def colour_at(x, y):
        return view.pixmap().toImage().pixelColor(x, y)

    # Corners in frame pixels (640x480): the top edge runs along y = 100 -> 50 in the pixmap.
    view.show_outline(np.float32([[100, 100], [500, 100], [500, 380], [100, 380]]), (640, 480))
    scale = view.pixmap().width() / 640
    assert colour_at(round(300 * scale), round(100 * scale)) == OUTLINE_COLOUR
    assert colour_at(round(300 * scale), round(240 * scale)) == QColor(0, 0, 0)  # inside: untouched
    view.show_outline(None, (640, 480))
    assert view.outline is None
    assert colour_at(round(300 * scale), round(100 * scale)) == QColor(0, 0, 0)


def test_autorepeat_flags_never_start_a_teach_hold(qtbot, start_app, teach_videos):
    run = start_app(str(teach_videos.unknown))
    window = _ready(qtbot, run)
    _choose(qtbot, run)
    QApplication.sendEvent(window, key_event(QEvent.Type.KeyPress, autorepeat=True))
    qtbot.wait(200)
    assert not window.teach.session.wants_frames and "start" not in run.spy.earcons


@pytest.mark.parametrize("kiosk", [False, True])
def test_spoken_help_names_ctrl_t_only_where_the_listener_may_teach(qtbot, start_app, teach_videos, kiosk):
    run = start_app(str(teach_videos.unknown), kiosk=kiosk)
    window = _ready(qtbot, run)
    QTest.keyClick(window, Qt.Key.Key_F1)
    key = "help.kiosk" if kiosk else "help"
    qtbot.waitUntil(lambda: bool(run.heard(key)), timeout=3000)
    text = " ".join(_texts(run, key))
    assert ("Control T teaches" in text) is not kiosk


def test_taught_notes_without_a_cached_merge_are_merged_after_the_start(qtbot, start_app, teach_videos, ui_assets):
    """The start does not wait for a merge it must make again: the shipped gallery first, said
    so, then the taught note merged off the UI thread and named without a restart."""
    import cv2

    from desktop_app.recognition.gallery import ReferenceGallery
    from desktop_app.teaching.checks import Negatives
    from desktop_app.teaching.views import examine

    cap = cv2.VideoCapture(str(teach_videos.unknown))
    frames = [cap.read()[1] for _ in range(12)]
    views = [v for v in (examine(f, s).view for f, s in ((frames[0], "first"), (frames[2], "first"),
                                                         (frames[6], "second"), (frames[8], "second")))]
    store = UserStore(user_data_dir())
    teacher = Teacher(store, ReferenceGallery.load(ui_assets.gallery), negatives=Negatives([], []))
    assert teacher.learn("50", views).ok  # no shipped path given: nothing cached
    assert not (store.root / "cache").exists()

    run = start_app(str(teach_videos.unknown))
    window = _ready(qtbot, run)
    assert run.heard("teach.preparing")
    qtbot.waitUntil(lambda: bool(run.heard("teach.ready")), timeout=CHECK_TIMEOUT)
    assert run.spy.keys.index("teach.preparing") < run.spy.keys.index("teach.ready")
    assert list((store.root / "cache").glob("merged-*.npz"))  # the next start takes it from disk
    assert hold_space(qtbot, window, until=lambda: run.heard("note.50"))
    release_space(window)


def test_teaching_waits_for_the_start_merge(qtbot, start_app, teach_videos, ui_assets, monkeypatch):
    """A teach saved before the start's merge is in use would be undone by it: Ctrl+T says the
    notes are being prepared until then."""
    import cv2

    from desktop_app.recognition.gallery import ReferenceGallery
    from desktop_app.teaching import loading
    from desktop_app.teaching.checks import Negatives
    from desktop_app.teaching.views import examine

    cap = cv2.VideoCapture(str(teach_videos.unknown))
    frames = [cap.read()[1] for _ in range(12)]
    views = [examine(frames[0], "first").view, examine(frames[6], "second").view]
    store = UserStore(user_data_dir())
    assert Teacher(store, ReferenceGallery.load(ui_assets.gallery), negatives=Negatives([], [])).learn("50", views).ok
    release = threading.Event()
    real_finish = loading.TaughtNotes.finish

    def slow_finish(self):
        release.wait(30)
        return real_finish(self)

    monkeypatch.setattr(loading.TaughtNotes, "finish", slow_finish)
    run = start_app(str(teach_videos.unknown))
    window = _ready(qtbot, run)
    QTest.keyClick(window, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: len(run.heard("teach.preparing")) == 2, timeout=3000)
    assert not run.heard("teach.start") and not window.teach.active
    release.set()
    qtbot.waitUntil(lambda: bool(run.heard("teach.ready")), timeout=CHECK_TIMEOUT)
    QTest.keyClick(window, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: bool(run.heard("teach.start")), timeout=3000)


def test_without_the_negatives_file_teaching_says_so_before_any_step(qtbot, start_app, teach_videos, monkeypatch, tmp_path):
    from desktop_app.teaching import loading

    real_init = loading.TaughtNotes.__init__

    def missing(self, store, negatives_path=None):
        real_init(self, store, tmp_path / "gone.npz")

    monkeypatch.setattr(loading.TaughtNotes, "__init__", missing)
    run = start_app(str(teach_videos.unknown))
    window = _ready(qtbot, run)
    QTest.keyClick(window, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: bool(run.heard("teach.no_negatives")), timeout=3000)
    assert "gone.npz" in _texts(run, "teach.no_negatives")[0]
    assert not window.teach.active and not run.heard("teach.start")


def test_a_start_merge_that_fails_is_said(qtbot, start_app, teach_videos, ui_assets, monkeypatch):
    import cv2

    from desktop_app.recognition.gallery import ReferenceGallery
    from desktop_app.teaching import loading
    from desktop_app.teaching.checks import Negatives
    from desktop_app.teaching.views import examine

    cap = cv2.VideoCapture(str(teach_videos.unknown))
    frames = [cap.read()[1] for _ in range(12)]
    store = UserStore(user_data_dir())
    assert Teacher(store, ReferenceGallery.load(ui_assets.gallery), negatives=Negatives([], [])).learn(
        "50", [examine(frames[0], "first").view, examine(frames[6], "second").view]).ok

    def broken(self):
        raise MemoryError("no memory for the merge")

    monkeypatch.setattr(loading.TaughtNotes, "finish", broken)
    run = start_app(str(teach_videos.unknown))
    _ready(qtbot, run)
    qtbot.waitUntil(lambda: bool(run.heard("teach.prepare_failed")), timeout=10000)
    assert "no memory for the merge" in _texts(run, "teach.prepare_failed")[0]
