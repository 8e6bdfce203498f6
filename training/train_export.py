"""Export the trained network to ONNX with the app's metadata, check it against torch and
time it in onnxruntime (split from training/train_model.py; needs torch and onnx)."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from desktop_app.recognition.model import NoteModel
from training.train_nets import NoteNet


# ------------------------------------------------------------------ export
def export(net: NoteNet, size: int, out: Path, metadata: dict[str, str]) -> None:
    import onnx
    from onnx import helper

    net.eval()
    dummy = torch.zeros(1, 3, size, size)
    tmp = out.with_suffix(".tmp.onnx")
    torch.onnx.export(net, (dummy,), str(tmp), input_names=["image"], output_names=["presence", "denomination", "embedding"],
                      opset_version=17, dynamo=False, do_constant_folding=True)
    model = onnx.load(str(tmp))
    tmp.unlink()
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))


def check_export(net: NoteNet, path: Path, frames) -> float:
    model = NoteModel.load(path, threads=2)
    worst = 0.0
    with torch.no_grad():
        for frame in frames:
            x = model.preprocess(frame)
            p, d, e = net(torch.from_numpy(x))
            got = model._session.run(["presence", "denomination", "embedding"], {"image": x})
            for a, b in zip((p, d, e), got):
                worst = max(worst, float(np.abs(a.numpy() - b).max()))
    return worst


def latency(path: Path, frame: np.ndarray, threads: int, runs: int = 60) -> dict:
    model = NoteModel.load(path, threads=threads)
    for _ in range(5):
        model.predict(frame)
    pre, run = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        x = model.preprocess(frame)
        t1 = time.perf_counter()
        model.run(x)
        t2 = time.perf_counter()
        pre.append(t1 - t0)
        run.append(t2 - t1)
    total = np.add(pre, run) * 1000
    return {"threads": threads, "preprocess_ms": round(float(np.median(pre) * 1000), 2),
            "inference_ms": round(float(np.median(run) * 1000), 2), "total_median_ms": round(float(np.median(total)), 2),
            "total_p90_ms": round(float(np.percentile(total, 90)), 2)}
