"""Tiny but real ONNX note models for tests, built with onnx.helper (no torch).

The graph honours the same contract as the shipped model (input "image" [1,3,h,w]; outputs
"presence" [1,1], "denomination" [1,K] softmax, "embedding" [1,D] L2-normalised; metadata in
metadata_props) and its outputs really depend on the pixels:

- presence = sigmoid(gain * mean per-channel spatial std - bias): a flat frame scores low, a textured
  one (a note, a busy scene) high;
- denomination = softmax(channel means @ W + b) with a fixed seeded W, so a red and a blue
  frame rank differently and the colour order declared in the metadata matters;
- embedding = L2-normalise(2x2 average-pooled input @ P) with a fixed seeded P.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from desktop_app.recognition.evidence import DENOMINATIONS

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
OPSET = 17


def tiny_metadata(
    labels: Iterable[str] = DENOMINATIONS,
    input_size: tuple[int, int] = (32, 32),
    embedding_dim: int = 16,
    *,
    color_order: str = "RGB",
    mean: tuple[float, float, float] = IMAGENET_MEAN,
    std: tuple[float, float, float] = IMAGENET_STD,
    resize: str = "stretch",
) -> dict[str, str]:
    return {
        "labels": json.dumps(list(labels)),
        "input_size": json.dumps(list(input_size)),
        "color_order": color_order,
        "mean": json.dumps(list(mean)),
        "std": json.dumps(list(std)),
        "embedding_dim": str(embedding_dim),
        "format_version": "1",
        "resize": resize,
        "description": "tiny test model built by tests/builders/model.py",
        "trained_on": "nothing (fixed weights)",
    }


def build_tiny_model(
    labels: Iterable[str] = DENOMINATIONS,
    input_size: tuple[int, int] = (32, 32),
    embedding_dim: int = 16,
    presence_gain: float = 8.0,
    presence_bias: float = 3.0,
    seed: int = 0,
    metadata: Mapping[str, str | None] | None = None,
    drop_outputs: Iterable[str] = (),
    graph_size: tuple[int, int] | None = None,
    graph_classes: int | None = None,
    **preprocessing,
) -> onnx.ModelProto:
    """Build the tiny model in memory.

    ``preprocessing``: color_order, mean, std and resize, written into the metadata (see
    ``tiny_metadata``) for tests of the loader's preprocessing.

    ``metadata`` overrides keys of the default metadata (a value of None removes the key);
    ``drop_outputs`` leaves outputs out of the graph; ``graph_size``/``graph_classes`` make the
    graph disagree with its metadata, for tests of the loader's checks.
    """
    labels = list(labels)
    h, w = graph_size or input_size
    k = graph_classes or len(labels)
    if h % 2 or w % 2:
        raise ValueError("tiny model input size must be even (2x2 pooling)")
    rng = np.random.default_rng(seed)
    f32 = np.float32

    inits = [
        numpy_helper.from_array(np.array(presence_gain, f32), "p_gain"),
        numpy_helper.from_array(np.array(presence_bias, f32), "p_bias"),
        numpy_helper.from_array(np.array([1, 1], np.int64), "shape_11"),
        numpy_helper.from_array(rng.normal(0, 3, (3, k)).astype(f32), "d_w"),
        numpy_helper.from_array(rng.normal(0, 0.1, (k,)).astype(f32), "d_b"),
        numpy_helper.from_array(rng.normal(0, 1, (12, embedding_dim)).astype(f32), "e_p"),
        numpy_helper.from_array(np.array(1e-6, f32), "eps"),
    ]
    nodes = [
        # presence: sigmoid(gain * std - bias)
        helper.make_node("ReduceMean", ["image"], ["mu"], axes=[2, 3], keepdims=1),
        helper.make_node("Sub", ["image", "mu"], ["centred"]),
        helper.make_node("Mul", ["centred", "centred"], ["sq"]),
        helper.make_node("ReduceMean", ["sq"], ["var"], axes=[2, 3], keepdims=1),
        helper.make_node("Sqrt", ["var"], ["sd_c"]),
        helper.make_node("ReduceMean", ["sd_c"], ["sd"], axes=[1], keepdims=1),
        helper.make_node("Mul", ["sd", "p_gain"], ["sd_g"]),
        helper.make_node("Sub", ["sd_g", "p_bias"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["presence4"]),
        helper.make_node("Reshape", ["presence4", "shape_11"], ["presence"]),
        # denomination: softmax(channel means @ W + b)
        helper.make_node("ReduceMean", ["image"], ["cmean"], axes=[2, 3], keepdims=0),
        helper.make_node("MatMul", ["cmean", "d_w"], ["d_lin"]),
        helper.make_node("Add", ["d_lin", "d_b"], ["d_logits"]),
        helper.make_node("Softmax", ["d_logits"], ["denomination"], axis=1),
        # embedding: L2-normalise(2x2 pooled @ P)
        helper.make_node("AveragePool", ["image"], ["pooled"], kernel_shape=[h // 2, w // 2], strides=[h // 2, w // 2]),
        helper.make_node("Flatten", ["pooled"], ["feat"], axis=1),
        helper.make_node("MatMul", ["feat", "e_p"], ["e_raw"]),
        helper.make_node("ReduceL2", ["e_raw"], ["e_norm"], axes=[1], keepdims=1),
        helper.make_node("Max", ["e_norm", "eps"], ["e_safe"]),
        helper.make_node("Div", ["e_raw", "e_safe"], ["embedding"]),
    ]
    dropped = set(drop_outputs)
    outputs = [
        helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
        for name, shape in (("presence", [1, 1]), ("denomination", [1, k]), ("embedding", [1, embedding_dim]))
        if name not in dropped
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_note_model",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, h, w])],
        outputs,
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="tests.builders.model")
    model.ir_version = 8  # readable by any onnxruntime of the last few years

    meta = tiny_metadata(labels, input_size, embedding_dim, **preprocessing)
    for key, value in (metadata or {}).items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model)
    return model


def write_tiny_model(path: Path | str, labels: Iterable[str] = DENOMINATIONS, input_size: tuple[int, int] = (32, 32), **kwargs) -> Path:
    """Write a tiny working model (see build_tiny_model for the options) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(build_tiny_model(labels=labels, input_size=input_size, **kwargs), str(path))
    return path


def write_corrupt_model(path: Path | str, kind: str = "garbage") -> Path:
    """Write a file that is not a usable ONNX model.

    kind: "garbage" (random bytes), "truncated" (the first half of a valid model), "empty".
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "garbage":
        path.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    elif kind == "truncated":
        data = build_tiny_model().SerializeToString()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        raise ValueError(f"unknown corrupt-model kind {kind!r}")
    return path
