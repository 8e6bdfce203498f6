"""NoteModel: metadata drives preprocessing, outputs are sane, bad files fail clearly."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from desktop_app.recognition.evidence import DENOMINATIONS, ModelOutput
from desktop_app.recognition.model import ModelError, NoteModel, resize_frame
from desktop_app.paths import DEFAULT_MODEL
from tests.builders.model import write_corrupt_model, write_tiny_model


def flat_frame(value=(128, 128, 128), shape=(120, 160)):
    return np.full((*shape, 3), value, dtype=np.uint8)


def textured_frame(seed=0, shape=(120, 160)):
    rng = np.random.default_rng(seed)
    frame = np.full((*shape, 3), 90, np.uint8)
    # a note-like patch: strong random texture inside a rectangle on a plain table
    h, w = shape
    ph, pw = 4 * h // 5 - h // 5, 5 * w // 6 - w // 6
    # blocky texture (print detail survives the model's downscale, unlike pixel noise)
    blocks = rng.integers(0, 256, (max(1, ph // 12), max(1, pw // 12), 3)).astype(np.uint8)
    frame[h // 5 : 4 * h // 5, w // 6 : 5 * w // 6] = cv2.resize(blocks, (pw, ph), interpolation=cv2.INTER_NEAREST)
    return frame


@pytest.fixture
def tiny(tmp_path):
    return NoteModel.load(write_tiny_model(tmp_path / "tiny.onnx"), threads=1)


def test_labels_and_input_size_come_from_metadata(tmp_path):
    model = NoteModel.load(write_tiny_model(tmp_path / "m.onnx", labels=("a", "b", "c"), input_size=(24, 40)))
    assert model.labels == ("a", "b", "c")
    assert model.input_size == (24, 40)
    assert model.preprocess(flat_frame()).shape == (1, 3, 24, 40)
    out = model.predict(textured_frame())
    assert {label for label, _ in out.ranking} == {"a", "b", "c"}


def test_colour_order_from_metadata_changes_the_input(tmp_path):
    red = flat_frame((0, 0, 255))  # BGR: pure red
    rgb = NoteModel.load(write_tiny_model(tmp_path / "rgb.onnx", color_order="RGB", mean=(0, 0, 0), std=(1, 1, 1)))
    bgr = NoteModel.load(write_tiny_model(tmp_path / "bgr.onnx", color_order="BGR", mean=(0, 0, 0), std=(1, 1, 1)))
    x_rgb, x_bgr = rgb.preprocess(red), bgr.preprocess(red)
    assert np.allclose(x_rgb[0, 0], 1.0) and np.allclose(x_rgb[0, 2], 0.0)
    assert np.allclose(x_bgr[0, 0], 0.0) and np.allclose(x_bgr[0, 2], 1.0)
    # same weights, different declared order -> the model sees different colours
    assert rgb.predict(red).ranking != bgr.predict(red).ranking


def test_normalisation_from_metadata(tmp_path):
    model = NoteModel.load(write_tiny_model(tmp_path / "m.onnx", color_order="BGR", mean=(0.5, 0.25, 0.0), std=(0.5, 0.25, 2.0)))
    x = model.preprocess(flat_frame((255, 255, 255)))
    assert x.dtype == np.float32
    assert np.allclose(x[0, :, 0, 0], [(1 - 0.5) / 0.5, (1 - 0.25) / 0.25, 1 / 2.0], atol=1e-5)


def test_letterbox_keeps_aspect_and_pads(tmp_path):
    wide = np.full((50, 200, 3), 255, np.uint8)
    boxed = resize_frame(wide, (40, 40), "letterbox")
    assert boxed.shape == (40, 40, 3)
    assert boxed[0, 20, 0] == 127 and boxed[20, 20, 0] == 255  # grey bars above, image in the middle
    stretched = resize_frame(wide, (40, 40), "stretch")
    assert (stretched == 255).all()
    model = NoteModel.load(write_tiny_model(tmp_path / "lb.onnx", resize="letterbox"))
    assert model.spec.resize == "letterbox"


def test_presence_low_on_flat_high_on_textured(tiny):
    for grey in (30, 128, 220):
        assert tiny.predict(flat_frame((grey, grey, grey))).presence < 0.2
    for seed in range(3):
        assert tiny.predict(textured_frame(seed)).presence > 0.8


def test_output_shapes_ranking_and_unit_embedding(tiny):
    out = tiny.predict(textured_frame())
    assert isinstance(out, ModelOutput)
    assert 0.0 <= out.presence <= 1.0
    assert [label for label, _ in out.ranking] != [] and {l for l, _ in out.ranking} == set(DENOMINATIONS)
    probs = [p for _, p in out.ranking]
    assert probs == sorted(probs, reverse=True)
    assert sum(probs) == pytest.approx(1.0, abs=1e-5)
    assert out.embedding.shape == (tiny.embedding_dim,)
    assert np.linalg.norm(out.embedding) == pytest.approx(1.0, abs=1e-4)
    # the embedding tells different images apart
    other = tiny.predict(textured_frame(seed=5)).embedding
    assert not np.allclose(out.embedding, other)


@pytest.mark.parametrize("shape", [(10, 10, 2), (10, 10, 5), (10,), (0, 10, 3), (2, 10, 10, 3)])
def test_preprocess_rejects_images_of_no_known_layout(tiny, shape):
    with pytest.raises(ValueError, match="HxWx3"):
        tiny.preprocess(np.zeros(shape, np.uint8))


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "nowhere.onnx"
    with pytest.raises(ModelError, match="nowhere.onnx.*not found"):
        NoteModel.load(path)


@pytest.mark.parametrize("kind", ["garbage", "truncated", "empty"])
def test_corrupt_file_names_the_file(tmp_path, kind):
    path = write_corrupt_model(tmp_path / f"{kind}.onnx", kind)
    with pytest.raises(ModelError) as info:
        NoteModel.load(path)
    assert f"{kind}.onnx" in str(info.value)
    assert info.value.path == path


def test_directory_is_not_a_model(tmp_path):
    with pytest.raises(ModelError, match="not a regular file"):
        NoteModel.load(tmp_path)


@pytest.mark.parametrize("key", ["labels", "input_size", "color_order", "mean", "std", "embedding_dim", "format_version"])
def test_missing_metadata_key_is_named(tmp_path, key):
    path = write_tiny_model(tmp_path / "m.onnx", metadata={key: None})
    with pytest.raises(ModelError, match=f"m.onnx.*lacks.*{key}"):
        NoteModel.load(path)


@pytest.mark.parametrize(
    "key, value, fragment",
    [
        ("labels", "not json", "labels"),
        ("labels", json.dumps([5, 10]), "labels"),
        ("labels", json.dumps(["5", "5"]), "duplicates"),
        ("input_size", json.dumps([32]), "input_size"),
        ("color_order", "HSV", "color_order"),
        ("mean", json.dumps([0.1, 0.2]), "mean"),
        ("std", json.dumps([0.2, 0.0, 0.2]), "std"),
        ("embedding_dim", "sixteen", "embedding_dim"),
        ("format_version", "2", "format_version 2"),
        ("resize", "crop", "resize"),
    ],
)
def test_bad_metadata_values_are_named(tmp_path, key, value, fragment):
    path = write_tiny_model(tmp_path / "m.onnx", metadata={key: value})
    with pytest.raises(ModelError, match=fragment):
        NoteModel.load(path)


@pytest.mark.parametrize("output", ["presence", "denomination", "embedding"])
def test_missing_output_is_named(tmp_path, output):
    path = write_tiny_model(tmp_path / "m.onnx", drop_outputs=[output])
    with pytest.raises(ModelError, match=f"lacks output.*{output}"):
        NoteModel.load(path)


def test_graph_disagreeing_with_metadata_is_caught(tmp_path):
    with pytest.raises(ModelError, match="input_size"):
        NoteModel.load(write_tiny_model(tmp_path / "a.onnx", input_size=(32, 32), graph_size=(16, 16)))
    with pytest.raises(ModelError, match="3 classes.*7 labels"):
        NoteModel.load(write_tiny_model(tmp_path / "b.onnx", graph_classes=3))
    with pytest.raises(ModelError, match="embedding_dim"):
        NoteModel.load(write_tiny_model(tmp_path / "c.onnx", metadata={"embedding_dim": "8"}))


@pytest.mark.skipif(not DEFAULT_MODEL.is_file(), reason="shipped model not built (python -m training.train_model)")
def test_shipped_model_loads_and_keeps_the_contract():
    model = NoteModel.load(DEFAULT_MODEL)
    assert set(model.labels) <= set(DENOMINATIONS)
    out = model.predict(textured_frame(shape=(480, 640)))
    assert 0.0 <= out.presence <= 1.0
    assert out.embedding.shape == (model.embedding_dim,)
    assert np.linalg.norm(out.embedding) == pytest.approx(1.0, abs=1e-3)
    assert sum(p for _, p in out.ranking) == pytest.approx(1.0, abs=1e-4)
