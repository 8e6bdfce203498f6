"""Replay: a video through the window's scan session, on the video's clock.

Two layers: a recognizer keyed on frame brightness pins down the session timing exactly (every
number below is worked out by hand from the thresholds); then a real recognizer (synthetic
gallery + tiny ONNX model) on a video of a synthetic note checks the whole pipeline.
"""
import json

import cv2
import numpy as np
import pytest

from desktop_app.recognition.evidence import FrameEvidence, ModelOutput, Quality, Verification
from desktop_app.sources.frames import VideoSource
from desktop_app.voice.phrases import PhraseCatalogue
from desktop_app.testers.replay import ReplayError, replay, report_paths, timeline_rows, write_report
from desktop_app.testers.reading import Span
from desktop_app.recognition.thresholds import DEFAULT
from tests.builders.video import write_video as write_clip

FPS = 10


class BrightnessRecognizer:
    """A bright frame 'is' a verified Rs 100 note; a dark one is an empty view."""

    ready = True

    def __init__(self, with_model=True):
        self.model = object() if with_model else None
        self.evaluated = []

    def presence(self, image):
        return 0.9 if image.mean() > 128 else 0.05

    def evaluate(self, image, t, verify=True):
        self.evaluated.append(round(t, 3))
        quality = Quality(120.0, 300.0, False, False)
        model = ModelOutput(self.presence(image), (("100", 0.6),)) if self.model else None
        if image.mean() > 128:
            v = Verification("100", "front", inliers=20, score=20.0, runner_up="500", runner_up_score=4.0,
                             accepted=True, keypoints=500)
        else:
            v = Verification(keypoints=3)
        return FrameEvidence(t, quality, v, model)


def write_video(path, seconds, bright_from, bright_to, size=(64, 48)):
    values = (230 if bright_from <= i / FPS < bright_to else 15 for i in range(int(seconds * FPS)))
    return write_clip(path, (np.full((size[1], size[0], 3), value, np.uint8) for value in values), FPS)


@pytest.fixture(scope="module")
def catalogue():
    return PhraseCatalogue.load()


@pytest.fixture
def video(tmp_path):
    return write_video(tmp_path / "bright.avi", 6.0, 1.0, 3.0)


def test_holds_timeline_by_hand(video, catalogue):
    recognizer = BrightnessRecognizer()
    result = replay(VideoSource(video), recognizer, catalogue=catalogue,
                    holds=[Span(0.9, 3.2), Span(4.0, 5.0)], labels=[Span(1.0, 3.0, "100")])
    # Hold 1: pressed at 0.9; frames at 1.0, 1.2 and 1.4 verify 100 -> agree_frames (3) reached at 1.4.
    # Hold 2: released at 5.0, confirmed after the 80 ms grace at the 5.1 tick; a hold shorter than
    # the tap burst (1.2 s) keeps scanning until 4.0 + 1.2 = 5.2; the 5.2 tick decides before the
    # 5.2 frame is looked at, so frames 4.0..5.0 (six) count.
    first, second = result.announcements
    assert DEFAULT.agree_frames == 3
    assert (first.t, first.decision, first.frames_used, first.hold_start, first.time_to_announce) == (
        1.4, "100", 3, 0.9, pytest.approx(0.5))
    assert first.key == "note.100" and first.text_en == "100 rupees" and first.text_ne == "एक सय रुपैयाँ"
    assert (second.t, second.decision, second.frames_used, second.time_to_announce) == (
        pytest.approx(5.2), "none", 6, pytest.approx(1.2))
    assert second.text_en == "No note seen."
    # Only frames inside a scan are evaluated, on the 0.2 s grid of video time.
    assert recognizer.evaluated == [1.0, 1.2, 1.4, 4.0, 4.2, 4.4, 4.6, 4.8, 5.0]
    assert [h.outcome for h in result.holds] == ["right", None]  # hold 2 is unlabelled
    s = result.summary
    assert (s["labelled"], s["right"], s["wrong"], s["unsure"], s["none"], s["missed"]) == (1, 1, 0, 0, 0, 0)
    assert s["accuracy"] == 1.0
    assert s["time_to_announce_s"]["median"] == pytest.approx(0.5)


def test_labels_with_empty_spans_score_the_empty_hold(video, catalogue):
    labels = [Span(0, 1, "none"), Span(1, 3, "100"), Span(3, 6, "none")]
    result = replay(VideoSource(video), BrightnessRecognizer(), catalogue=catalogue,
                    holds=[Span(0.9, 3.2), Span(4.0, 5.0)], labels=labels)
    assert [(h.truth, h.outcome) for h in result.holds] == [("100", "right"), ("none", "right")]
    assert result.summary["per_class"]["100"]["accuracy"] == 1.0


def test_wrong_label_counts_as_a_wrong_announcement(video, catalogue):
    result = replay(VideoSource(video), BrightnessRecognizer(), catalogue=catalogue,
                    holds=[Span(0.9, 3.2)], labels=[Span(1.0, 3.0, "500")])
    assert result.summary["wrong"] == 1 and result.summary["accuracy"] == 0.0


def test_a_press_during_a_tap_burst_has_no_answer_of_its_own(video, catalogue):
    # Tap at 4.0-4.1 scans until 5.2; the press at 4.5 falls inside that burst.
    result = replay(VideoSource(video), BrightnessRecognizer(), catalogue=catalogue,
                    holds=[Span(4.0, 4.1), Span(4.5, 4.6)], labels=[Span(3.0, 6.0, "none")])
    assert [h.said for h in result.holds] == ["none", None]
    assert result.summary["missed"] == 1


def test_a_zero_length_hold_is_a_tap(video, catalogue):
    # Press and release at 1.3: the tap burst scans until 1.3 + 1.2; frames 1.4, 1.6, 1.8 agree.
    result = replay(VideoSource(video), BrightnessRecognizer(), catalogue=catalogue, holds=[Span(1.3, 1.3)])
    (only,) = result.announcements
    assert (only.t, only.decision, only.frames_used) == (pytest.approx(1.8), "100", 3)


def test_a_hold_past_the_end_of_the_video_still_gets_its_answer(tmp_path, catalogue):
    video = write_video(tmp_path / "short.avi", 2.0, 0.0, 0.0)  # all dark, 2 s
    result = replay(VideoSource(video), BrightnessRecognizer(), catalogue=catalogue, holds=[Span(1.5, 4.0)])
    (only,) = result.announcements
    assert only.decision == "none" and only.t == pytest.approx(4.1)  # release 4.0 + grace, on the 50 ms ticks


def test_auto_trigger_scans_when_the_note_settles(tmp_path, catalogue):
    video = write_video(tmp_path / "late.avi", 6.0, 1.1, 3.0)
    result = replay(VideoSource(video), BrightnessRecognizer(), catalogue=catalogue, auto=True,
                    labels=[Span(1.1, 3.0, "100")])
    # As in the window: while waiting, frames only get the model's presence. First seen on the
    # 1.2 sample; kiosk_settle 0.4 -> the trigger presses on the 1.6 frame, which was a presence
    # frame and is not verified; frames 1.8, 2.0 and 2.2 agree. The virtual key is released 3 s after
    # the press (4.6, confirmed at the 4.7 tick); the next frame (4.8) sees the scan over, the
    # view is clear from 5.0, and 0.4 s later (5.4) the kiosk re-arms for the next customer.
    assert DEFAULT.kiosk_settle == 0.4
    said = [(round(a.t, 3), a.key, a.decision) for a in result.announcements]
    assert said == [(1.6, "kiosk.scanning", None), (2.2, "note.100", "100"), (5.4, "kiosk.next_customer", None)]
    assert [(h.trigger, h.start, h.outcome) for h in result.holds] == [("auto", pytest.approx(1.6), "right")]
    assert result.holds[0].time_to_announce == pytest.approx(0.6)
    assert result.holds[0].time_from_note_shown == pytest.approx(1.1)  # shown at 1.1, said at 2.2
    assert result.summary["not_scanned"] == 0


def test_auto_trigger_without_a_model_uses_verification(tmp_path, catalogue):
    video = write_video(tmp_path / "late.avi", 4.0, 1.1, 3.0)
    recognizer = BrightnessRecognizer(with_model=False)
    result = replay(VideoSource(video), recognizer, catalogue=catalogue, auto=True)
    # Every sample is verified; a verified match counts as "present". Pressed on the 1.6 frame,
    # which (verified already) is the first vote; the 1.8 and 2.0 frames agree.
    assert [(round(a.t, 3), a.key) for a in result.announcements] == [(1.6, "kiosk.scanning"), (2.0, "note.100")]
    assert recognizer.evaluated[:3] == [0.0, 0.2, 0.4]


def test_bad_requests_are_refused(video, catalogue):
    with pytest.raises(ReplayError, match="holds"):
        replay(VideoSource(video), BrightnessRecognizer(), catalogue=catalogue)
    with pytest.raises(ReplayError, match="not both"):
        replay(VideoSource(video), BrightnessRecognizer(), catalogue=catalogue, auto=True, holds=[Span(1, 2)])


def test_same_video_same_report(video, catalogue, tmp_path):
    runs = []
    for name in ("a", "b"):
        result = replay(VideoSource(video), BrightnessRecognizer(), catalogue=catalogue,
                        holds=[Span(0.9, 3.2), Span(4.0, 5.0)], labels=[Span(1.0, 3.0, "100")])
        paths = write_report(result, tmp_path / name, "text")
        runs.append({k: p.read_bytes() for k, p in paths.items()})
    assert runs[0] == runs[1]
    data = json.loads(runs[0]["json"])
    assert [a["decision"] for a in data["announcements"]] == ["100", "none"]
    assert data["summary"]["accuracy"] == 1.0
    csv_lines = runs[0]["timeline"].decode().splitlines()
    assert csv_lines[0].startswith("t,said,text_en") and csv_lines[1].startswith("1.4,100,100 rupees")
    assert report_paths(tmp_path / "x.json")["timeline"].name == "x_timeline.csv"
    assert timeline_rows(result)[0]["outcome"] == "right"


# --- the real pipeline: synthetic gallery, tiny ONNX model, a video of a synthetic note -------------
@pytest.fixture(scope="module")
def real_setup(tmp_path_factory):
    from desktop_app.recognition.recognizer import load_recognizer
    from tests.builders.model import write_tiny_model
    from tests.builders.notes import place_note, synthetic_gallery, synthetic_note, synthetic_scene

    folder = tmp_path_factory.mktemp("replay_real")
    cv2.setRNGSeed(0)  # FLANN's randomised trees draw from OpenCV's global RNG
    synthetic_gallery().save(folder / "gallery.npz")
    write_tiny_model(folder / "model.onnx")
    recognizer, problems = load_recognizer(folder / "model.onnx", folder / "gallery.npz")
    assert problems == []
    background, note = synthetic_scene(3), synthetic_note("100")

    def frame(i):
        if 1.0 <= i / FPS < 3.0:  # a hand-held Rs 100, jittering by a few pixels
            dx, dy = 4 * np.sin(i), 3 * np.cos(1.3 * i)
            return place_note(note, background, [[120 + dx, 130 + dy], [520 + dx, 142 + dy],
                                                 [508 + dx, 330 + dy], [128 + dx, 318 + dy]])
        return background

    video = write_clip(folder / "note100.avi", (frame(i) for i in range(6 * FPS)), FPS)
    return recognizer, video


def test_real_pipeline_timeline_and_accuracy(real_setup, catalogue):
    recognizer, video = real_setup
    result = replay(VideoSource(video), recognizer, catalogue=catalogue,
                    holds=[Span(0.9, 3.2), Span(4.0, 5.0)], labels=[Span(1.0, 3.0, "100")])
    # Hand-computed: pressed at 0.9, the first frame on the 0.2 s grid after it is 1.0, the first
    # showing the note; a flat, sharp, full-view note clears the "strong" bar (30 inliers, margin 3)
    # by far, so that one frame decides. The second hold sees only the cluttered scene: nothing
    # verifies; the tap burst ends at 4.0 + 1.2 = 5.2 with frames 4.0..5.0 and no value.
    first, second = result.announcements
    assert (first.t, first.decision, first.key, first.frames_used) == (1.0, "100", "note.100", 1)
    assert first.time_to_announce == pytest.approx(0.1)
    assert result.frames[0].strong and result.frames[0].inliers >= DEFAULT.strong_inliers
    assert second.decision in ("none", "unsure") and second.t == pytest.approx(5.2) and second.frames_used == 6
    s = result.summary
    assert (s["labelled"], s["right"], s["wrong"]) == (1, 1, 0) and s["accuracy"] == 1.0
    assert s["time_to_announce_s"]["max"] == pytest.approx(0.1)


def test_real_pipeline_is_deterministic(real_setup, catalogue, tmp_path):
    recognizer, video = real_setup
    texts = []
    for name in ("one", "two"):
        # A coarser grid keeps this quick; both a note and an empty view are still evaluated.
        result = replay(VideoSource(video), recognizer, catalogue=catalogue, interval=0.4,
                        holds=[Span(0.9, 3.2), Span(4.0, 5.0)], labels=[Span(1.0, 3.0, "100")])
        paths = write_report(result, tmp_path / name, "")
        texts.append(paths["json"].read_text(encoding="utf-8") + paths["timeline"].read_text(encoding="utf-8"))
    assert texts[0] == texts[1]
