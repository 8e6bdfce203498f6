"""1. Per-frame inference of the shipped ONNX model beside a VGG19 yardstick.

Two comparisons, each timed in alternating rounds within this one run, so every ratio printed
is of figures taken side by side:

- the network alone: both graphs in onnxruntime sessions built with the options the app uses
  (``NoteModel.load``: CPU provider, sequential, ``intra_op_num_threads`` = threads,
  ``inter_op_num_threads`` = 1, all graph optimisations), on a ready tensor;
- a whole frame: what the app does per evaluated 640x480 frame (``Recognizer.evaluate``: the
  model, then SIFT verification against the gallery) against VGG19 on the same frame
  (resize, normalise, run), which is all the original VGG19 app did per frame. The network
  alone flatters the model; the whole frame is what a person waits for.

    python -m bench.inference [--quick]    # this section alone (the full bench: bench/run.py)
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

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


def interleaved_calls(calls: dict[str, Callable[[], object]], runs: dict[str, int], rounds: int = 10
                      ) -> dict[str, list[float]]:
    """Times each call ``runs[name]`` times, in ``rounds`` alternating blocks, so a change of
    load on the machine hits every call alike."""
    out: dict[str, list[float]] = {name: [] for name in calls}
    for fn in calls.values():
        time_calls(fn, 0, warmup=3)
    for r in range(rounds):
        for name, fn in calls.items():
            block = runs[name] // rounds + (1 if r < runs[name] % rounds else 0)
            out[name] += time_calls(fn, block, warmup=0)
    return out


def interleaved(paths: dict[str, Path], threads: int, runs: dict[str, int], rounds: int = 10) -> dict[str, list[float]]:
    """Times each model's network alone ``runs[name]`` times, in ``rounds`` alternating blocks."""
    sessions = {name: make_session(path, threads) for name, path in paths.items()}
    rng = np.random.default_rng(0)
    feeds = {name: _input_of(s, rng) for name, s in sessions.items()}
    return interleaved_calls({name: (lambda s=s, f=feeds[name]: s.run(None, f)) for name, s in sessions.items()},
                             runs, rounds)


def vgg19_frame_call(session, frame: np.ndarray, size: int = 224) -> Callable[[], object]:
    """VGG19 on a camera frame as an app built on it would run it: resize, ImageNet
    normalisation, NCHW, run."""
    import cv2

    mean = np.array([0.485, 0.456, 0.406], np.float32)
    std = np.array([0.229, 0.224, 0.225], np.float32)
    name = session.get_inputs()[0].name

    def run():
        rgb = cv2.cvtColor(cv2.resize(frame, (size, size), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        x = ((rgb.astype(np.float32) / 255.0 - mean) / std).transpose(2, 0, 1)[None]
        return session.run(None, {name: np.ascontiguousarray(x)})

    return run


def run_inference(quick: bool, frame: np.ndarray | None, recognizer=None) -> Section:
    """``recognizer``: the app's (model + gallery), for the whole-frame comparison; without it,
    or without a frame, only the networks are compared."""
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
                sec.figures[f"network alone: ours, {threads} thread(s)"] = ours[threads]
            vgg[threads] = Stats.of_seconds(times["VGG19"])
            sec.figures[f"network alone: VGG19, {threads} thread(s)"] = vgg[threads]
        if frame is not None and recognizer is not None and recognizer.ready:
            whole_frame(sec, frame, recognizer, make_session(vgg_path, 2), 10 if quick else 40)
        else:
            sec.partly("whole-frame comparison needs the recognizer (model + gallery) and a clear-note frame")
    for threads in (1, 2):
        if threads in ours:
            ratio = ours[threads].median / vgg[threads].median
            sec.figures[f"network alone: ours / VGG19 (median), {threads} thread(s)"] = float(f"{ratio:.3g}")
            sec.figures[f"network alone: speed-up vs VGG19, {threads} thread(s)"] = float(f"{1 / ratio:.3g}")
    for threads in sorted(ours):
        speedup = vgg[threads].median / ours[threads].median
        sec.checks.append(Check(f"inference speed-up vs VGG19, network alone ({threads} thread(s))", speedup, TARGET_SPEEDUP, "x",
                                higher_is_better=True,
                                why_missed="the shipped network is too large for the CPU budget; a smaller "
                                           "backbone or input size (MobileNet-class at <=160 px) would fix it"))
    if have_model and frame is not None:  # the model's own share of a frame, for the profile
        model = NoteModel.load(DEFAULT_MODEL, threads=2)
        pre = Stats.of_seconds(time_calls(lambda: model.preprocess(frame), runs))
        full = Stats.of_seconds(time_calls(lambda: model.predict(frame), runs))
        sec.figures["app NoteModel.predict (preprocess+run+ranking), 2 threads, 640x480"] = full
        sec.extra["preprocess_640x480"] = pre.as_dict()
    return sec


def whole_frame(sec: Section, frame: np.ndarray, recognizer, vgg_session, runs: int) -> None:
    """Our whole evaluation of one frame (model + verification) against VGG19's, side by side."""
    import cv2

    cv2.setRNGSeed(0)  # FLANN's trees are randomised: the same frame, the same work every run
    times = interleaved_calls({"ours": lambda: recognizer.evaluate(frame, 0.0),
                               "VGG19": vgg19_frame_call(vgg_session, frame)},
                              # Blocks of 5: onnxruntime's idle threads spin for a while after a
                              # run and slow the first call of the other block, not the rest.
                              {"ours": runs, "VGG19": runs}, rounds=max(1, runs // 5))
    ours, vgg = Stats.of_seconds(times["ours"]), Stats.of_seconds(times["VGG19"])
    h, w = frame.shape[:2]
    sec.figures[f"whole frame {w}x{h}, ours (Recognizer.evaluate: model + verification), 2 threads"] = ours
    sec.figures[f"whole frame {w}x{h}, VGG19 (resize, normalise, run), 2 threads"] = vgg
    sec.figures["whole frame: speed-up vs VGG19"] = float(f"{vgg.median / ours.median:.3g}")
    sec.note("whole frame: the target (10x) is for the network alone; per frame, verification is most of "
             "our cost and the VGG19 app had none")


def main(argv: list[str] | None = None) -> int:
    """Section 1 alone, printed as bench/run.py prints it (nothing is written)."""
    import argparse

    from bench.common import render
    from bench.pipeline import Missing, load_pipeline
    from bench.scenes import clear_note, note_scene

    parser = argparse.ArgumentParser(prog="python -m bench.inference", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations (smoke test)")
    args = parser.parse_args(argv)
    note = clear_note(False)
    frame = note_scene(note, (640, 480)) if note is not None else None
    recognizer = None
    with tempfile.TemporaryDirectory(prefix="ncr-bench-") as tmp:
        try:
            recognizer = load_pipeline(tmp=Path(tmp), synthetic=note is not None and note.ref_id is None).recognizer
        except Missing as exc:
            print(f"recognizer: not available ({exc}); networks only", flush=True)
        print(render([run_inference(args.quick, frame, recognizer)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
