"""Terminal mode: Enter taps the scan key, answers are spoken and printed, q quits."""
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop_app.cli import display_available
from desktop_app.console import ConsoleApp, open_console_source, print_sink, run_console
from desktop_app.voice.announcer import Announcer
from desktop_app.recognition.evidence import FrameEvidence, ModelOutput, Quality, Verification
from desktop_app.sources.frames import ImageFolderSource
from desktop_app.voice.phrases import PhraseCatalogue
from desktop_app.paths import REPO_ROOT
from desktop_app.voice.messages import SpeechUnavailable
from tests.sources.fakes import ComingBack, RaisingCamera, RaisingClip
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


def _until(condition, seconds=10.0):
    """Key lines typed once ``condition()`` holds: the person waits, then quits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.05)
    yield "q\n"


def test_a_camera_driver_error_is_said_once_and_the_camera_reopened():
    announcer, spy, out = make_announcer()
    broken = RaisingCamera(index=0, good=2, error="VIDIOC_DQBUF: No such device")
    factory = ComingBack(missing=1)
    app = ConsoleApp(broken, BrightnessRecognizer(), announcer, out=out, reopen=lambda: factory(0), retry=0.05,
                     lines=_until(lambda: "camera.back" in spy.keys))
    assert app.run() == 0
    assert spy.keys.count("camera.failed") == 1 and spy.keys.count("camera.back") == 1
    assert "! Camera 0 failed: VIDIOC_DQBUF: No such device. Trying again." in out.getvalue()
    assert factory.calls == 2  # looked for again until it was back, without a word in between
    assert broken.closed and not broken.closed_during_read
    assert broken.closed_by is not threading.main_thread()  # closed by the thread that read it


def test_a_recording_that_raises_is_said_with_its_cause():
    announcer, spy, out = make_announcer()
    app = ConsoleApp(RaisingClip(good=2, error="corrupt packet"), BrightnessRecognizer(), announcer, out=out,
                     lines=_until(lambda: "source.failed" in spy.keys))
    assert app.run() == 0
    assert "! Cannot read clip.avi: corrupt packet." in out.getvalue()


class LateFailingSpeech(SpeechSpy):
    """Speech whose TTS worker fails after speak() returned, calling back from its own thread."""

    def speak(self, utterance):
        super().speak(utterance)
        if utterance.key == "console.keys":
            worker = threading.Thread(target=self.on_unavailable, args=(SpeechUnavailable("audio device vanished"),))
            worker.start()
            worker.join()


class ThreadedOutput(io.StringIO):
    def __init__(self):
        super().__init__()
        self.writers: list[tuple[str, threading.Thread]] = []

    def write(self, text):
        self.writers.append((text, threading.current_thread()))
        return super().write(text)


def test_a_late_speech_failure_is_said_from_the_console_thread(tmp_path, bright_folder):
    out = ThreadedOutput()
    code = run_console(source=str(bright_folder), language="en", model=tmp_path / "m.onnx",
                       gallery=tmp_path / "g.npz", speech=LateFailingSpeech(), stdin=io.StringIO("q\n"), out=out)
    assert code == 0
    said = [thread for text, thread in out.writers if "Sound is not working" in text]
    assert said == [threading.current_thread()]


def _refuse_listing(monkeypatch):
    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refuse)


def test_an_unreadable_folder_says_why_and_exits_non_zero(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    _refuse_listing(monkeypatch)
    out = io.StringIO()
    code = run_console(source=str(folder), language="en", model=tmp_path / "m.onnx", gallery=tmp_path / "g.npz",
                       speech=SpeechSpy(), stdin=io.StringIO(""), out=out)
    assert code == 2
    assert f"! Cannot open folder {folder}: Permission denied." in out.getvalue()
    assert "Traceback" not in capsys.readouterr().err


UNREADABLE_FOLDER = """
import pathlib, sys
def refuse(self):
    raise PermissionError(13, "Permission denied", str(self))
pathlib.Path.iterdir = refuse  # a folder without read permission (the tests run as root)
from desktop_app.cli import main
sys.exit(main(["--console", "--language", "en", "--source", sys.argv[1]]))
"""


def test_console_with_an_unreadable_folder_prints_no_traceback(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    env = dict(os.environ, NCR_NO_TTS="1")
    done = subprocess.run([sys.executable, "-c", UNREADABLE_FOLDER, str(folder)], cwd=REPO_ROOT, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"Cannot open folder {folder}: Permission denied." in done.stdout
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout


def test_a_keyboard_that_cannot_be_read_is_said_and_ends_the_session(bright_folder):
    announcer, spy, out = make_announcer()

    def broken_keyboard():
        yield "t\n"
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    app = ConsoleApp(ImageFolderSource(bright_folder, loop=True), BrightnessRecognizer(), announcer,
                     lines=broken_keyboard(), out=out)
    codes = []
    session = threading.Thread(target=lambda: codes.append(app.run()), daemon=True)
    session.start()
    session.join(10)
    assert codes == [0]  # it ended; it did not wait for ever on a dead keyboard thread
    assert "! Cannot read the keyboard: 'utf-8' codec can't decode byte 0xff" in out.getvalue()
    assert spy.keys[-2:] == ["console.input_failed", "console.bye"]


def test_counting_keys_are_the_windows_counting(bright_folder):
    announcer, spy, out = make_announcer()
    source = ImageFolderSource(bright_folder, loop=True)
    lines = iter(["\n", "u\n", "u\n", "a\n", "\n", "0\n", "0\n", "t\n", "q\n"])
    app = ConsoleApp(source, BrightnessRecognizer(), announcer, lines=lines, out=out)
    assert app.run() == 0
    printed = out.getvalue()
    assert "Took back 500 rupees. Total 0 rupees." in printed and "Nothing to take back." in printed
    assert "Nothing to add." in printed
    assert "Press zero again to clear the total of 500 rupees." in printed
    assert printed.index("Press zero again") < printed.index("Total cleared.")
    assert announcer.total == 0  # (the scan after U counted again: U forgets the last scan too)


def test_with_a_screen_reader_the_terminal_plays_only_tones_and_prints_every_word(tmp_path, bright_folder, monkeypatch):
    """A terminal screen reader reads what is printed; the app's own voice would be a second one."""
    monkeypatch.setenv("NCR_SCREEN_READER", "1")
    spy, out = SpeechSpy(), io.StringIO()
    code = run_console(source=str(bright_folder), language="en", model=tmp_path / "m.onnx", gallery=tmp_path / "g.npz",
                       speech=spy, stdin=io.StringIO("v\nq\n"), out=out)
    assert code == 0
    printed = out.getvalue()
    assert "Your screen reader speaks." in printed and "Press V to change who speaks." in printed
    spoken = [u.key for u in spy.spoken]
    assert "output.screen_reader" not in spoken and "console.keys" not in spoken  # no words of its own
    assert "The app and your screen reader both speak." in printed  # V moved on to "both"
    assert "output.both" in spoken  # ... where the app speaks again


def test_without_a_screen_reader_the_terminal_speaks_itself(tmp_path, bright_folder, monkeypatch):
    monkeypatch.setenv("NCR_SCREEN_READER", "0")
    spy, out = SpeechSpy(), io.StringIO()
    assert run_console(source=str(bright_folder), language="en", model=tmp_path / "m.onnx",
                       gallery=tmp_path / "g.npz", speech=spy, stdin=io.StringIO("q\n"), out=out) == 0
    assert "This app speaks." in out.getvalue()
    assert {"console.keys", "output.app"} <= {u.key for u in spy.spoken}
