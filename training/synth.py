"""Synthetic camera frames for training and evaluating the note model (seeded, no downloads).

Positives paste a note (a reference scan, or the hand-marked note polygon cut from a real
photo via its outline, ``training.data.Item.corners``) into a scene with a perspective warp, scale, rotation, partial
occlusion by a hand or clutter, lighting, blur, noise and JPEG loss. Real photos are also
re-framed as a camera would see them ("in context"). Negatives are scenes without a note:
generated clutter, plain table tops, scikit-image sample pictures, hands, and note-shaped
paper, cards and printed pictures, so that "any rectangle" is not taught as "a note".

Frames are rendered at 4:3 (a webcam's shape); the model's preprocessing then stretches them
to its square input exactly as the app does with a live frame.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from training.data import Item, read_image

CANVAS = (240, 320)  # (h, w): a 4:3 webcam frame, rendered small for speed
SPRITE_MAX = 480  # longest side a note sprite is kept at

# scikit-image sample pictures: disjoint sets for training backgrounds and for evaluation
TRAIN_SCENES = ("astronaut", "brick", "camera", "chelsea", "clock", "coins", "grass", "hubble_deep_field",
                "immunohistochemistry", "page", "text", "moon", "stereo_motorcycle", "checkerboard")
EVAL_SCENES = ("coffee", "rocket", "gravel", "retina", "cell", "colorwheel", "logo")

SKIN_TONES_BGR = ((172, 200, 241), (140, 180, 224), (105, 150, 198), (80, 120, 170), (60, 90, 135), (45, 65, 100))


@dataclass
class Sprite:
    """A note cut-out: BGR pixels, an alpha mask, and the quad of the cut-out's corners."""

    image: np.ndarray
    alpha: np.ndarray  # uint8, 255 inside the note


def make_sprite(source: Item, data_root: Path) -> Sprite:
    image = read_image(data_root / source.file)
    if source.kind == "ref":
        alpha = np.full(image.shape[:2], 255, np.uint8)
    else:
        poly = np.array(source.corners, np.float32)
        alpha = np.zeros(image.shape[:2], np.uint8)
        cv2.fillPoly(alpha, [np.round(poly).astype(np.int32)], 255)
        x, y, w, h = cv2.boundingRect(np.round(poly).astype(np.int32))
        x, y = max(0, x), max(0, y)
        image, alpha = image[y : y + h, x : x + w], alpha[y : y + h, x : x + w]
    scale = SPRITE_MAX / max(image.shape[:2])
    if scale < 1:
        size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        alpha = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
    return Sprite(image, alpha)


# ------------------------------------------------------------------ scenes
@lru_cache(maxsize=None)
def scene_picture(name: str) -> np.ndarray:
    import skimage.data

    from training.scenes import as_bgr

    return as_bgr(getattr(skimage.data, name)())


def picture_scene(rng: np.random.Generator, names: tuple[str, ...], shape=CANVAS) -> np.ndarray:
    image = scene_picture(names[rng.integers(len(names))])
    h, w = image.shape[:2]
    frac = rng.uniform(0.4, 1.0)
    ch, cw = max(8, int(h * frac)), max(8, int(w * frac * rng.uniform(0.8, 1.2)))
    cw = min(cw, w)
    y, x = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
    crop = image[y : y + ch, x : x + cw]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return cv2.resize(np.ascontiguousarray(crop), (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


def random_colour(rng: np.random.Generator, lo: int = 0, hi: int = 256) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(lo, hi, 3))


def gradient(rng: np.random.Generator, shape, c1, c2) -> np.ndarray:
    h, w = shape
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    t = (t - t.min()) / max(1e-6, t.max() - t.min())
    return (np.asarray(c1, np.float32) * (1 - t[..., None]) + np.asarray(c2, np.float32) * t[..., None])


def plain_surface(rng: np.random.Generator, shape=CANVAS) -> np.ndarray:
    """An empty table top, tray or wall: nearly flat, a little grain."""
    base = np.asarray(random_colour(rng, 20, 240), np.float32)
    base = base.mean() + (base - base.mean()) * rng.uniform(0.15, 1.0)  # most surfaces are muted
    other = np.clip(np.asarray(base) + rng.integers(-40, 41, 3), 0, 255)
    img = gradient(rng, shape, base, other)
    if rng.random() < 0.4:  # wood-like grain
        h, w = shape
        freq = rng.uniform(0.05, 0.4)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        grain = np.sin(freq * (yy + 6 * np.sin(xx / rng.uniform(8, 40)))) * rng.uniform(5, 25)
        img += grain[..., None]
    img += rng.normal(0, rng.uniform(1, 6), img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def random_text(rng: np.random.Generator, img: np.ndarray, lines: int, colour=None, region=None) -> None:
    x0, y0, x1, y1 = region or (0, 0, img.shape[1], img.shape[0])
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,-"
    for _ in range(lines):
        text = "".join(alphabet[i] for i in rng.integers(0, len(alphabet), rng.integers(4, 30)))
        scale = rng.uniform(0.25, 0.9)
        org = (int(rng.uniform(x0, max(x0 + 1, x1 - 20))), int(rng.uniform(y0 + 8, max(y0 + 9, y1))))
        cv2.putText(img, text, org, int(rng.integers(0, 8)), scale, colour or random_colour(rng, 0, 120),
                    int(rng.integers(1, 3)), cv2.LINE_AA)


def clutter_scene(rng: np.random.Generator, shape=CANVAS) -> np.ndarray:
    """A busy desk: shapes, lines, text and texture on a gradient."""
    img = plain_surface(rng, shape).astype(np.uint8)
    h, w = shape
    for _ in range(rng.integers(3, 14)):
        colour = random_colour(rng)
        kind = rng.integers(0, 5)
        p = (int(rng.integers(-20, w)), int(rng.integers(-20, h)))
        if kind == 0:
            q = (p[0] + int(rng.integers(10, w // 2)), p[1] + int(rng.integers(10, h // 2)))
            cv2.rectangle(img, p, q, colour, -1 if rng.random() < 0.7 else int(rng.integers(1, 5)))
        elif kind == 1:
            cv2.circle(img, p, int(rng.integers(5, h // 3)), colour, -1 if rng.random() < 0.7 else 2, cv2.LINE_AA)
        elif kind == 2:
            q = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(img, p, q, colour, int(rng.integers(1, 8)), cv2.LINE_AA)
        elif kind == 3:
            pts = rng.integers(0, [w, h], (int(rng.integers(3, 7)), 2)).astype(np.int32)
            cv2.fillPoly(img, [pts], colour)
        else:
            random_text(rng, img, int(rng.integers(1, 6)))
    if rng.random() < 0.3:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 3))
    return img


def background(rng: np.random.Generator, scenes: tuple[str, ...], shape=CANVAS) -> np.ndarray:
    r = rng.random()
    if r < 0.3:
        return plain_surface(rng, shape)
    if r < 0.65:
        return clutter_scene(rng, shape)
    return picture_scene(rng, scenes, shape)


# ------------------------------------------------------------------ pasting
def quad_for(rng: np.random.Generator, w: float, h: float, shape=CANVAS, scale=(0.35, 1.25), jitter=0.12,
             min_visible=0.45, convex: bool = False) -> np.ndarray:
    """Destination quad for a w x h object: scaled, rotated, perspective-jittered, placed.
    ``convex``: only a convex quad, as a flat object seen by a camera always is (jittered
    corners can cross, and such a quad sends part of the object off to infinity); where no
    draw qualifies, the last convex one."""
    ch, cw = shape
    fallback = None
    for _ in range(20):
        long_side = rng.uniform(*scale) * cw
        s = long_side / max(w, h)
        rect = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32) * s
        rect += rng.normal(0, jitter * long_side / 2, rect.shape).astype(np.float32)
        a = rng.uniform(0, 2 * np.pi)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
        rect = rect @ rot.T
        centre = np.array([rng.uniform(0.15, 0.85) * cw, rng.uniform(0.15, 0.85) * ch], np.float32)
        quad = rect + centre
        if convex and not is_convex(quad):
            continue
        fallback = quad
        if visible_fraction(quad, shape) >= min_visible:
            return quad
    return quad if fallback is None else fallback


def is_convex(quad: np.ndarray) -> bool:
    """Whether the corners, in order, make a convex quad (not crossed, not dented)."""
    return bool(cv2.isContourConvex(np.asarray(quad, np.float32).reshape(-1, 1, 2)))


def visible_fraction(quad: np.ndarray, shape=CANVAS) -> float:
    area = abs(cv2.contourArea(quad.astype(np.float32)))
    if area < 1:
        return 0.0
    frame = np.array([[0, 0], [shape[1], 0], [shape[1], shape[0]], [0, shape[0]]], np.float32)
    inter, _ = cv2.intersectConvexConvex(quad.astype(np.float32), frame)
    return float(inter) / area


def paste(canvas: np.ndarray, image: np.ndarray, alpha: np.ndarray, quad: np.ndarray, feather: float = 0.8) -> np.ndarray:
    h, w = image.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    size = (canvas.shape[1], canvas.shape[0])
    warped = cv2.warpPerspective(image, m, size, flags=cv2.INTER_AREA if w > size[0] else cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE)
    a = cv2.warpPerspective(alpha, m, size, flags=cv2.INTER_LINEAR).astype(np.float32) / 255
    if feather:
        a = cv2.GaussianBlur(a, (0, 0), feather)
    out = canvas.astype(np.float32) * (1 - a[..., None]) + warped.astype(np.float32) * a[..., None]
    return out.astype(np.uint8)


def hand_layer(rng: np.random.Generator, size: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """A crude hand (palm and fingers) in a random skin tone, with its alpha."""
    tone = np.asarray(SKIN_TONES_BGR[rng.integers(len(SKIN_TONES_BGR))], np.float32) * rng.uniform(0.8, 1.15)
    alpha = np.zeros((size, size), np.uint8)
    cx, cy = size // 2, int(size * 0.62)
    cv2.ellipse(alpha, (cx, cy), (int(size * 0.22), int(size * 0.26)), 0, 0, 360, 255, -1)
    n = int(rng.integers(2, 6))
    for i in range(n):
        ang = np.deg2rad(-70 + 140 * (i + 0.5) / n + rng.normal(0, 6))
        length = size * rng.uniform(0.28, 0.42)
        base = (int(cx + np.sin(ang) * size * 0.15), int(cy - np.cos(ang) * size * 0.18))
        tip = (int(base[0] + np.sin(ang) * length), int(base[1] - np.cos(ang) * length))
        cv2.line(alpha, base, tip, 255, int(size * rng.uniform(0.07, 0.1)), cv2.LINE_AA)
    shade = gradient(rng, (size, size), tone * 1.1, tone * 0.75)
    shade += rng.normal(0, 3, shade.shape)
    return np.clip(shade, 0, 255).astype(np.uint8), alpha


def add_hand(rng: np.random.Generator, canvas: np.ndarray, near: np.ndarray | None = None) -> np.ndarray:
    image, alpha = hand_layer(rng)
    ch, cw = canvas.shape[:2]
    if near is not None:  # hold the note: the hand's centre sits on an edge of the note
        i = rng.integers(4)
        t = rng.uniform(0.2, 0.8)
        centre = near[i] * (1 - t) + near[(i + 1) % 4] * t
    else:
        centre = np.array([rng.uniform(0, cw), rng.uniform(0, ch)])
    size = rng.uniform(0.35, 0.8) * ch
    a = rng.uniform(0, 2 * np.pi)
    rect = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32) * size / 2
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    return paste(canvas, image, alpha, rect @ rot.T + centre.astype(np.float32), feather=1.5)


def paper_object(rng: np.random.Generator, scenes: tuple[str, ...]) -> np.ndarray:
    """Note-shaped things that are not notes: paper, printed sheets, cards, photo prints."""
    w = int(rng.integers(160, 320))
    h = int(w / rng.choice([2.2, 2.0, 1.6, 1.41, 1.0, 2.6]))
    kind = rng.integers(0, 4)
    if kind == 0:  # blank paper, cream or coloured
        img = gradient(rng, (h, w), random_colour(rng, 170, 256), random_colour(rng, 150, 256))
    elif kind == 1:  # printed sheet or receipt
        img = gradient(rng, (h, w), (235, 235, 235), random_colour(rng, 200, 256))
        img = img.astype(np.uint8)
        random_text(rng, img, int(rng.integers(4, 14)), colour=(40, 40, 40))
    elif kind == 2:  # a colourful card or flyer
        img = clutter_scene(rng, (h, w))
    else:  # a photo print with a white border
        img = np.full((h, w, 3), 245, np.uint8)
        b = max(3, w // 20)
        img[b:-b, b:-b] = picture_scene(rng, scenes, (h - 2 * b, w - 2 * b))
    img = np.clip(np.asarray(img, np.float32) + rng.normal(0, 2, (h, w, 3)), 0, 255).astype(np.uint8)
    return img


# ------------------------------------------------------------------ camera effects
def camera_effects(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    x = img.astype(np.float32)
    x = x * rng.uniform(0.55, 1.3) + rng.uniform(-25, 25)  # exposure
    x *= rng.uniform(0.9, 1.1, 3)  # white balance
    if rng.random() < 0.4:  # uneven light: a lamp to one side
        x *= gradient(rng, img.shape[:2], [rng.uniform(0.6, 1.0)] * 3, [rng.uniform(1.0, 1.3)] * 3)
    x = np.clip(x, 0, 255)
    if rng.random() < 0.3:
        x = 255 * (x / 255) ** rng.uniform(0.7, 1.4)
    img = x.astype(np.uint8)
    r = rng.random()
    if r < 0.25:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 2.0))
    elif r < 0.4:
        k = int(rng.integers(3, 10))
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2] = 1.0 / k
        rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1)
        img = cv2.filter2D(img, -1, cv2.warpAffine(kernel, rot, (k, k)))
    if rng.random() < 0.6:
        img = np.clip(img + rng.normal(0, rng.uniform(1, 7), img.shape), 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(35, 95))])
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return img


def recolour(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Hue-rotate or desaturate a note so presence learns 'a banknote', not 'these colours'."""
    if rng.random() < 0.3:
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    hsv[..., 0] = ((hsv[..., 0].astype(np.int32) + int(rng.integers(20, 160))) % 180).astype(np.uint8)
    hsv[..., 1] = np.clip(hsv[..., 1].astype(np.float32) * rng.uniform(0.7, 1.6), 0, 255).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)


# ------------------------------------------------------------------ samples
def note_frame(rng: np.random.Generator, sprite: Sprite, scenes: tuple[str, ...], recoloured: bool = False) -> np.ndarray:
    canvas = background(rng, scenes)
    image = recolour(rng, sprite.image) if recoloured else sprite.image
    h, w = image.shape[:2]
    quad = quad_for(rng, w, h)
    if rng.random() < 0.3:  # a second, distracting object first
        other = paper_object(rng, scenes)
        canvas = paste(canvas, other, np.full(other.shape[:2], 255, np.uint8), quad_for(rng, other.shape[1], other.shape[0], scale=(0.2, 0.6)))
    canvas = paste(canvas, image, sprite.alpha, quad)
    if rng.random() < 0.45:
        canvas = add_hand(rng, canvas, near=quad)
    elif rng.random() < 0.15:  # something lying across part of the note
        occ = clutter_scene(rng, (60, 120))
        canvas = paste(canvas, occ, np.full(occ.shape[:2], 255, np.uint8), quad_for(rng, 120, 60, scale=(0.15, 0.35), min_visible=1.0))
    return camera_effects(rng, canvas)


def photo_in_context(rng: np.random.Generator, photo: np.ndarray, corners, shape=CANVAS) -> np.ndarray:
    """A real photo re-framed as a webcam might see it: rotated, zoomed, shifted, relit."""
    h, w = photo.shape[:2]
    poly = np.array(corners, np.float32)
    centre = poly.mean(axis=0)
    for _ in range(10):
        angle = rng.choice([0, 90, 180, 270]) + rng.normal(0, 8)
        zoom = rng.uniform(0.8, 1.6)
        m = cv2.getRotationMatrix2D(tuple(float(v) for v in centre), angle, 1.0)
        # fit the photo's long side to the canvas, then zoom and shift a little
        fit = max(shape[1] / max(h, w), shape[0] / min(h, w)) * zoom
        m[:, :2] *= fit
        m[:, 2] = m[:, 2] * fit - centre * fit + np.array([shape[1], shape[0]]) / 2 + rng.normal(0, 0.1, 2) * np.array([shape[1], shape[0]])
        quad = cv2.transform(poly[None], m)[0]
        if visible_fraction(quad if len(quad) == 4 else cv2.convexHull(quad)[:, 0], shape) >= 0.5:
            break
    frame = cv2.warpAffine(photo, m, (shape[1], shape[0]), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
    return camera_effects(rng, frame)


def empty_frame(rng: np.random.Generator, scenes: tuple[str, ...]) -> tuple[np.ndarray, str]:
    """A frame with no note in it, and what kind of negative it is."""
    canvas = background(rng, scenes)
    r = rng.random()
    if r < 0.35:
        kind = "scene"
    elif r < 0.6:
        kind = "hand"
        canvas = add_hand(rng, canvas)
    else:
        kind = "rectangle"
        obj = paper_object(rng, scenes)
        quad = quad_for(rng, obj.shape[1], obj.shape[0])
        canvas = paste(canvas, obj, np.full(obj.shape[:2], 255, np.uint8), quad)
        if rng.random() < 0.4:
            canvas = add_hand(rng, canvas, near=quad)
    return camera_effects(rng, canvas), kind
