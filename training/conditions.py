"""Per-photo condition labels (training/photo_conditions.csv), labelled by eye on contact sheets.

Labels, several per photo allowed:
- flat: lying flat on a surface, the whole note in view
- hand-held: a hand holds the note (fingers visible)
- folded: bent so that its parts lie in different planes (kinked edges or a shading step
  across a crease) or a part folded under; a crease in a note lying flat does not count
- partial: part of the note is cut off by the frame or covered
- dim: taken in poor light: every mmanishh photo (a dark room; the table is nearly black and
  the notes come out grey), none of the daylight photos of the other sources
"""
from __future__ import annotations

import csv
from pathlib import Path

CONDITIONS_CSV = Path(__file__).with_name("photo_conditions.csv")
CONDITIONS = ("flat", "hand-held", "folded", "partial", "dim")


def parse_labels(text: str) -> tuple[str, ...]:
    labels = tuple(t for t in (p.strip() for p in text.split(";")) if t)
    unknown = sorted(set(labels) - set(CONDITIONS))
    if unknown:
        raise ValueError(f"unknown photo condition(s) {unknown}; known: {CONDITIONS}")
    return labels


def load_conditions(path: Path = CONDITIONS_CSV) -> dict[str, tuple[str, ...]]:
    """file -> its condition labels; {} when the file is absent."""
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["file"]: parse_labels(r["conditions"]) for r in csv.DictReader(fh)}
