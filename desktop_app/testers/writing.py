"""Writing reports a person can read: JSON, CSV, PNG files and the plain-text summary that
replay and classify print and save."""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Sequence

import numpy as np


def _ready(path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_json(path: str | Path, data) -> Path:
    path = _ready(path)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_text(path: str | Path, text: str) -> Path:
    path = _ready(path)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def write_csv(path: str | Path, rows: Sequence[dict], columns: Sequence[str]) -> Path:
    path = _ready(path)
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
    import cv2

    path = _ready(path)
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
