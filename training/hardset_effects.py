"""The hard-set's transforms: what a real hand, table and camera do to a note.

Note transforms take and return a note cut-out (BGR image, uint8 alpha of the same size);
frame transforms take and return a BGR frame. Every one draws its parameters from the
``numpy.random.Generator`` it is given and nothing else, so a seed fixes the result.
"""
from __future__ import annotations

import cv2
import numpy as np

from training import synth


# ------------------------------------------------------------------ note transforms
def fold(rng: np.random.Generator, image: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The note folded (bent away from the camera) along a line across it: one part is
    foreshortened, narrower and, lit from another angle, darker or brighter. Which part is
    folded (left, right, top or bottom) is drawn too."""
    turns = int(rng.integers(4))  # rotate so the folded part is on the right, then back
    image, alpha = np.rot90(image, turns).copy(), np.rot90(alpha, turns).copy()
    h, w = image.shape[:2]
    line = int(w * rng.uniform(0.4, 0.65))
    squeeze = rng.uniform(0.35, 0.7)  # cos of the bend angle
    taper = rng.uniform(0.03, 0.12) * h  # the far edge looks shorter: perspective
    part_w = w - line
    src = np.float32([[line, 0], [w, 0], [w, h], [line, h]])
    far = line + part_w * squeeze
    dst = np.float32([[line, 0], [far, taper], [far, h - taper], [line, h]])
    m = cv2.getPerspectiveTransform(src, dst)
    folded = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_AREA)
    folded_a = cv2.warpPerspective(alpha, m, (w, h), flags=cv2.INTER_LINEAR)
    light = rng.choice([rng.uniform(0.55, 0.85), rng.uniform(1.1, 1.3)])
    out, out_a = image.copy(), alpha.copy()
    out[:, line:] = np.clip(folded[:, line:].astype(np.float32) * light, 0, 255).astype(np.uint8)
    out_a[:, line:] = folded_a[:, line:]
    return np.rot90(out, -turns).copy(), np.rot90(out_a, -turns).copy()


def curl(rng: np.random.Generator, image: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A curled, wavy note: columns shift up and down along a smooth wave, the ends bend
    away (narrower), and the slope shades the paper."""
    h, w = image.shape[:2]
    amp = rng.uniform(0.06, 0.16) * h
    waves = rng.uniform(0.5, 1.5)
    phase = rng.uniform(0, 2 * np.pi)
    pad = int(np.ceil(amp)) + 1
    H = h + 2 * pad
    xx, yy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(H, dtype=np.float32))
    t = xx / max(w - 1, 1)
    shift = amp * np.sin(2 * np.pi * waves * t + phase)
    map_x = xx
    map_y = yy - pad - shift
    warped = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    warped_a = cv2.remap(alpha, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    slope = np.cos(2 * np.pi * waves * t[0] + phase)  # d(shift)/dx, up to a factor
    shade = 1.0 + rng.uniform(0.12, 0.3) * slope
    warped = np.clip(warped.astype(np.float32) * shade[None, :, None], 0, 255).astype(np.uint8)
    return warped, warped_a


def thumb_layer(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """A thumb or finger tip seen from above: an elongated rounded blob in a skin tone."""
    tone = np.asarray(synth.SKIN_TONES_BGR[rng.integers(len(synth.SKIN_TONES_BGR))], np.float32)
    alpha = np.zeros((size, size), np.uint8)
    width = int(size * rng.uniform(0.22, 0.32))
    cv2.ellipse(alpha, (size // 2, size // 2), (width, size // 2 - 2), 0, 0, 360, 255, -1)
    image = synth.gradient(rng, (size, size), tone * 1.1, tone * 0.8)
    cv2.ellipse(image, (size // 2, int(size * 0.22)), (int(width * 0.6), int(size * 0.12)), 0, 0, 360,
                tuple(float(v) for v in np.minimum(tone * 1.25, 255)), -1)  # the nail
    return np.clip(image, 0, 255).astype(np.uint8), alpha


def occlude(rng: np.random.Generator, frame: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """One to three fingers or a thumb over the note, coming in across one of its edges."""
    out = frame
    edge = int(rng.integers(4))
    a, b = quad[edge], quad[(edge + 1) % 4]
    centre = quad.mean(axis=0)
    note_len = float(np.linalg.norm(quad[1] - quad[0]))
    for _ in range(int(rng.integers(1, 4))):
        t = rng.uniform(0.15, 0.85)
        base = a * (1 - t) + b * t
        inward = (centre - base) / max(float(np.linalg.norm(centre - base)), 1e-6)
        size = note_len * rng.uniform(0.3, 0.55)
        tip = base + inward * size * rng.uniform(0.25, 0.5)
        angle = np.arctan2(inward[1], inward[0]) + np.pi / 2 + rng.normal(0, 0.25)
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
        rect = np.float32([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * size / 2
        image, alpha = thumb_layer(rng, 96)
        out = synth.paste(out, image, alpha, rect @ rot.T + tip.astype(np.float32), feather=1.2)
    return out


# ------------------------------------------------------------------ frame transforms
def motion_blur(rng: np.random.Generator, frame: np.ndarray) -> np.ndarray:
    """A shaky hand: a straight blur 9-25 px long in one direction."""
    k = int(rng.integers(9, 26)) | 1
    kernel = np.zeros((k, k), np.float32)
    kernel[k // 2] = 1.0 / k
    rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), float(rng.uniform(0, 180)), 1)
    kernel = cv2.warpAffine(kernel, rot, (k, k))
    return cv2.filter2D(frame, -1, kernel / kernel.sum())


def low_light(rng: np.random.Generator, frame: np.ndarray) -> np.ndarray:
    """An evening room: exposure at 20-45 %, a crushed gamma and a warm cast."""
    x = frame.astype(np.float32) / 255
    x = x ** rng.uniform(1.2, 1.8) * rng.uniform(0.2, 0.45)
    x *= np.array([rng.uniform(0.75, 0.9), 1.0, rng.uniform(1.0, 1.15)], np.float32)  # BGR: warm
    return np.clip(x * 255, 0, 255).astype(np.uint8)


def noise(rng: np.random.Generator, frame: np.ndarray) -> np.ndarray:
    """Sensor noise of a cheap webcam: Gaussian, sigma 6-16 grey levels, per channel."""
    return np.clip(frame + rng.normal(0, rng.uniform(6, 16), frame.shape), 0, 255).astype(np.uint8)


def jpeg(rng: np.random.Generator, frame: np.ndarray) -> np.ndarray:
    """Heavy JPEG compression (quality 8-30): 8x8 blocks and ringing."""
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(8, 31))])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


FRAME_EFFECTS = {"motion_blur": motion_blur, "low_light": low_light, "noise": noise, "jpeg": jpeg}
