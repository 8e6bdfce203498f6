"""A VGG19 classifier at 224x224 as an ONNX graph, built with onnx.helper (no torch).

It is the yardstick: the architecture the original project shipped. Weights are random
(He-scaled, so activations stay in a normal float range and no denormal slow path is hit);
the cost of a dense CNN does not depend on its weight values. The fp32 weights are ~548 MB,
so they go to an external-data file in a directory the caller gives (a temp dir, never the
repository), written one tensor at a time to keep memory low.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper

# torchvision's "E" configuration: numbers are conv3x3 output channels, "M" a 2x2 max-pool.
VGG19_LAYERS = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
                512, 512, 512, 512, "M", 512, 512, 512, 512, "M")
CLASSIFIER = (4096, 4096, 1000)
OPSET = 17


class _ExternalWeights:
    """Appends float32 tensors to one data file and makes TensorProtos that point into it."""

    def __init__(self, data_path: Path, rng: np.random.Generator):
        self.path = data_path
        self.rng = rng
        self.fh = open(data_path, "wb")
        self.offset = 0

    def he(self, name: str, shape: tuple[int, ...], fan_in: int, chunk_rows: int = 512) -> TensorProto:
        std = np.float32(np.sqrt(2.0 / fan_in))
        start = self.offset
        rows, per_row = shape[0], int(np.prod(shape[1:], dtype=np.int64))
        for r in range(0, rows, chunk_rows):
            n = min(chunk_rows, rows - r)
            block = self.rng.standard_normal((n, per_row), dtype=np.float32) * std
            self.fh.write(block.tobytes())
        return self._proto(name, shape, start)

    def zeros(self, name: str, shape: tuple[int, ...]) -> TensorProto:
        start = self.offset
        self.fh.write(np.zeros(shape, np.float32).tobytes())
        return self._proto(name, shape, start)

    def _proto(self, name: str, shape: tuple[int, ...], start: int) -> TensorProto:
        length = int(np.prod(shape, dtype=np.int64)) * 4
        self.offset = start + length
        assert self.fh.tell() == self.offset
        t = TensorProto()
        t.name = name
        t.data_type = TensorProto.FLOAT
        t.dims.extend(shape)
        t.data_location = TensorProto.EXTERNAL
        for key, value in (("location", self.path.name), ("offset", str(start)), ("length", str(length))):
            entry = t.external_data.add()
            entry.key, entry.value = key, value
        return t

    def close(self) -> None:
        self.fh.close()


def build_vgg19(directory: str | Path, *, input_size: int = 224, layers=VGG19_LAYERS,
                classifier=CLASSIFIER, seed: int = 0) -> Path:
    """Writes ``vgg19.onnx`` (+ ``vgg19.data``) into ``directory`` and returns the model path.

    ``layers``/``classifier``/``input_size`` exist so tests can build a tiny graph of the same
    shape of code; the benchmark uses the defaults.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weights = _ExternalWeights(directory / "vgg19.data", np.random.default_rng(seed))
    nodes, inits = [], []
    x, channels, size = "input", 3, input_size
    try:
        for i, layer in enumerate(layers):
            if layer == "M":
                nodes.append(helper.make_node("MaxPool", [x], [f"pool{i}"], kernel_shape=[2, 2], strides=[2, 2]))
                x, size = f"pool{i}", size // 2
                continue
            w = weights.he(f"conv{i}.w", (layer, channels, 3, 3), fan_in=channels * 9)
            b = weights.zeros(f"conv{i}.b", (layer,))
            inits += [w, b]
            nodes.append(helper.make_node("Conv", [x, w.name, b.name], [f"conv{i}"], kernel_shape=[3, 3],
                                          pads=[1, 1, 1, 1]))
            nodes.append(helper.make_node("Relu", [f"conv{i}"], [f"relu{i}"]))
            x, channels = f"relu{i}", layer
        nodes.append(helper.make_node("Flatten", [x], ["flat"], axis=1))
        x, features = "flat", channels * size * size
        for j, width in enumerate(classifier):
            w = weights.he(f"fc{j}.w", (width, features), fan_in=features)
            b = weights.zeros(f"fc{j}.b", (width,))
            inits += [w, b]
            out = f"fc{j}" if j < len(classifier) - 1 else "logits"
            nodes.append(helper.make_node("Gemm", [x, w.name, b.name], [out], transB=1))
            if j < len(classifier) - 1:
                nodes.append(helper.make_node("Relu", [out], [f"fc{j}.relu"]))
                out = f"fc{j}.relu"
            x, features = out, width
    finally:
        weights.close()
    graph = helper.make_graph(
        nodes, "vgg19",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, input_size, input_size])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, classifier[-1]])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="bench/vgg19.py")
    model.ir_version = 8
    path = directory / "vgg19.onnx"
    onnx.save_model(model, str(path))
    return path


def parameter_count(layers=VGG19_LAYERS, classifier=CLASSIFIER, input_size: int = 224) -> int:
    total, channels, size = 0, 3, input_size
    for layer in layers:
        if layer == "M":
            size //= 2
            continue
        total += layer * channels * 9 + layer
        channels = layer
    features = channels * size * size
    for width in classifier:
        total += width * features + width
        features = width
    return total
