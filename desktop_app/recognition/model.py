"""The ONNX note model: presence, a denomination ranking and an embedding for one frame.

Everything the app needs to feed the model (labels, input size, colour order, normalisation,
resize mode) is read from the model file's own ``metadata_props``, so a retrained model drops
in without touching the app. The model's denomination head is only a ranking hint for the
verifier: it learned from a handful of images and is fooled by foreign notes, so nothing here
decides which value is spoken.

Preprocessing contract (shared with ``training/train_model.py``):
  BGR uint8 frame (grey and BGRA frames are converted to BGR first) -> resize to ``input_size`` (``resize`` metadata: "stretch", the default,
  scales the whole frame to the input without keeping its aspect ratio; "letterbox" keeps the
  aspect ratio and pads with grey) -> colour order from metadata -> /255 -> (x - mean) / std
  -> float32 NCHW [1, 3, h, w].
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from desktop_app.recognition.evidence import ModelOutput

SUPPORTED_FORMAT = 1
INPUT_NAME = "image"
OUTPUT_NAMES = ("presence", "denomination", "embedding")
REQUIRED_METADATA = ("labels", "input_size", "color_order", "mean", "std", "embedding_dim", "format_version")
RESIZE_MODES = ("stretch", "letterbox")


class ModelError(Exception):
    """The model file is missing, is not a usable ONNX model, lacks what the app needs, or
    failed while running on a frame."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"note model {self.path}: {problem}")


@dataclass(frozen=True)
class ModelSpec:
    """What the model's metadata says about how to feed it."""

    labels: tuple[str, ...]
    input_size: tuple[int, int]  # (height, width)
    color_order: str  # "RGB" | "BGR"
    mean: tuple[float, float, float]  # on the 0..1 scale, in the model's colour order
    std: tuple[float, float, float]
    embedding_dim: int
    format_version: int
    resize: str = "stretch"
    description: str = ""
    trained_on: str = ""


def _json(path: Path, meta: dict[str, str], key: str):
    try:
        return json.loads(meta[key])
    except (json.JSONDecodeError, TypeError) as exc:
        raise ModelError(path, f"metadata '{key}' is not valid JSON: {meta[key]!r}") from exc


def _triple(path: Path, meta: dict[str, str], key: str, positive: bool) -> tuple[float, float, float]:
    value = _json(path, meta, key)
    ok = isinstance(value, list) and len(value) == 3 and all(isinstance(v, (int, float)) for v in value)
    if ok and positive:
        ok = all(v > 0 for v in value)
    if not ok:
        need = "three positive numbers" if positive else "three numbers"
        raise ModelError(path, f"metadata '{key}' must be a JSON list of {need}, got {meta[key]!r}")
    return tuple(float(v) for v in value)  # type: ignore[return-value]


def parse_metadata(path: Path, meta: dict[str, str]) -> ModelSpec:
    """Validate the model's metadata_props; every problem names the file and the key."""
    missing = [key for key in REQUIRED_METADATA if key not in meta]
    if missing:
        raise ModelError(path, f"metadata lacks {', '.join(missing)} (was it exported by training/train_model.py?)")

    try:
        version = int(meta["format_version"])
    except ValueError as exc:
        raise ModelError(path, f"metadata 'format_version' is not an integer: {meta['format_version']!r}") from exc
    if version != SUPPORTED_FORMAT:
        raise ModelError(path, f"format_version {version} is not supported (this app reads {SUPPORTED_FORMAT})")

    labels = _json(path, meta, "labels")
    if not (isinstance(labels, list) and labels and all(isinstance(v, str) and v for v in labels)):
        raise ModelError(path, f"metadata 'labels' must be a non-empty JSON list of strings, got {meta['labels']!r}")
    if len(set(labels)) != len(labels):
        raise ModelError(path, f"metadata 'labels' has duplicates: {labels}")

    size = _json(path, meta, "input_size")
    if not (isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size)):
        raise ModelError(path, f"metadata 'input_size' must be a JSON list [height, width], got {meta['input_size']!r}")

    color = meta["color_order"].strip().upper()
    if color not in ("RGB", "BGR"):
        raise ModelError(path, f"metadata 'color_order' must be RGB or BGR, got {meta['color_order']!r}")

    try:
        dim = int(meta["embedding_dim"])
    except ValueError as exc:
        raise ModelError(path, f"metadata 'embedding_dim' is not an integer: {meta['embedding_dim']!r}") from exc
    if dim <= 0:
        raise ModelError(path, f"metadata 'embedding_dim' must be positive, got {dim}")

    resize = meta.get("resize", "stretch").strip().lower()
    if resize not in RESIZE_MODES:
        raise ModelError(path, f"metadata 'resize' must be one of {RESIZE_MODES}, got {meta['resize']!r}")

    return ModelSpec(
        labels=tuple(labels),
        input_size=(size[0], size[1]),
        color_order=color,
        mean=_triple(path, meta, "mean", positive=False),
        std=_triple(path, meta, "std", positive=True),
        embedding_dim=dim,
        format_version=version,
        resize=resize,
        description=meta.get("description", ""),
        trained_on=meta.get("trained_on", ""),
    )


def resize_frame(image: np.ndarray, size: tuple[int, int], mode: str) -> np.ndarray:
    """Resize an HxWx3 image to ``size`` (h, w) by stretching or letterboxing."""
    h, w = size
    src_h, src_w = image.shape[:2]
    interp = cv2.INTER_AREA if src_h * src_w > h * w else cv2.INTER_LINEAR
    if mode == "stretch":
        return cv2.resize(image, (w, h), interpolation=interp)
    scale = min(w / src_w, h / src_h)
    new_w, new_h = max(1, round(src_w * scale)), max(1, round(src_h * scale))
    canvas = np.full((h, w, 3), 127, dtype=image.dtype)
    top, left = (h - new_h) // 2, (w - new_w) // 2
    canvas[top : top + new_h, left : left + new_w] = cv2.resize(image, (new_w, new_h), interpolation=interp)
    return canvas


def as_bgr(frame: np.ndarray) -> np.ndarray:
    """Any frame a source can deliver as BGR uint8 HxWx3: cameras and files give grey (2-D or
    one channel) and BGRA frames too, and the verifier already takes them (flatten.to_grey)."""
    image = np.asarray(frame)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)) \
            or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"expected a grey (HxW, HxWx1), BGR (HxWx3) or BGRA (HxWx4) image, got {image.shape}")
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def _static_dim(dim) -> int | None:
    return dim if isinstance(dim, int) and dim > 0 else None


class NoteModel:
    """One loaded ONNX note model; cheap to call once per sampled frame."""

    def __init__(self, path: Path, session, spec: ModelSpec):
        self._path = path
        self._session = session
        self._spec = spec
        self._mean255 = tuple(255.0 * m for m in spec.mean)
        self._inv_std = (1.0 / np.asarray(spec.std, np.float32)).reshape(1, 3, 1, 1)

    # ---------------------------------------------------------------- loading
    @classmethod
    def load(cls, path: Path | str, threads: int = 2) -> "NoteModel":
        path = Path(path)
        if not path.is_file():
            raise ModelError(path, "file not found" if not path.exists() else "not a regular file")
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - onnxruntime is a hard dependency
            raise ModelError(path, "onnxruntime is not installed") from exc

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, int(threads))
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # onnxruntime's own warnings would drown the app's log
        try:
            session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises several unrelated types for a bad file
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(path, f"not a loadable ONNX model ({first_line[:200]})") from exc

        meta = dict(session.get_modelmeta().custom_metadata_map)
        spec = parse_metadata(path, meta)
        cls._check_graph(path, session, spec)
        return cls(path, session, spec)

    @staticmethod
    def _check_graph(path: Path, session, spec: ModelSpec) -> None:
        inputs = {i.name: i for i in session.get_inputs()}
        if INPUT_NAME not in inputs:
            raise ModelError(path, f"graph has no input named '{INPUT_NAME}' (inputs: {sorted(inputs)})")
        shape = list(inputs[INPUT_NAME].shape)
        if len(shape) != 4:
            raise ModelError(path, f"input '{INPUT_NAME}' must be NCHW, has shape {shape}")
        declared = [_static_dim(d) for d in shape[1:]]
        expected = [3, *spec.input_size]
        if any(d is not None and d != e for d, e in zip(declared, expected)):
            raise ModelError(path, f"input '{INPUT_NAME}' shape {shape} disagrees with metadata input_size {list(spec.input_size)}")

        outputs = {o.name: o for o in session.get_outputs()}
        missing = [name for name in OUTPUT_NAMES if name not in outputs]
        if missing:
            raise ModelError(path, f"graph lacks output(s) {', '.join(missing)} (outputs: {sorted(outputs)})")
        k = _static_dim(outputs["denomination"].shape[-1]) if outputs["denomination"].shape else None
        if k is not None and k != len(spec.labels):
            raise ModelError(path, f"output 'denomination' has {k} classes but metadata lists {len(spec.labels)} labels")
        d = _static_dim(outputs["embedding"].shape[-1]) if outputs["embedding"].shape else None
        if d is not None and d != spec.embedding_dim:
            raise ModelError(path, f"output 'embedding' has {d} values but metadata embedding_dim is {spec.embedding_dim}")

    # ---------------------------------------------------------------- properties
    @property
    def path(self) -> Path:
        return self._path

    @property
    def spec(self) -> ModelSpec:
        return self._spec

    @property
    def labels(self) -> tuple[str, ...]:
        return self._spec.labels

    @property
    def input_size(self) -> tuple[int, int]:
        """(height, width) the model takes."""
        return self._spec.input_size

    @property
    def embedding_dim(self) -> int:
        return self._spec.embedding_dim

    # ---------------------------------------------------------------- inference
    def preprocess(self, image_bgr: np.ndarray) -> np.ndarray:
        """A frame (BGR HxWx3, grey HxW or HxWx1, or BGRA HxWx4) -> float32 [1, 3, h, w] as the
        model's metadata asks."""
        image = as_bgr(image_bgr)
        resized = resize_frame(image, self._spec.input_size, self._spec.resize)
        # blobFromImage does scale, mean, channel swap and HWC->NCHW in one pass (8x numpy's speed);
        # its mean is given in the output channel order, which is the model's order here
        blob = cv2.dnn.blobFromImage(resized, 1.0 / 255.0, (resized.shape[1], resized.shape[0]),
                                     self._mean255, swapRB=self._spec.color_order == "RGB", crop=False)
        blob *= self._inv_std
        return blob

    def run(self, tensor: np.ndarray) -> ModelOutput:
        """Run an already preprocessed [1, 3, h, w] tensor."""
        try:
            presence, probs, embedding = self._session.run(list(OUTPUT_NAMES), {INPUT_NAME: tensor})
        except Exception as exc:  # onnxruntime raises its own types; callers catch one: ModelError
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(self._path, f"inference failed ({first_line[:200]})") from exc
        probs = np.asarray(probs, np.float32).reshape(-1)
        if probs.size != len(self._spec.labels):
            raise ModelError(self._path, f"output 'denomination' gave {probs.size} values for {len(self._spec.labels)} labels")
        order = np.argsort(-probs, kind="stable")
        ranking = tuple((self._spec.labels[i], float(probs[i])) for i in order)
        return ModelOutput(
            presence=float(np.asarray(presence).reshape(-1)[0]),
            ranking=ranking,
            embedding=np.asarray(embedding, np.float32).reshape(-1).copy(),
        )

    def predict(self, image_bgr: np.ndarray) -> ModelOutput:
        return self.run(self.preprocess(image_bgr))

    def __repr__(self) -> str:
        h, w = self.input_size
        return f"NoteModel({self._path.name}, {h}x{w} {self._spec.color_order}, labels={list(self.labels)})"
