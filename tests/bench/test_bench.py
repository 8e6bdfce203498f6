"""The benchmark's own logic: statistics, targets, the VGG19 graph, frame-rate bookkeeping and a
simulated scan. No test here looks at how long anything took."""
from __future__ import annotations

import time

import numpy as np
import pytest

from bench.common import Check, Section, Stats, percentile, render
from bench.live_app import app_latencies, preview_rates, scan_intervals
from bench.scenes import NoteImage, camera_jitter, note_scene
from bench.verification import SimulatedCamera, timed_scan
from bench.vgg19 import VGG19_LAYERS, build_vgg19, parameter_count
from tests.recognition.evidence_factory import seen, vague


def test_percentile_interpolates_and_rejects_empty():
    xs = [4.0, 1.0, 3.0, 2.0]
    assert percentile(xs, 50) == 2.5
    assert percentile(xs, 0) == 1.0 and percentile(xs, 100) == 4.0
    assert percentile(list(map(float, range(101))), 95) == 95.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_stats_are_in_milliseconds():
    s = Stats.of_seconds([0.001, 0.002, 0.003])
    assert (s.n, s.median, s.min, s.max) == (3, 2.0, 1.0, 3.0)
    assert s.as_dict()["median"] == 2.0


def test_check_direction_and_table_says_why_missed():
    slow = Check("verify", 300.0, 250.0, "ms", why_missed="SIFT is slow")
    fast = Check("speed-up", 12.0, 10.0, "x", higher_is_better=True)
    assert not slow.met and fast.met
    assert Check("speed-up", 8.0, 10.0, "x", higher_is_better=True).met is False
    sec = Section("2", "demo", figures={"verify": Stats.of_seconds([0.3])}, checks=[slow, fast])
    table = render([sec, Section("3", "other").skip("no speech")])
    assert "MISSED" in table and "why: SIFT is slow" in table
    assert "skipped: no speech" in table and "[3]" not in table.split("== Targets")[1]
    assert sec.as_dict()["checks"][0] == dict(name="verify", value=300.0, limit=250.0, unit="ms",
                                              higher_is_better=False, met=False,
                                              why_missed="SIFT is slow")


def test_vgg19_parameter_count_is_the_published_one():
    assert parameter_count() == 143_667_240  # torchvision vgg19
    assert sum(1 for layer in VGG19_LAYERS if layer != "M") == 16


def test_tiny_vgg_graph_runs_with_external_weights(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    layers, classifier = (4, "M", 8, "M"), (16, 5)
    path = build_vgg19(tmp_path, input_size=16, layers=layers, classifier=classifier)
    data = tmp_path / "vgg19.data"
    assert data.stat().st_size == 4 * parameter_count(layers, classifier, 16)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).standard_normal((1, 3, 16, 16)).astype(np.float32)
    (logits,) = session.run(None, {"input": x})
    assert logits.shape == (1, 5) and np.all(np.isfinite(logits)) and np.abs(logits).sum() > 0


def test_note_scene_places_the_note_on_the_table():
    note = NoteImage(np.full((100, 200, 3), 255, np.uint8), "500", "white card")
    scene = note_scene(note, (320, 240))
    assert scene.shape == (240, 320, 3)
    centre, corner = scene[120, 160], scene[5, 5]
    assert centre.min() > 240 and corner.max() < 200  # white note in the middle, brown table outside
    frames = camera_jitter(scene, 3)
    assert len(frames) == 3 and not np.array_equal(frames[0], frames[1])


def test_scan_intervals_and_preview_rates():
    modes = [(1.0, "scan"), (2.0, "off"), (3.0, "scan"), (3.5, "off"), (5.0, "scan")]
    assert scan_intervals(modes, (0.0, 5.5)) == [(1.0, 2.0), (3.0, 3.5), (5.0, 5.5)]
    assert scan_intervals(modes, (1.5, 3.2)) == [(1.5, 2.0), (3.0, 3.2)]
    rec = dict(
        previews=[i / 30 for i in range(0, 30)] + [1.0 + i / 15 for i in range(0, 30)],  # 30 fps, then 15 fps
        idle_window=(0.0, 1.0), scan_window=(1.0, 3.0), modes=[(1.0, "scan"), (3.0, "off")],
    )
    rates = preview_rates(rec)
    assert rates["idle_fps"] == pytest.approx(30)
    assert rates["scan_fps"] == pytest.approx(15)
    assert rates["max_gap_ms"] == pytest.approx(1000 / 15)
    two_spans = dict(rec, modes=[(1.0, "scan"), (1.5, "off"), (2.5, "scan"), (3.0, "off")])
    assert preview_rates(two_spans)["max_gap_ms"] == pytest.approx(1000 / 15)  # the pause is not a gap


def test_app_latencies_pair_each_press_with_its_result_and_sound():
    rec = dict(presses=[1.0, 5.0, 9.0], results=[(1.6, "note.500"), (5.4, "note.500")],
               plays=[0.5, 1.61, 1.7, 5.45])
    lat = app_latencies(rec)
    assert lat["press_to_result"] == pytest.approx([0.6, 0.4])
    assert lat["result_to_sound"] == pytest.approx([0.01, 0.05])


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_simulated_camera_gives_the_newest_frame():
    clock = _Clock()
    camera = SimulatedCamera(["a", "b", "c"], fps=10, clock=clock)
    clock.now += 0.25
    index, t, image = camera.newest()
    assert (index, image) == (2, "c") and t == pytest.approx(100.2)
    clock.now += 0.1
    assert camera.newest()[2] == "a"  # frames cycle


class _FakeRecognizer:
    def __init__(self, make):
        self.make = make
        self.calls = 0

    def evaluate(self, image, t, verify=True):
        self.calls += 1
        return self.make(t)


def test_timed_scan_decides_on_agreeing_frames():
    from desktop_app.recognition.thresholds import DEFAULT

    rec = _FakeRecognizer(lambda t: seen("500", t))
    camera = SimulatedCamera([np.zeros((4, 4, 3), np.uint8)], fps=100)
    result = timed_scan(rec, camera, DEFAULT)
    assert result.label == "500" and result.frames == DEFAULT.agree_frames == rec.calls


def test_timed_scan_reports_a_timeout_when_nothing_verifies():
    from desktop_app.recognition.thresholds import DEFAULT

    rec = _FakeRecognizer(lambda t: vague(t))
    camera = SimulatedCamera([np.zeros((4, 4, 3), np.uint8)], fps=100)
    result = timed_scan(rec, camera, DEFAULT, limit=0.2)
    assert result.label == "timeout" and result.frames >= 2


def test_interleaved_timing_runs_each_model_the_asked_number_of_times(tmp_path):
    pytest.importorskip("onnxruntime")
    from bench.inference import interleaved
    from tests.builders.model import write_tiny_model

    tiny = write_tiny_model(tmp_path / "tiny.onnx")
    vgg = build_vgg19(tmp_path / "vgg", input_size=16, layers=(4, "M"), classifier=(3,))
    times = interleaved({"ours": tiny, "VGG19": vgg}, 1, {"ours": 23, "VGG19": 7}, rounds=5)
    assert len(times["ours"]) == 23 and len(times["VGG19"]) == 7
    assert all(t > 0 for t in times["ours"] + times["VGG19"])


def test_report_renders_results_between_markers(tmp_path):
    from bench.report import BEGIN, END, markdown, update

    sec = Section("1", "Inference", figures={"ours": Stats.of_seconds([0.002, 0.004])},
                  checks=[Check("speed-up", 5.0, 10.0, "x", higher_is_better=True, why_missed="too big")])
    result = dict(when="now", command="python bench/run.py", seconds=1.0, machine={"cpus": 2},
                  clear_note="synthetic", sections=[sec.as_dict()])
    block = markdown(result)
    assert "| 1 | speed-up | 5 x | >= 10 | **no**: too big |" in block
    assert "| ours | median 3 ms, p95 3.9 ms (n=2) |" in block
    doc = tmp_path / "B.md"
    doc.write_text(f"intro\n{BEGIN}\nold\n{END}\noutro\n")
    update(doc, block)
    text = doc.read_text()
    assert text.startswith("intro\n") and text.endswith("outro\n") and "old" not in text and "too big" in text


def test_timed_scan_can_evaluate_the_pre_press_frame_first_like_the_old_worker():
    # The comparison row of section 2: RecognitionWorker used to do this; it now skips such frames.
    from desktop_app.recognition.thresholds import DEFAULT

    clock_frames = [np.zeros((4, 4, 3), np.uint8)]
    rec = _FakeRecognizer(lambda t: seen("500", t))
    camera = SimulatedCamera(clock_frames, fps=5)  # 200 ms frames
    time.sleep(0.01)  # the press comes after frame 0 was captured
    result = timed_scan(rec, camera, DEFAULT, stale_first=True)
    assert result.label == "500"
    # the stale frame's evidence is ignored, agree_frames fresh ones decide
    assert result.frames == 1 + DEFAULT.agree_frames


def test_interleaved_calls_alternate_blocks():
    from bench.inference import interleaved_calls

    order = []
    times = interleaved_calls({"a": lambda: order.append("a"), "b": lambda: order.append("b")},
                              {"a": 4, "b": 2}, rounds=2)
    assert len(times["a"]) == 4 and len(times["b"]) == 2
    assert order[6:] == ["a", "a", "b", "a", "a", "b"]  # after 3 warm-ups each: a block of each per round


def test_vgg19_on_a_whole_frame_resizes_and_runs(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    from bench.inference import vgg19_frame_call

    path = build_vgg19(tmp_path, input_size=16, layers=(4, "M"), classifier=(3,))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (logits,) = vgg19_frame_call(session, np.zeros((48, 64, 3), np.uint8), size=16)()
    assert logits.shape == (1, 3) and np.all(np.isfinite(logits))


def test_merge_keeps_each_sections_own_run_and_the_report_says_so():
    from bench.report import markdown
    from bench.run import merge

    def run(when):
        return dict(command=f"python bench/run.py ({when})", when=when, seconds=1.0, machine={"cpus": 2},
                    clear_note="synthetic")

    def sec(key):
        return Section(key, f"section {key}", figures={"x": 1.0}).as_dict()

    first = merge(None, run("monday"), [sec("1"), sec("2")])
    assert [s["run"]["when"] for s in first["sections"]] == ["monday", "monday"]
    second = merge(first, run("tuesday"), [sec("1")])
    assert second["when"] == "tuesday"
    assert [(s["key"], s["run"]["when"]) for s in second["sections"]] == [("1", "tuesday"), ("2", "monday")]
    text = markdown(second)
    assert text.startswith("Latest run tuesday")
    assert text.count("Measured in an earlier run") == 1 and "monday with `python bench/run.py (monday)`" in text
    assert "Measured in an earlier run" not in markdown(first) and markdown(first).startswith("Recorded monday")
