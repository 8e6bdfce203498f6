"""Reading hold and label files, scoring what was said, and writing reports a person can read.

Shared by ``replay`` (a video with holds) and ``classify`` (photos): both reduce to pairs of
(truth, what the app said), scored the same way. A wrong value costs a blind person money,
so "wrong" (a value spoken that is not the truth) is kept apart from abstentions ("not sure",
"no note seen"), which only cost a retry.

File formats (hand-written by testers, so forgiving about separators and headers):

    # holds.csv: one hold of the Space key per line, seconds of video time
    start,end
    0.9,3.2
    4.0,5.0

    # labels.csv: what is in view from start to end (a denomination, or "none")
    start,end,label
    1.0,3.0,100

Fields may be separated by commas, semicolons, tabs or spaces; times may be ``12.5``,
``1:02.5`` or ``1:02:03``; ``#`` starts a comment; a first line that is not numbers is a header.
Labels may be written ``100``, ``Rs 100``, ``rs100``, ``NPR 100``; ``none``/``empty``/``-`` mean
no Nepali note is in view (an empty view, or a foreign note): there, "no note seen" and "not sure"
are both right, and any value is wrong.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import cv2
import numpy as np

from desktop_app.recognition.evidence import DENOMINATIONS

NONE_LABEL = "none"
UNSURE_LABEL = "unsure"
MISSED_LABEL = "missed"
# Columns of the confusion matrix: every answer the app can give, then "no answer at all".
SAID_COLUMNS: tuple[str, ...] = (*DENOMINATIONS, NONE_LABEL, UNSURE_LABEL, MISSED_LABEL)
TRUTH_ROWS: tuple[str, ...] = (*DENOMINATIONS, NONE_LABEL)
OUTCOMES = ("right", "wrong", "unsure", "none", "missed")


class ReportInputError(ValueError):
    """A holds or labels file cannot be used; the message names the file and line."""


# --- reading holds and labels -----------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    start: float
    end: float
    label: str | None = None


def parse_time(text: str) -> float:
    """Seconds from ``12.5``, ``1:02.5`` (m:s) or ``1:02:03`` (h:m:s)."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(not p.strip() for p in parts):
        raise ValueError(f"not a time: {text!r}")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a time: {text!r}")
    return seconds


def normalise_label(text: str) -> str:
    """``"Rs 100"`` -> ``"100"``; ``"empty"`` -> ``"none"``. Raises ValueError if unknown."""
    raw = text.strip().lower()
    if raw in ("none", "empty", "-", "no note", "nothing", "blank"):
        return NONE_LABEL
    value = re.sub(r"^(rs\.?|npr|rupees?)\s*", "", raw)
    value = re.sub(r"\s*(rs\.?|rupees?)$", "", value).strip()
    if value in DENOMINATIONS:
        return value
    raise ValueError(f"unknown label {text!r} (expected one of {', '.join(DENOMINATIONS)} or none)")


def _split(line: str) -> list[str]:
    # Commas/semicolons/tabs first; plain spaces only when no other separator is used, so a
    # label such as "Rs 100" survives in a comma-separated file.
    if re.search(r"[,;\t]", line):
        return [f.strip() for f in re.split(r"[,;\t]", line)]
    return line.split()


def read_spans(path: str | Path, *, want_label: bool) -> list[Span]:
    """Reads a holds file (``want_label=False``; a third column is kept if present) or a
    labels file (``want_label=True``; the third column is required)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportInputError(f"cannot read {path}: {exc}") from exc
    spans: list[Span] = []
    header_allowed = True
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = [f for f in _split(line) if f != ""]
        where = f"{path}, line {number}"
        expected = f"{where}: expected 'start,end{',label' if want_label else ''}', got {raw.strip()!r}"
        try:
            start = parse_time(fields[0])
        except ValueError:
            if header_allowed:  # the first line may name the columns
                header_allowed = False
                continue
            raise ReportInputError(expected) from None
        header_allowed = False
        try:
            end = parse_time(fields[1]) if len(fields) > 1 else None
        except ValueError:
            raise ReportInputError(expected) from None
        if end is None:
            raise ReportInputError(f"{where}: a start time needs an end time, got {raw.strip()!r}")
        if end < start:
            raise ReportInputError(f"{where}: ends ({end:g} s) before it starts ({start:g} s)")
        label = None
        if len(fields) > 2:
            try:
                label = normalise_label(" ".join(fields[2:]))
            except ValueError as exc:
                raise ReportInputError(f"{where}: {exc}") from None
        elif want_label:
            raise ReportInputError(f"{where}: a label needs start, end and the note's value, got {raw.strip()!r}")
        spans.append(Span(start, end, label))
    if not spans:
        raise ReportInputError(f"{path}: no {'labels' if want_label else 'holds'} found")
    return sorted(spans, key=lambda s: (s.start, s.end))


def read_holds(path: str | Path) -> list[Span]:
    holds = read_spans(path, want_label=False)
    for before, after in zip(holds, holds[1:]):
        if after.start < before.end:
            raise ReportInputError(
                f"{path}: holds {before.start:g}-{before.end:g} s and {after.start:g}-{after.end:g} s overlap "
                "(there is only one Space key)")
    return holds


def read_labels(path: str | Path) -> list[Span]:
    return read_spans(path, want_label=True)


def label_at(t: float, labels: Sequence[Span]) -> str | None:
    """The label in view at ``t``; spans are half-open [start, end), like video frames."""
    for span in reversed(labels):  # at a boundary the span that is just beginning wins
        if span.start - 1e-9 <= t < span.end - 1e-9:
            return span.label
    return None


def hold_truth(start: float, end: float | None, said: str | None, announced_at: float | None,
               labels: Sequence[Span]) -> str | None:
    """What a hold should have said.

    A value is judged against what was in view when it was spoken: the frame that completed the
    agreement is the one the app trusted. An abstention (or no answer) is judged against what was
    in view for most of the scan, since all its frames went into it.
    """
    if said in DENOMINATIONS and announced_at is not None:
        at = label_at(announced_at, labels)
        if at is not None:
            return at
    stop = announced_at if announced_at is not None else end
    return truth_for(start, start if stop is None else max(start, stop), labels)


def truth_for(start: float, end: float, labels: Sequence[Span]) -> str | None:
    """The label in view for most of [start, end]; a zero-length window takes the label at start."""
    if end <= start:
        for span in labels:
            if span.start <= start <= span.end:
                return span.label
        return None
    best, best_overlap = None, 0.0
    for span in labels:
        overlap = min(end, span.end) - max(start, span.start)
        if overlap > best_overlap + 1e-9:
            best, best_overlap = span.label, overlap
    return best


# --- scoring ----------------------------------------------------------------------------------
def outcome(truth: str | None, said: str | None) -> str | None:
    """right | wrong | unsure | none | missed; None when there is no truth to score against."""
    if truth is None:
        return None
    if said is None:
        return "missed"
    if said == truth:
        return "right"
    if said in DENOMINATIONS:
        return "wrong"
    if truth == NONE_LABEL:
        # No Nepali note (an empty view or a foreign note): not naming a value is the right answer.
        return "right"
    return said  # "unsure", or "none" while a note was in view


@dataclass(frozen=True)
class Scored:
    """One scored item: a hold of a replay or a photo of classify."""

    truth: str | None
    said: str | None
    time_to_announce: float | None = None

    @property
    def outcome(self) -> str | None:
        return outcome(self.truth, self.said)


def stats(values: list[float]) -> dict | None:
    """count, mean, median and max of some durations (None when there are none)."""
    if not values:
        return None
    return {
        "count": len(values),
        "mean": round(statistics.fmean(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
    }


def summarise(items: Sequence[Scored]) -> dict:
    """Totals, per-class figures and the confusion matrix for scored items."""
    labelled = [i for i in items if i.truth is not None]
    counts = {name: sum(1 for i in labelled if i.outcome == name) for name in OUTCOMES}
    notes = [i for i in labelled if i.truth != NONE_LABEL]
    summary = {
        "items": len(items),
        "labelled": len(labelled),
        "unlabelled": len(items) - len(labelled),
        **counts,
        "accuracy": _ratio(counts["right"], len(labelled)),
        "wrong_rate": _ratio(counts["wrong"], len(labelled)),
        "abstentions": counts["unsure"] + counts["none"],
        # Coverage: share of items showing a note whose value was spoken (right or wrong).
        "coverage": _ratio(sum(1 for i in notes if i.said in DENOMINATIONS), len(notes)),
        # How long a person waits for the value: right answers that name one.
        "time_to_announce_s": stats([i.time_to_announce for i in labelled if i.outcome == "right"
                                     and i.said in DENOMINATIONS and i.time_to_announce is not None]),
        "time_to_any_answer_s": stats([i.time_to_announce for i in items if i.time_to_announce is not None]),
    }
    per_class = {}
    for truth in TRUTH_ROWS:
        rows = [i for i in labelled if i.truth == truth]
        if not rows:
            continue
        per = {name: sum(1 for i in rows if i.outcome == name) for name in OUTCOMES}
        per_class[truth] = {"count": len(rows), **per, "accuracy": _ratio(per["right"], len(rows))}
    summary["per_class"] = per_class
    summary["confusion"] = confusion(labelled)
    return summary


def confusion(items: Iterable[Scored]) -> dict:
    matrix = {t: {s: 0 for s in SAID_COLUMNS} for t in TRUTH_ROWS}
    for item in items:
        if item.truth in matrix:
            matrix[item.truth][item.said if item.said is not None else MISSED_LABEL] += 1
    return {"rows": list(TRUTH_ROWS), "columns": list(SAID_COLUMNS),
            "counts": [[matrix[t][s] for s in SAID_COLUMNS] for t in TRUTH_ROWS]}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


# --- writers ----------------------------------------------------------------------------------
def write_json(path: str | Path, data) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_text(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def write_csv(path: str | Path, rows: Sequence[dict], columns: Sequence[str]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(row.get(k)) for k in columns})
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)
    return value


def write_png(path: str | Path, image: np.ndarray) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".png", image)  # imencode + write_bytes copes with any path
    if not ok:
        raise OSError(f"could not encode chart {path}")
    path.write_bytes(data.tobytes())
    return path


def text_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    cells = [[str(h) for h in header]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
             for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def summary_text(summary: dict, *, unit: str = "holds") -> str:
    """A short, plain-text account of a summary for the terminal and the report."""
    s = summary
    lines = [
        f"{s['labelled']} labelled {unit} of {s['items']}: right {s['right']}, WRONG {s['wrong']}, "
        f"not sure {s['unsure']}, no note {s['none']}, missed {s['missed']}",
        f"accuracy {percent(s['accuracy'])}, wrong announcements {percent(s['wrong_rate'])}, "
        f"coverage of notes {percent(s['coverage'])}",
    ]
    tta = s.get("time_to_announce_s")
    if tta:
        lines.append(f"time from press to a right value: median {tta['median']:.2f} s, "
                     f"mean {tta['mean']:.2f} s, max {tta['max']:.2f} s")
    shown = s.get("time_from_note_shown_s")
    if shown:
        lines.append(f"time from the note coming into view to a right value: median {shown['median']:.2f} s, "
                     f"max {shown['max']:.2f} s")
    if s["per_class"]:
        rows = [(label, c["count"], c["right"], c["wrong"], c["unsure"], c["none"], c["missed"],
                 percent(c["accuracy"])) for label, c in s["per_class"].items()]
        lines.append(text_table(("class", "n", "right", "wrong", "unsure", "none", "missed", "accuracy"), rows))
    return "\n".join(lines)


def confusion_text(conf: dict) -> str:
    used_rows = [i for i, row in enumerate(conf["counts"]) if any(row)]
    used_cols = [j for j in range(len(conf["columns"])) if any(conf["counts"][i][j] for i in used_rows)]
    if not used_rows:
        return "(nothing labelled)"
    header = ["truth \\ said"] + [conf["columns"][j] for j in used_cols]
    rows = [[conf["rows"][i]] + [conf["counts"][i][j] for j in used_cols] for i in used_rows]
    return text_table(header, rows)


# --- charts (OpenCV only: matplotlib is not a dependency) -------------------------------------
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_INK = (40, 40, 40)
_GRID = (220, 220, 220)


def _text(img, text, org, scale=0.5, color=_INK, thickness=1, align="left"):
    (w, h), _ = cv2.getTextSize(text, _FONT, scale, thickness)
    x, y = org
    if align == "center":
        x -= w // 2
    elif align == "right":
        x -= w
    cv2.putText(img, text, (int(x), int(y)), _FONT, scale, color, thickness, cv2.LINE_AA)


def confusion_png(conf: dict, title: str = "Confusion matrix") -> np.ndarray:
    """Rows: truth; columns: what was said. Right answers green, wrong values red, abstentions grey."""
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
            if said == truth:
                base = (80, 170, 60)  # BGR green
            elif said in DENOMINATIONS:
                base = (60, 60, 210)  # red: a wrong value spoken
            else:
                base = (150, 150, 150)
            color = tuple(int(255 - share * (255 - c)) for c in base) if n else (255, 255, 255)
            cv2.rectangle(img, (x, y), (x + cell, y + cell), color, -1)
            cv2.rectangle(img, (x, y), (x + cell, y + cell), _GRID, 1)
            if n:
                ink = (255, 255, 255) if share > 0.55 else _INK
                _text(img, str(n), (x + cell // 2, y + cell // 2 + 6), 0.6, ink, 1, align="center")
    _text(img, "green: right   red: wrong value spoken   grey: no value spoken", (left, h - 14), 0.42)
    return img


def tradeoff_png(points: Sequence[dict], current: dict | None, title: str) -> np.ndarray:
    """Coverage (notes whose value is spoken) against wrong announcements for threshold settings.

    ``points``: dicts with min_inliers, min_margin, coverage, wrong_rate (0..1). One line per
    margin, through increasing min_inliers; ``current`` (the shipped thresholds) is ringed.
    """
    w, h = 900, 560
    left, right, top, bottom = 80, 230, 60, 70
    img = np.full((h, w, 3), 255, np.uint8)
    _text(img, title, ((w - right + left) // 2, 30), 0.65, align="center", thickness=2)
    pw, ph = w - left - right, h - top - bottom
    max_wrong = max([p["wrong_rate"] or 0.0 for p in points] + [0.05])
    x_max = min(1.0, math.ceil(max_wrong * 1.15 * 20) / 20)

    def at(wrong: float, cover: float) -> tuple[int, int]:
        return (int(left + (wrong / x_max) * pw), int(top + ph - cover * ph))

    for k in range(6):
        v = k / 5
        _, y = at(0, v)
        cv2.line(img, (left, y), (left + pw, y), _GRID, 1)
        _text(img, f"{100 * v:.0f}%", (left - 8, y + 5), 0.45, align="right")
        x, _ = at(v * x_max, 0)
        cv2.line(img, (x, top), (x, top + ph), _GRID, 1)
        _text(img, f"{100 * v * x_max:.0f}%", (x, top + ph + 20), 0.45, align="center")
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
        for p, xy in zip(line, pts):
            cv2.circle(img, xy, 4, color, -1, cv2.LINE_AA)
            if k == len(margins) // 2:
                _text(img, str(p["min_inliers"]), (xy[0] + 6, xy[1] - 6), 0.38, color)
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
