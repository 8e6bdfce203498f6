"""How well teach mode's ``find_note`` finds a note's corners, on the shared data and on frames
that hold no note.

    python tools/outline_report.py          # prints the table; skips when ../shared is absent

Nepali photos: the truth is the MANIFEST's hand-marked ``note_corners`` or training's checked
outline (training/note_outlines.csv, status ok). A found quad is correct when its mean corner
distance, after the best cyclic alignment, is under ``CORRECT`` x the note's diagonal. Photos
whose marked polygon is of a note cut by the frame are counted apart ("partial", see
``partial_mark``): no whole note is there, so a quad on them is reported, not scored.
Indian notes: any quad is fine (they are notes), the found rate is shown. Non-notes (empty
table scenes, gradients, noise) must give no quad.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository root first on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from desktop_app.paths import SHARED_DATA  # noqa: E402
from desktop_app.teaching.outline import MIN_ASPECT, aspect_ratio, find_note, whole_in_view  # noqa: E402
from desktop_app.teaching.outline import corner_distance as corner_error  # noqa: E402

CORRECT = 0.08  # of the note's diagonal
ON_EDGE = 0.005  # a marked corner this near the frame edge (x long side): the note runs off the frame


def partial_mark(truth: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether the marked polygon is of a note cut by the frame: not a quad, a corner on (or
    past) the frame's edge, or too squat for a whole note (the hand marks of close-ups follow
    the frame a little inside its edge)."""
    t = np.asarray(truth, np.float64)
    return len(t) != 4 or not whole_in_view(t, shape, ON_EDGE) or aspect_ratio(t) < MIN_ASPECT


@dataclass
class Tally:
    total: int = 0
    found: int = 0
    correct: int = 0
    wrong: list[str] = field(default_factory=list)
    partial: int = 0
    partial_found: int = 0
    partial_close: int = 0  # of those, how many lie within CORRECT of the marked polygon
    untruthed: int = 0  # photos with no checked outline (cannot be scored)


def score_photos(npr: Path = SHARED_DATA / "npr-notes", *, margin: float = 0.01,
                 hand: bool | None = None) -> Tally:
    """``hand``: only the hand-marked photos (True), only those outlined by training (False)."""
    from training.data import load_manifest, read_image

    t = Tally()
    for it in load_manifest(npr):
        if it.kind != "photo" or (hand is not None and (it.outline_method == "hand") != hand):
            continue
        image = read_image(npr / it.file)
        found = find_note(image, margin=margin)
        if not it.corners:
            t.untruthed += 1
            continue
        truth = np.asarray(it.corners, np.float64)
        if partial_mark(truth, image.shape):
            t.partial += 1
            t.partial_found += found is not None
            t.partial_close += found is not None and len(truth) == 4 and corner_error(found.quad, truth) < CORRECT
            continue
        t.total += 1
        if found is None:
            continue
        t.found += 1
        err = corner_error(found.quad, truth)
        if err < CORRECT:
            t.correct += 1
        else:
            t.wrong.append(f"{it.file} ({found.cue}, error {err:.2f})")
    return t


def non_notes(count: int = 60, size=(640, 480)):
    """Frames without a note: empty table scenes, smooth gradients, noise, a bright wall edge."""
    from bench.scenes import _table

    rng = np.random.default_rng(7)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for i in range(count):
        kind = i % 4
        if kind == 0:
            yield "table", _table(size, np.random.default_rng(100 + i))
        elif kind == 1:
            a = rng.uniform(0, 2 * np.pi)
            g = (np.cos(a) * xx / w + np.sin(a) * yy / h)
            g = (g - g.min()) / (np.ptp(g) + 1e-6) * rng.uniform(80, 255)
            yield "gradient", np.repeat(g[..., None], 3, axis=2).astype(np.uint8)
        elif kind == 2:
            sigma = rng.uniform(0, 4)
            noise = rng.normal(128, 50, (h, w, 3)).astype(np.float32)
            if sigma > 0.5:
                noise = cv2.GaussianBlur(noise, (0, 0), sigma)
            yield "noise", np.clip(noise, 0, 255).astype(np.uint8)
        else:  # half the frame lit: a wall and a shadow, the border of a region but no note
            img = _table(size, np.random.default_rng(200 + i))
            cut = int(rng.uniform(0.3, 0.7) * w)
            img[:, cut:] = np.clip(img[:, cut:].astype(np.int16) + 90, 0, 255).astype(np.uint8)
            yield "lit half", img


def timing(frames: list[np.ndarray], repeats: int = 3) -> tuple[float, float]:
    """Median and worst milliseconds of find_note per 640x480 frame."""
    times = []
    for _ in range(repeats):
        for f in frames:
            t0 = time.perf_counter()
            find_note(f)
            times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times)), float(max(times))


def main() -> int:
    npr, foreign = SHARED_DATA / "npr-notes", SHARED_DATA / "foreign-notes" / "inr"
    if not (npr / "MANIFEST.csv").is_file():
        print(f"skipped: no shared data at {SHARED_DATA}")
        return 0
    for title, hand, margin in (("all", None, 0.01), ("hand-marked", True, 0.01),
                                ("outlined by training", False, 0.01), ("all, margin 0", None, 0.0)):
        t = score_photos(npr, margin=margin, hand=hand)
        print(f"Nepali photos ({title}): whole note in frame {t.total}: found {t.found}, correct {t.correct}, "
              f"wrong {len(t.wrong)}; note cut by the frame {t.partial}: a quad on {t.partial_found} "
              f"({t.partial_close} within {CORRECT:.0%} of the marks)")
        for w in t.wrong:
            print(f"  wrong: {w}")
        if t.untruthed:
            print(f"  without a checked outline (not scored): {t.untruthed}")
    if foreign.is_dir():
        paths = sorted(p for p in foreign.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        hits = sum(find_note(cv2.imread(str(p))) is not None for p in paths)
        print(f"Indian note photos: {len(paths)}; a quad on {hits} (not scored: no marked outlines)")
    kinds: dict[str, list[int]] = {}
    frames = []
    for kind, img in non_notes():
        frames.append(img)
        kinds.setdefault(kind, []).append(find_note(img) is not None)
    print("Non-notes: " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in kinds.items()) + " returned a quad")
    photo_frames = [cv2.resize(cv2.imread(str(p)), (640, 480), interpolation=cv2.INTER_AREA)
                    for p in sorted((npr / "photos").rglob("*.jp*g"))[:20]]
    med, worst = timing(frames[:12] + photo_frames)
    print(f"find_note on 640x480 frames: median {med:.1f} ms, worst {worst:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
