"""Reading the files testers write by hand: holds and labels of a video, labels of photos.

    # holds.csv: one hold of the Space key per line, seconds of video time
    start,end
    0.9,3.2
    4.0,5.0

    # labels.csv (replay): what is in view from start to end (a denomination, or "none")
    start,end,label
    1.0,3.0,100

    # labels.csv (classify): the value of each photo, by path or bare file name
    path,label
    shots/IMG_0001.jpg,Rs 100

Forgiving, since people write them: fields may be separated by commas, semicolons, tabs or
(when there is no other separator) spaces, and may be quoted; times may be ``12.5``, ``1:02.5``
or ``1:02:03``; ``#`` at the start of a line or after a blank starts a comment; a first line
that does not parse is a header. Labels may be written ``100``, ``Rs 100``, ``rs100``,
``NPR 100``; ``none``/``empty``/``-`` mean no Nepali note is in view (an empty view, or a
foreign note). One reader (``read_rows``) serves every format, so they all accept the same.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from desktop_app.recognition.evidence import DENOMINATIONS

NONE_LABEL = "none"


class ReportInputError(ValueError):
    """A holds or labels file cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Span:
    start: float
    end: float
    label: str | None = None


@dataclass(frozen=True)
class Row:
    """One data line of a file: its fields, and where it is (for error messages)."""

    where: str  # "holds.csv, line 3"
    raw: str
    fields: list[str]


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


_COMMENT = re.compile(r"(^|\s)#.*$")  # "photo#2.jpg" is a name, not a comment


def _split(line: str) -> list[str]:
    # Commas/semicolons/tabs first; plain spaces only when no other separator is used, so a
    # label such as "Rs 100" survives in a comma-separated file.
    if '"' in line:  # a quoted field (a path with a comma in it): let csv undo the quoting
        delimiter = next((d for d in ",;\t" if d in line), " ")
        return [f.strip() for f in next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))]
    if re.search(r"[,;\t]", line):
        return [f.strip() for f in re.split(r"[,;\t]", line)]
    return line.split()


def read_rows(path: str | Path, *, is_header: Callable[[list[str]], bool]) -> list[Row]:
    """The data lines of a hand-written table: comments and blank lines dropped, and the first
    line dropped when ``is_header`` says it names the columns."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReportInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ReportInputError(f"cannot read {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    rows: list[Row] = []
    first = True
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        fields = [f for f in _split(line) if f != ""]
        if first and is_header(fields):
            first = False
            continue
        first = False
        rows.append(Row(f"{path}, line {number}", raw.strip(), fields))
    return rows


def _not_a_time(fields: list[str]) -> bool:
    try:
        parse_time(fields[0])
    except ValueError:
        return True
    return False


def read_spans(path: str | Path, *, want_label: bool) -> list[Span]:
    """Reads a holds file (``want_label=False``; a third column is kept if present) or a
    labels file (``want_label=True``; the third column is required)."""
    spans: list[Span] = []
    for row in read_rows(path, is_header=_not_a_time):
        fields, where = row.fields, row.where
        expected = f"{where}: expected 'start,end{',label' if want_label else ''}', got {row.raw!r}"
        try:
            start = parse_time(fields[0])
            end = parse_time(fields[1]) if len(fields) > 1 else None
        except ValueError:
            raise ReportInputError(expected) from None
        if end is None:
            raise ReportInputError(f"{where}: a start time needs an end time, got {row.raw!r}")
        if end < start:
            raise ReportInputError(f"{where}: ends ({end:g} s) before it starts ({start:g} s)")
        label = None
        if len(fields) > 2:
            label = _label(" ".join(fields[2:]), where)
        elif want_label:
            raise ReportInputError(f"{where}: a label needs start, end and the note's value, got {row.raw!r}")
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


def _label_header(fields: list[str]) -> bool:
    # "path,label" or "file;value": a value column with no digit that is not a label either.
    value = " ".join(fields[1:])
    if len(fields) < 2 or any(c.isdigit() for c in value):
        return False
    try:
        normalise_label(value)
    except ValueError:
        return True
    return False


def read_label_file(path: str | Path) -> dict[str, str]:
    """``path,label`` per line (a header is allowed). Paths may be full, relative or bare names."""
    labels: dict[str, str] = {}
    for row in read_rows(path, is_header=_label_header):
        if len(row.fields) < 2:
            raise ReportInputError(f"{row.where}: expected 'path,label', got {row.raw!r}")
        labels[row.fields[0]] = _label(" ".join(row.fields[1:]), row.where)
    return labels


def _label(text: str, where: str) -> str:
    try:
        return normalise_label(text)
    except ValueError as exc:
        raise ReportInputError(f"{where}: {exc}") from None
