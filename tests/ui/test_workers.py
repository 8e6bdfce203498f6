"""The capture and recognition threads: newest frame only, states reported once, modes obeyed."""
from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest

from desktop_app.recognition.evidence import FrameEvidence, Quality, Verification
from desktop_app.sources.frames import Frame, VideoSource
from desktop_app.ui.workers import OFF, PRESENCE, SCAN, TEACH, CaptureWorker, LatestFrame, RecognitionWorker, to_qimage
from tests.builders.video import write_video
from tests.sources.fakes import FlakyCamera, RaisingCamera, StallingCamera


def _write_video(path, frames=12, size=(160, 120), fps=30.0):
    images = (np.full((size[1], size[0], 3), (i * 20) % 255, np.uint8) for i in range(frames))
    return write_video(path, images, fps)


class RecordingRecognizer:
    """Stands in for the Recognizer to observe what the thread asks of it."""

    model = None
    ready = True

    def __init__(self, fail=False):
        self.calls: list[tuple[float, bool]] = []
        self.fail = fail
        self.lock = threading.Lock()

    def evaluate(self, image, t, verify=True):
        with self.lock:
            self.calls.append((t, verify))
        if self.fail:
            raise RuntimeError("model exploded")
        return FrameEvidence(t, Quality(100.0, 500.0, False, False), Verification())


def test_to_qimage_owns_an_rgb_copy():
    image = np.zeros((10, 20, 3), np.uint8)
    image[..., 2] = 255  # red in BGR
    qimage = to_qimage(image)
    image[...] = 0
    assert (qimage.width(), qimage.height()) == (20, 10)
    assert qimage.pixelColor(5, 5).red() == 255


def test_to_qimage_downscales_wide_frames():
    qimage = to_qimage(np.zeros((1080, 1920, 3), np.uint8), max_width=960)
    assert (qimage.width(), qimage.height()) == (960, 540)


def test_latest_frame_gives_only_newer_frames():
    slot = LatestFrame()
    assert slot.newer_than(0, timeout=0.01) == (0, None)
    for i in range(3):
        slot.put(Frame(np.zeros((2, 2, 3), np.uint8), float(i), i))
    seq, frame = slot.newer_than(0, timeout=0.01)
    assert seq == 3 and frame.index == 2  # older frames were replaced, never queued
    assert slot.newer_than(seq, timeout=0.01) == (seq, None)


def test_capture_restamps_frames_and_reports_end_once(qtbot, tmp_path):
    source = VideoSource(_write_video(tmp_path / "clip.avi"))
    slot = LatestFrame()
    ticks = itertools.count(1000)
    worker = CaptureWorker(source, slot, clock=lambda: float(next(ticks)))
    previews = []
    ended = []
    worker.preview.connect(lambda image: (previews.append(image.size()), worker.preview_shown()))
    worker.ended.connect(lambda: ended.append(True))
    with qtbot.waitSignal(worker.ended, timeout=10000):
        worker.start()
    worker.stop()
    worker.wait(2000)
    qtbot.waitUntil(lambda: len(ended) == 1)
    assert worker.frames == 12
    assert previews and previews[0].width() == 160
    _, frame = slot.newer_than(0, timeout=0.01)
    assert frame.t >= 1000.0  # the capture clock, not the video's own timestamps
    assert frame.index == 11
    qtbot.wait(50)
    assert ended == [True]


def test_previews_wait_until_the_ui_has_shown_the_last_one(qtbot, tmp_path):
    source = VideoSource(_write_video(tmp_path / "clip.avi", frames=20))
    worker = CaptureWorker(source, LatestFrame())
    previews = []
    worker.preview.connect(lambda image: previews.append(image))  # never calls preview_shown
    with qtbot.waitSignal(worker.ended, timeout=10000):
        worker.start()
    worker.stop()
    worker.wait(2000)
    qtbot.wait(20)
    assert len(previews) == 1
    assert worker.frames == 20


def test_camera_loss_and_return_are_reported_once_each(qtbot):
    camera = FlakyCamera(ok_before=5, gone_for=8)
    worker = CaptureWorker(camera, LatestFrame())
    events = []
    worker.lost.connect(lambda: events.append("lost"))
    worker.back.connect(lambda: events.append("back"))
    worker.start()
    try:
        qtbot.waitUntil(lambda: "back" in events and worker.frames > 10, timeout=10000)
    finally:
        worker.stop()
        worker.wait(2000)
    qtbot.wait(20)
    assert events == ["lost", "back"]  # eight empty reads, one report
    assert not worker.isRunning()


def test_recognition_follows_the_mode(qtbot):
    slot = LatestFrame()
    recognizer = RecordingRecognizer()
    worker = RecognitionWorker(recognizer, slot)
    got = []
    worker.evidence.connect(lambda evidence, mode: got.append((evidence.t, mode)))
    worker.start()

    def frame(index):  # stamped at capture with the monotonic clock, as CaptureWorker does
        return Frame(np.zeros((8, 8, 3), np.uint8), time.monotonic(), index)

    try:
        before = frame(0)
        slot.put(before)
        qtbot.wait(150)
        assert recognizer.calls == []  # off: nothing is evaluated

        worker.set_mode(SCAN)
        qtbot.wait(150)
        assert recognizer.calls == []  # captured before the scan began: it cannot count, so skipped
        first = frame(1)
        slot.put(first)
        qtbot.waitUntil(lambda: got == [(first.t, SCAN)], timeout=5000)
        qtbot.wait(150)
        assert recognizer.calls == [(first.t, True)]  # the same frame is never evaluated twice

        worker.set_mode(PRESENCE)
        second = frame(2)
        slot.put(second)
        qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
        assert got[1] == (second.t, PRESENCE)
        assert recognizer.calls[1] == (second.t, False)  # presence only: no gallery verification

        worker.set_mode(OFF)
        qtbot.wait(50)
        slot.put(frame(3))
        qtbot.wait(150)
        assert len(recognizer.calls) == 2
    finally:
        worker.stop()
        worker.wait(2000)


def test_teach_mode_examines_frames_instead_of_recognising_them(qtbot):
    slot = LatestFrame()
    recognizer = RecordingRecognizer()
    seen, failing = [], threading.Event()

    def examine(image):
        seen.append(image.shape)
        if failing.is_set():
            raise ValueError("examine broke")
        return "examined"

    worker = RecognitionWorker(recognizer, slot, examine=examine)
    got, failures = [], []
    worker.examined.connect(lambda examined, t, size: got.append((examined, t, size)))
    worker.failed.connect(failures.append)
    worker.start()
    try:
        slot.put(Frame(np.zeros((6, 10, 3), np.uint8), time.monotonic(), 0))
        worker.set_mode(TEACH)
        qtbot.wait(150)
        assert seen == []  # captured before Space went down: not a picture of this hold
        frame = Frame(np.zeros((6, 10, 3), np.uint8), time.monotonic(), 1)
        slot.put(frame)
        qtbot.waitUntil(lambda: got == [("examined", frame.t, (10, 6))], timeout=5000)
        failing.set()  # a frame that cannot be examined is skipped, not said as a broken model
        slot.put(Frame(np.zeros((6, 10, 3), np.uint8), time.monotonic(), 2))
        qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
        qtbot.wait(100)
    finally:
        worker.stop()
        worker.wait(2000)
    assert recognizer.calls == [] and failures == [] and len(got) == 1


def test_recognition_failure_is_reported_once(qtbot):
    slot = LatestFrame()
    worker = RecognitionWorker(RecordingRecognizer(fail=True), slot)
    failures = []
    worker.failed.connect(failures.append)
    worker.set_mode(SCAN)
    worker.start()
    try:
        for i in range(4):
            slot.put(Frame(np.zeros((8, 8, 3), np.uint8), time.monotonic(), i))
            qtbot.wait(260)
    finally:
        worker.stop()
        worker.wait(2000)
    assert failures == ["model exploded"]
    assert len(worker.recognizer.calls) >= 2


def test_bad_mode_is_refused():
    worker = RecognitionWorker(RecordingRecognizer(), LatestFrame())
    with pytest.raises(ValueError):
        worker.set_mode("fast")


def test_latest_frame_refuses_a_writer_of_an_older_generation():
    slot = LatestFrame()
    old = slot.reset()
    new = slot.reset()
    image = np.zeros((2, 2, 3), np.uint8)
    assert not slot.put(Frame(image, 0.0, 0), old)
    assert slot.newer_than(0, timeout=0.01) == (0, None)
    assert slot.put(Frame(image, 1.0, 1), new)
    assert slot.newer_than(0, timeout=0.01)[1].t == 1.0


def test_a_read_that_returns_after_the_slot_moved_on_hands_over_nothing(qtbot):
    camera = StallingCamera(good=0)
    slot = LatestFrame()
    worker = CaptureWorker(camera, slot, generation=slot.reset())
    previews = []
    worker.preview.connect(previews.append)
    worker.start()
    assert camera.stalled.wait(5)
    slot.reset()  # another source took the slot while this read() was stuck
    camera.release.set()
    assert worker.wait(2000)  # and the worker ends by itself: its frames have nowhere to go
    qtbot.wait(50)
    assert slot.newer_than(0, timeout=0.01) == (0, None) and previews == []
    assert camera.closed and not camera.closed_during_read


def test_a_worker_stopped_during_a_read_hands_over_nothing_and_closes_its_source(qtbot):
    camera = StallingCamera(good=0)
    slot = LatestFrame()
    worker = CaptureWorker(camera, slot)
    previews = []
    worker.preview.connect(previews.append)
    worker.start()
    assert camera.stalled.wait(5)
    started = time.monotonic()
    worker.stop()
    assert time.monotonic() - started < 0.05  # stop() never waits for the read
    assert worker.isRunning() and not camera.closed
    camera.release.set()
    assert worker.wait(2000)
    qtbot.wait(50)
    assert slot.newer_than(0, timeout=0.01) == (0, None) and previews == []
    assert camera.closed and not camera.closed_during_read
    assert camera.closed_by is not threading.main_thread()


def test_a_read_that_raises_ends_the_thread_with_its_reason(qtbot):
    camera = RaisingCamera(good=2, error="driver error")
    worker = CaptureWorker(camera, LatestFrame())
    with qtbot.waitSignal(worker.died, timeout=5000) as died:
        worker.start()
    assert died.args == ["driver error"]
    assert worker.wait(2000) and camera.closed


def test_a_recognition_loop_that_breaks_reports_its_death(qtbot):
    slot = LatestFrame()

    def broken(seq, timeout):
        raise RuntimeError("slot broke")

    slot.newer_than = broken
    worker = RecognitionWorker(RecordingRecognizer(), slot)
    worker.set_mode(SCAN)
    deaths = []
    worker.died.connect(deaths.append)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    assert deaths == ["slot broke"]  # said before it finished
    assert worker.wait(2000) and worker.isFinished()
