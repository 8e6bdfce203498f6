"""Frames without a banknote, for measuring false acceptances.

Two kinds: the scikit-image sample photographs (people, animals, objects, text, textures;
optional, only when scikit-image is installed) and generated clutter (shapes, printed text,
gradients, noise textures, stripes) that gives SIFT plenty of corners and blobs to match.
"""
from __future__ import annotations

import cv2
import numpy as np

SKIMAGE_NAMES = ("astronaut", "brick", "camera", "cat", "chelsea", "checkerboard", "clock",
                 "coffee", "coins", "colorwheel", "grass", "gravel", "horse",
                 "hubble_deep_field", "immunohistochemistry", "logo", "microaneurysms", "moon",
                 "page", "retina", "rocket", "text", "binary_blobs")

_WORDS = ("INVOICE", "Total", "Kathmandu", "RECEIPT", "2081", "Qty 3", "Bank", "Coffee",
          "No. 4471", "Notebook", "Price", "Rs.", "VAT 13%", "Thank you", "Menu", "TICKET")


def clutter_scene(seed: int, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """A deterministic cluttered BGR frame with no banknote in it."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    c0, c1 = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    t = (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1))
    t = (t - t.min()) / max(1e-6, float(np.ptp(t)))
    img = (c0[None, None] * (1 - t[..., None]) + c1[None, None] * t[..., None]).astype(np.uint8)
    kind = seed % 4
    if kind == 1:  # noise texture (fabric, wood, carpet)
        noise = rng.normal(0, 1, (h // 4 + 1, w // 4 + 1)).astype(np.float32)
        noise = cv2.resize(cv2.GaussianBlur(noise, (0, 0), 1.5), (w, h))
        img = np.clip(img + (noise * 40)[..., None], 0, 255).astype(np.uint8)
    elif kind == 2:  # stripes / tiles
        period = int(rng.integers(12, 60))
        mask = ((xx // period + yy // period) % 2).astype(bool)
        img[mask] = np.clip(img[mask].astype(int) - 60, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(15, 45))):
        color = tuple(int(v) for v in rng.integers(0, 256, 3))
        shape = rng.integers(0, 4)
        p = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if shape == 0:
            q = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.rectangle(img, p, q, color, int(rng.choice([-1, 1, 2, 3])))
        elif shape == 1:
            cv2.circle(img, p, int(rng.integers(4, 80)), color, int(rng.choice([-1, 2])))
        elif shape == 2:
            q = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(img, p, q, color, int(rng.integers(1, 5)))
        else:
            pts = rng.integers(0, [w, h], (int(rng.integers(3, 7)), 2)).astype(np.int32)
            cv2.fillPoly(img, [pts], color)
    for _ in range(int(rng.integers(3, 12))):
        word = _WORDS[int(rng.integers(len(_WORDS)))]
        cv2.putText(img, word, (int(rng.integers(0, w - 60)), int(rng.integers(20, h))),
                    int(rng.choice([0, 2, 3, 4, 6])), float(rng.uniform(0.5, 2.0)),
                    tuple(int(v) for v in rng.integers(0, 256, 3)), int(rng.integers(1, 4)))
    return cv2.GaussianBlur(img, (3, 3), 0)


def skimage_scenes() -> list[tuple[str, np.ndarray]]:
    """The scikit-image sample images that load offline, as BGR; [] without scikit-image."""
    try:
        import skimage.data as data
    except ImportError:
        return []
    out = []
    for name in SKIMAGE_NAMES:
        try:
            img = getattr(data, name)()
        except Exception:  # noqa: BLE001 - a sample that needs a download is simply absent
            continue
        out.append((f"skimage:{name}", as_bgr(img)))
    return out


def as_bgr(image) -> np.ndarray:
    """A scikit-image sample (grey, RGB, RGBA, bool or float; a stereo pair) as 8-bit BGR."""
    if isinstance(image, tuple):  # stereo pairs: take the left view
        image = image[0]
    image = np.asarray(image)
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    elif image.dtype != np.uint8:
        image = cv2.normalize(image.astype(np.float32), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2BGR)
    return cv2.cvtColor(image, cv2.COLOR_RGB2BGR)


def all_scenes(n_clutter: int = 40) -> list[tuple[str, np.ndarray]]:
    return skimage_scenes() + [(f"clutter:{s}", clutter_scene(s)) for s in range(n_clutter)]
