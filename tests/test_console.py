"""Terminal mode: Enter taps the scan key, answers are spoken and printed, q quits."""
import io

import cv2
import numpy as np
import pytest

from desktop_app.cli import display_available
from desktop_app.console import ConsoleApp, open_console_source, print_sink, run_console
from desktop_app.voice.announcer import Announcer
from desktop_app.recognition.evidence import FrameEvidence, ModelOutput, Quality, Verification
from desktop_app.sources.frames import ImageFolderSource
from desktop_app.voice.phrases import PhraseCatalogue
from tests.spies import SpeechSpy


class BrightnessRecognizer:
    """A bright frame 'is' a verified Rs 500 note."""

    ready = True
    model = None

    def __init__(self, with_model=False):
        self.model = object() if with_model else None

    def evaluate(self, image, t, verify=True):
        if self.model is not None and not verify:
            presence = 0.95 if image.mean() > 128 else 0.05
            return FrameEvidence(t, Quality(120.0, 300.0, False, False), Verification(),
                                 ModelOutput(presence, (("500", 0.5),)))
        if image.mean() > 128:
            v = Verification("500", "back", inliers=40, score=40.0, runner_up="100", runner_up_score=5.0,
                             accepted=True, keypoints=500)
        else:
            v = Verification(keypoints=3)
        return FrameEvidence(t, Quality(120.0, 300.0, False, False), v)


class TypedInput(io.StringIO):
    """Stands in for a person at the keyboard."""

    def isatty(self):
        return True


@pytest.fixture
def bright_folder(tmp_path):
    folder = tmp_path / "clip"
    folder.mkdir()
    cv2.imwrite(str(folder / "note.png"), np.full((48, 64, 3), 230, np.uint8))
    return folder


def make_announcer(language="en"):
    spy = SpeechSpy()
    out = io.StringIO()
    announcer = Announcer(PhraseCatalogue.load(), spy, language=language)
    announcer.screen_text.append(print_sink(out))
    return announcer, spy, out


def test_enter_scans_once_and_q_quits(bright_folder):
    announcer, spy, out = make_announcer()
    source = ImageFolderSource(bright_folder, loop=True)
    app = ConsoleApp(source, BrightnessRecognizer(), announcer, lines=iter(["\n", "t\n", "q\n"]), out=out)
    assert app.run() == 0
    assert [d.label for d in app.decisions] == ["500"]
    spoken = [u.key for u in spy.spoken]
    assert "note.500" in spoken and spoken.index("note.500") < spoken.index("total")
    assert "start" in spy.earcons
    printed = out.getvalue()
    assert ">> 500 rupees" in printed and "Total 500 rupees" in printed


def test_kiosk_mode_scans_when_a_note_is_shown(tmp_path):
    import time

    folder = tmp_path / "kiosk"
    folder.mkdir()
    cv2.imwrite(str(folder / "a_empty.png"), np.full((48, 64, 3), 10, np.uint8))
    cv2.imwrite(str(folder / "b_note.png"), np.full((48, 64, 3), 230, np.uint8))
    announcer, spy, out = make_announcer()
    app = None

    def customer_leaves():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (app and app.decisions):
            time.sleep(0.05)
        yield "q\n"

    source = ImageFolderSource(folder, seconds_per_image=1.0, loop=True)
    app = ConsoleApp(source, BrightnessRecognizer(with_model=True), announcer, lines=customer_leaves(),
                     out=out, kiosk=True)
    assert app.run() == 0
    assert [d.label for d in app.decisions] == ["500"]
    keys = [u.key for u in spy.spoken]
    assert keys.index("kiosk.prompt") < keys.index("kiosk.scanning") < keys.index("note.500")


def test_end_of_input_quits_cleanly(bright_folder):
    announcer, _, out = make_announcer()
    app = ConsoleApp(ImageFolderSource(bright_folder, loop=True), BrightnessRecognizer(), announcer,
                     lines=iter([]), out=out)
    assert app.run() == 0
    assert app.decisions == []


def test_no_camera_and_no_keyboard_exits_with_a_clear_message(tmp_path):
    announcer, spy, out = make_announcer()
    missing = tmp_path / "nothing.mp4"
    assert open_console_source(str(missing), announcer, stdin=io.StringIO(""), out=out) is None
    assert "Cannot read video" in out.getvalue() and str(missing) in out.getvalue()


def test_no_camera_asks_for_a_recording(tmp_path, bright_folder):
    announcer, _, out = make_announcer()
    typed = TypedInput(f"{tmp_path / 'nope.avi'}\n{bright_folder}\n")
    source = open_console_source(str(tmp_path / "missing.avi"), announcer, stdin=typed, out=out)
    assert source is not None and not source.live
    text = out.getvalue()
    assert text.count("Cannot read video") == 2 and "Video clip opened." in text


def test_run_console_without_a_source_says_why_and_exits(tmp_path):
    out = io.StringIO()
    spy = SpeechSpy()
    code = run_console(source=str(tmp_path / "gone.mp4"), language="en", model=tmp_path / "m.onnx",
                       gallery=tmp_path / "g.npz", reason="display.missing", speech=spy, stdin=io.StringIO(""),
                       out=out)
    assert code == 2
    text = out.getvalue()
    assert "m.onnx" in text and "g.npz" in text  # what is missing is named
    assert "gone.mp4" in text


def test_display_detection():
    assert not display_available({}, "linux")
    assert display_available({"DISPLAY": ":0"}, "linux")
    assert display_available({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert display_available({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not display_available({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert display_available({}, "win32")
