"""Fixtures for the window tests: a note video, a gallery and a tiny ONNX model, all built here,
and a factory that starts the real window with a SpeechSpy and a private settings file."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.spies import SpeechSpy
from desktop_app.ui.accessibility import Posted
from desktop_app.ui.app import AppOptions, AppParts, build_app
from desktop_app.ui.settings import AppSettings
from tests.builders.video import write_video

NOTE = "500"
GALLERY_DENOMINATIONS = ("100", "500", "1000")
FRAME_SIZE = (640, 480)
FPS = 12.0


@dataclass(frozen=True)
class Assets:
    model: Path
    gallery: Path
    note_video: Path  # a synthetic Rs 500 note lying in a scene, slightly moving
    empty_video: Path  # the same kind of scene without a note
    bare_video: Path  # an empty, evenly lit counter: what a kiosk sees between customers


def _note_corners(rng: np.random.Generator, note_shape) -> np.ndarray:
    w, h = FRAME_SIZE
    nh, nw = note_shape[:2]
    scale = 0.62 * min(w / nw, h / nh)
    half = np.array([[-nw, -nh], [nw, -nh], [nw, nh], [-nw, nh]], np.float32) * scale / 2
    angle = np.deg2rad(rng.uniform(-5, 5))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    centre = np.array([w / 2 + rng.uniform(-8, 8), h / 2 + rng.uniform(-8, 8)], np.float32)
    return (half @ rot.T + centre).astype(np.float32)


def _bare_counter(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    frame = np.full((FRAME_SIZE[1], FRAME_SIZE[0], 3), (150, 160, 165), np.float32)
    frame += rng.normal(0, 1.5, frame.shape)  # sensor noise only
    return np.clip(frame, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def ui_assets(tmp_path_factory) -> Assets:
    from tests.builders.model import write_tiny_model
    from tests.builders.notes import place_note, synthetic_gallery, synthetic_note, synthetic_scene

    folder = tmp_path_factory.mktemp("ui-assets")
    model = write_tiny_model(folder / "tiny.onnx")
    gallery_path = folder / "gallery.npz"
    synthetic_gallery(GALLERY_DENOMINATIONS).save(gallery_path)

    note = synthetic_note(NOTE)
    rng = np.random.default_rng(7)
    note_frames, empty_frames = [], []
    for i in range(16):
        background = cv2.resize(synthetic_scene(i % 4), FRAME_SIZE)
        empty_frames.append(background)
        note_frames.append(place_note(note, background.copy(), _note_corners(rng, note.shape)))
    return Assets(
        model=model,
        gallery=gallery_path,
        note_video=write_video(folder / "note500.avi", note_frames, FPS),
        empty_video=write_video(folder / "empty.avi", empty_frames, FPS),
        bare_video=write_video(folder / "bare.avi", [_bare_counter(i) for i in range(8)], FPS),
    )


@dataclass
class Running:
    parts: AppParts
    spy: SpeechSpy
    posted: list[Posted] = field(default_factory=list)

    @property
    def window(self):
        return self.parts.window

    def heard(self, key: str) -> list:
        return [u for u in self.spy.spoken if u.key == key]


@pytest.fixture
def start_app(qtbot, tmp_path, ui_assets):
    """Starts the real window; ``start_app(source=..., kiosk=..., ...)`` -> Running."""
    QApplication.instance().setQuitOnLastWindowClosed(False)  # closing a test window must not end the run
    running: list[Running] = []

    def start(source: str | None = None, *, language: str = "en", kiosk: bool = False,
              model: Path | None = None, gallery: Path | None = None, settings_file: Path | None = None,
              ask_open_file=None, output_mode: str | None = "both", reader_path: str = "announcement") -> Running:
        spy = SpeechSpy()
        settings = AppSettings.open(settings_file or tmp_path / f"settings-{len(running)}.ini")
        # "both" (app voice and assertive announcements) is what the older tests describe;
        # None leaves it unchosen, so the window follows the screen reader (NCR_SCREEN_READER).
        if output_mode is not None or settings_file is None:
            settings.output_mode = output_mode
        # Announcements, whatever Orca or speech-dispatcher this machine has ("auto" to detect).
        settings.store.setValue("speech/reader_path", reader_path)
        options = AppOptions(source=source, language=language, kiosk=kiosk,
                             model=model or ui_assets.model, gallery=gallery or ui_assets.gallery, speech=spy)
        parts = build_app(options, settings=settings)
        run = Running(parts, spy, list(parts.window.screen_reader.posted))  # start-up messages too
        parts.window.screen_reader.hooks.append(run.posted.append)
        if ask_open_file is not None:
            parts.window._ask_open_file = ask_open_file
        running.append(run)
        parts.window.activateWindow()
        # Window shortcuts (Ctrl+O) need the window active, as it is on a desktop.
        qtbot.waitUntil(parts.window.isActiveWindow, timeout=5000)
        return run

    yield start
    for run in running:
        run.window.quit_now()
        run.window.deleteLater()
    qtbot.wait(10)


def decisions(run: Running) -> list[Posted]:
    """What the screen reader was told as results (one per decided scan)."""
    return [p for p in run.posted if p.kind == "result"]


def focused_clicks(button) -> list:
    """Gives the button the focus and returns the list its clicks are recorded in."""
    clicks: list = []
    button.clicked.connect(lambda: clicks.append(True))
    button.setFocus()
    return clicks


def key_event(kind: QEvent.Type, key=Qt.Key.Key_Space, autorepeat: bool = False, text: str = " ") -> QKeyEvent:
    return QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text, autorepeat)


def hold_space(qtbot, target, until, *, timeout_ms: int = 20000, x11_pairs: bool = False, step_ms: int = 33) -> bool:
    """Presses Space on ``target`` and keeps it down, as a held key does, until ``until()``.

    While held, Qt sends autorepeat release/press pairs flagged ``isAutoRepeat``; with
    ``x11_pairs`` the pairs come unflagged, as some Linux setups deliver them.
    """
    QTest.keyPress(target, Qt.Key.Key_Space)
    waited = 0
    while not until():
        if waited >= timeout_ms:
            return False
        QApplication.sendEvent(target, key_event(QEvent.Type.KeyRelease, autorepeat=not x11_pairs))
        QApplication.sendEvent(target, key_event(QEvent.Type.KeyPress, autorepeat=not x11_pairs))
        qtbot.wait(step_ms)
        waited += step_ms
    return True


def release_space(target) -> None:
    QTest.keyRelease(target, Qt.Key.Key_Space)
