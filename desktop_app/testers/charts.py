"""Charts for the classify report: the confusion matrix and the threshold trade-off.

Drawn with matplotlib when it is installed (the ``charts`` extra: ``pip install
"nepali-cash-reader[charts]"``): real type, anti-aliased lines and a legend that does not hide
points. Without it, the same two charts are drawn with OpenCV, which the app already needs, so a
tester's report always has its pictures. Both return a BGR image array for ``write_png``.

Colours say the one thing that matters: green where the right value was spoken, red where a
WRONG value was spoken (money lost), grey where the app abstained.
"""
from __future__ import annotations

import math
from typing import Sequence

import cv2
import numpy as np

from desktop_app.recognition.evidence import DENOMINATIONS


def have_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def confusion_png(conf: dict, title: str = "Confusion matrix", *, engine: str | None = None) -> np.ndarray:
    """Rows: truth; columns: what was said. ``engine``: "matplotlib", "opencv" or None (the best available)."""
    if _engine(engine) == "matplotlib":
        from desktop_app.testers import charts_mpl

        return charts_mpl.confusion(conf, title)
    return _cv_confusion(conf, title)


def tradeoff_png(points: Sequence[dict], current: dict | None, title: str, *, engine: str | None = None) -> np.ndarray:
    """Coverage (notes whose value is spoken) against wrong announcements for threshold settings.

    ``points``: dicts with min_inliers, min_margin, coverage, wrong_rate (0..1). One line per
    margin, through increasing min_inliers; ``current`` (the shipped thresholds) is ringed.
    """
    if _engine(engine) == "matplotlib":
        from desktop_app.testers import charts_mpl

        return charts_mpl.tradeoff(points, current, title)
    return _cv_tradeoff(points, current, title)


def _engine(engine: str | None) -> str:
    if engine is None:
        return "matplotlib" if have_matplotlib() else "opencv"
    if engine not in ("matplotlib", "opencv"):
        raise ValueError(f"unknown chart engine {engine!r}")
    return engine


def cell_kind(truth: str, said: str) -> str:
    """right | wrong | abstain: what a confusion cell's colour says."""
    if said == truth:
        return "right"
    return "wrong" if said in DENOMINATIONS else "abstain"


def inlier_labels(line: Sequence[dict]) -> list[tuple[dict, str]]:
    """Labels for one margin's points: neighbours that fall on the same spot share one label
    ("8-15") instead of printing on top of each other."""
    out: list[tuple[dict, str]] = []
    for p in line:
        spot = (p["wrong_rate"], p["coverage"])
        if out and (out[-1][0]["wrong_rate"], out[-1][0]["coverage"]) == spot:
            first = out[-1][1].split("-")[0]
            out[-1] = (out[-1][0], f"{first}-{p['min_inliers']}")
        else:
            out.append((p, str(p["min_inliers"])))
    return out


# --- OpenCV fallback ----------------------------------------------------------------------------
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_INK = (40, 40, 40)
_GRID = (220, 220, 220)
_CV_COLOURS = {"right": (80, 170, 60), "wrong": (60, 60, 210), "abstain": (150, 150, 150)}  # BGR


def _text(img, text, org, scale=0.5, color=_INK, thickness=1, align="left"):
    (w, h), _ = cv2.getTextSize(text, _FONT, scale, thickness)
    x, y = org
    if align == "center":
        x -= w // 2
    elif align == "right":
        x -= w
    cv2.putText(img, text, (int(x), int(y)), _FONT, scale, color, thickness, cv2.LINE_AA)


def _cv_confusion(conf: dict, title: str) -> np.ndarray:
    rows, cols, counts = conf["rows"], conf["columns"], np.array(conf["counts"], dtype=int)
    cell, left, top = 56, 90, 90
    h, w = top + cell * len(rows) + 40, left + cell * len(cols) + 20
    img = np.full((h, w, 3), 255, np.uint8)
    _text(img, title, (w // 2, 28), 0.65, align="center", thickness=2)
    _text(img, "said ->", (left - 8, top - 34), 0.45, align="right")
    _text(img, "truth", (12, top - 10), 0.45)
    row_totals = counts.sum(axis=1)
    for j, name in enumerate(cols):
        _text(img, name, (left + j * cell + cell // 2, top - 12), 0.45, align="center")
    for i, truth in enumerate(rows):
        y = top + i * cell
        _text(img, truth, (left - 10, y + cell // 2 + 5), 0.5, align="right")
        for j, said in enumerate(cols):
            x = left + j * cell
            n = int(counts[i, j])
            share = n / row_totals[i] if row_totals[i] else 0.0
            base = _CV_COLOURS[cell_kind(truth, said)]
            color = tuple(int(255 - share * (255 - c)) for c in base) if n else (255, 255, 255)
            cv2.rectangle(img, (x, y), (x + cell, y + cell), color, -1)
            cv2.rectangle(img, (x, y), (x + cell, y + cell), _GRID, 1)
            if n:
                ink = (255, 255, 255) if share > 0.55 else _INK
                _text(img, str(n), (x + cell // 2, y + cell // 2 + 6), 0.6, ink, 1, align="center")
    _text(img, "green: right   red: wrong value spoken   grey: no value spoken", (left, h - 14), 0.42)
    return img


def _cv_tradeoff(points: Sequence[dict], current: dict | None, title: str) -> np.ndarray:
    w, h = 900, 560
    left, right, top, bottom = 80, 230, 60, 70
    img = np.full((h, w, 3), 255, np.uint8)
    _text(img, title, ((w - right + left) // 2, 30), 0.65, align="center", thickness=2)
    pw, ph = w - left - right, h - top - bottom
    # The x axis ends a little past the worst setting (at least 1%), so small rates stay apart.
    max_wrong = max([p["wrong_rate"] or 0.0 for p in points] + [0.01])
    x_max = min(1.0, math.ceil(max_wrong * 1.15 * 100) / 100)

    def at(wrong: float, cover: float) -> tuple[int, int]:
        return (int(left + (wrong / x_max) * pw), int(top + ph - cover * ph))

    for k in range(6):
        v = k / 5
        _, y = at(0, v)
        cv2.line(img, (left, y), (left + pw, y), _GRID, 1)
        _text(img, f"{100 * v:.0f}%", (left - 8, y + 5), 0.45, align="right")
        x, _ = at(v * x_max, 0)
        cv2.line(img, (x, top), (x, top + ph), _GRID, 1)
        _text(img, f"{100 * v * x_max:.2g}%", (x, top + ph + 20), 0.45, align="center")
    cv2.rectangle(img, (left, top), (left + pw, top + ph), _INK, 1)
    _text(img, "wrong announcements (share of labelled images)", (left + pw // 2, h - 22), 0.5, align="center")
    _text(img, "coverage", (10, top - 30), 0.5)
    palette = [(180, 119, 31), (14, 127, 255), (44, 160, 44), (40, 39, 214), (189, 103, 148), (75, 86, 140)]
    margins = sorted({p["min_margin"] for p in points})
    for k, margin in enumerate(margins):
        color = palette[k % len(palette)]
        line = sorted((p for p in points if p["min_margin"] == margin), key=lambda p: p["min_inliers"])
        pts = [at(p["wrong_rate"] or 0.0, p["coverage"] or 0.0) for p in line]
        for a, b in zip(pts, pts[1:]):
            cv2.line(img, a, b, color, 2, cv2.LINE_AA)
        for xy in pts:
            cv2.circle(img, xy, 4, color, -1, cv2.LINE_AA)
        if k == len(margins) // 2:
            for p, text in inlier_labels(line):
                x, y = at(p["wrong_rate"] or 0.0, p["coverage"] or 0.0)
                _text(img, text, (x + 6, y - 6), 0.38, color)
        ly = top + 20 + 24 * k
        cv2.line(img, (w - right + 20, ly - 4), (w - right + 50, ly - 4), color, 2)
        _text(img, f"margin {margin:g}", (w - right + 58, ly), 0.45)
    if current is not None:
        xy = at(current["wrong_rate"] or 0.0, current["coverage"] or 0.0)
        cv2.circle(img, xy, 10, _INK, 2, cv2.LINE_AA)
        ly = top + 20 + 24 * len(margins) + 10
        cv2.circle(img, (w - right + 35, ly - 4), 8, _INK, 2, cv2.LINE_AA)
        _text(img, "shipped", (w - right + 58, ly), 0.45)
        _text(img, f"({current['min_inliers']} inliers,", (w - right + 58, ly + 20), 0.42)
        _text(img, f" margin {current['min_margin']:g})", (w - right + 58, ly + 38), 0.42)
    _text(img, "numbers: min_inliers", (w - right + 20, h - bottom), 0.42)
    return img
