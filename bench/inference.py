"""1. Per-frame inference of the shipped ONNX model beside a VGG19 yardstick, and
6a. preprocessing cost per frame.

Both graphs run in onnxruntime sessions built with the same options the app uses
(``NoteModel.load``: CPU provider, sequential, ``intra_op_num_threads`` = threads,
``inter_op_num_threads`` = 1, all graph optimisations), on a ready tensor, so the figure is
the network alone. The app's whole per-frame model cost (preprocess + run + ranking) is
reported separately.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from bench.common import Check, Section, Stats, rel, time_calls
from bench.vgg19 import build_vgg19, parameter_count
from desktop_app.paths import DEFAULT_MODEL

TARGET_SPEEDUP = 10.0  # our model at least this many times faster than VGG19


def make_session(path: Path, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def _input_of(session, rng: np.random.Generator) -> dict:
    inp = session.get_inputs()[0]
    shape = [d if isinstance(d, int) and d > 0 else 1 for d in inp.shape]
    return {inp.name: rng.standard_normal(shape).astype(np.float32)}


def interleaved(paths: dict[str, Path], threads: int, runs: dict[str, int], rounds: int = 10) -> dict[str, list[float]]:
    """Times each model ``runs[name]`` times, in ``rounds`` alternating blocks."""
    sessions = {name: make_session(path, threads) for name, path in paths.items()}
    rng = np.random.default_rng(0)
    feeds = {name: _input_of(s, rng) for name, s in sessions.items()}
    out: dict[str, list[float]] = {name: [] for name in sessions}
    for name, session in sessions.items():
        time_calls(lambda: session.run(None, feeds[name]), 0, warmup=3)
    for r in range(rounds):
        for name, session in sessions.items():
            block = runs[name] // rounds + (1 if r < runs[name] % rounds else 0)
            out[name] += time_calls(lambda: session.run(None, feeds[name]), block, warmup=0)
    return out


def run_inference(quick: bool, frame: np.ndarray | None) -> Section:
    sec = Section("1", "Inference per frame: shipped ONNX model vs VGG19 yardstick (onnxruntime, CPU)")
    runs = 50 if quick else 200
    vgg_runs = 20 if quick else 200
    have_model = DEFAULT_MODEL.is_file()
    if not have_model:
        sec.partly(f"{rel(DEFAULT_MODEL)} not found (model still being trained?); VGG19 timed alone")
    else:
        from desktop_app.recognition.model import ModelError, NoteModel

        try:
            model = NoteModel.load(DEFAULT_MODEL)
            h, w = model.input_size
            sec.note(f"model: {DEFAULT_MODEL.name}, input {h}x{w}, {DEFAULT_MODEL.stat().st_size / 1e6:.2f} MB")
        except ModelError as exc:
            sec.partly(f"shipped model does not load: {exc}")
            have_model = False
    ours: dict[int, Stats] = {}
    vgg: dict[int, Stats] = {}
    with tempfile.TemporaryDirectory(prefix="ncr-vgg19-") as tmp:
        vgg_path = build_vgg19(tmp)
        sec.note(f"VGG19: {parameter_count() / 1e6:.1f} M parameters, 224x224, random weights in a temp dir")
        sec.note("the two models are timed in alternating rounds, so load changes on the machine hit both")
        for threads in (1, 2):
            paths = {"VGG19": vgg_path}
            if have_model:
                paths["ours"] = DEFAULT_MODEL
            times = interleaved(paths, threads, {"ours": runs, "VGG19": vgg_runs})
            if have_model:
                ours[threads] = Stats.of_seconds(times["ours"])
                sec.figures[f"ours, {threads} thread(s)"] = ours[threads]
            vgg[threads] = Stats.of_seconds(times["VGG19"])
            sec.figures[f"VGG19, {threads} thread(s)"] = vgg[threads]
    for threads in (1, 2):
        if threads in ours:
            ratio = ours[threads].median / vgg[threads].median
            sec.figures[f"ours / VGG19 (median), {threads} thread(s)"] = float(f"{ratio:.3g}")
            sec.figures[f"speed-up vs VGG19, {threads} thread(s)"] = float(f"{1 / ratio:.3g}")
    for threads in sorted(ours):
        speedup = vgg[threads].median / ours[threads].median
        sec.checks.append(Check(f"inference speed-up vs VGG19 ({threads} thread(s))", speedup, TARGET_SPEEDUP, "x",
                                higher_is_better=True,
                                why_missed="the shipped network is too large for the CPU budget; a smaller "
                                           "backbone or input size (MobileNet-class at <=160 px) would fix it"))
    if have_model and frame is not None:
        model = NoteModel.load(DEFAULT_MODEL, threads=2)
        pre = Stats.of_seconds(time_calls(lambda: model.preprocess(frame), runs))
        full = Stats.of_seconds(time_calls(lambda: model.predict(frame), runs))
        sec.figures["app NoteModel.predict (preprocess+run+ranking), 2 threads, 640x480"] = full
        sec.extra["preprocess_640x480"] = pre.as_dict()
    return sec
