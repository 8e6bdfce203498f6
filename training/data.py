"""The shared Nepali note images, as described by their MANIFEST.csv."""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from desktop_app.paths import SHARED_DATA
from training.conditions import CONDITIONS_CSV, load_conditions
from training.outlines import OUTLINES_CSV, load_outlines

NPR_DIR = SHARED_DATA / "npr-notes"
FOREIGN_DIR = SHARED_DATA / "foreign-notes" / "inr"


@dataclass(frozen=True)
class Item:
    file: str  # path relative to the data folder, also the reference id
    denomination: str
    side: str
    series: str  # "old" | "everest" | "n/a"
    kind: str  # "ref" | "photo"
    corners: list | None  # note polygon (photos only): hand-marked, or found (outline_method)
    outline_method: str | None = None  # "hand" (MANIFEST), a training.outlines method, or None
    conditions: tuple[str, ...] = ()  # photos: training/photo_conditions.csv labels
    design: str = ""  # the design the manifest names (``design_of``); "" = as ``series`` says

    @property
    def source(self) -> str:
        return Path(self.file).name.split("__")[0]

    @property
    def shot(self) -> int | None:
        m = re.search(r"_(\d+)\.\w+$", self.file)
        return int(m.group(1)) if m else None

    def meta(self) -> dict:
        return dict(id=self.file, denomination=self.denomination, side=self.side,
                    series=self.series, outline=self.corners)


def normalise_series(text: str) -> str:
    t = text.lower()
    if t.startswith("old"):
        return "old"
    if "everest" in t:
        return "everest"
    return "n/a"


# Designs the manifest's series text names within one value and side: each differs from the
# note in circulation in the artwork that tells values apart (another animal, building or
# portrait), so an image of one never covers the other. The Rs 1000 "rhododendron variant" is
# the same design with a flower in the watermark window (looked at side by side): not one.
NAMED_DESIGNS = ("singha durbar", "rhino", "golden jubilee", "polymer", "uniform", "birendra",
                 "gyanendra", "older design")
UNKNOWN_KING = "king portrait"  # "old (King portrait)": which king is not said


def design_of(series_text: str, side: str) -> str:
    """The design a manifest row names: a NAMED_DESIGNS entry, UNKNOWN_KING, else the
    current design of that side ("everest" fronts, "current" backs)."""
    t = series_text.lower()
    for name in NAMED_DESIGNS:
        if name in t:
            return name
    if "king" in t:
        return UNKNOWN_KING
    if side == "back":
        return "current"
    return normalise_series(series_text)


def same_design(a: Item, b: Item) -> bool:
    """Whether two images of one value and side show the same design. A portrait whose king
    is not named counts as either king's (the lenient reading where the manifest is unsure)."""
    if not a.design or not b.design:
        return a.side == "back" or a.series == b.series
    kings = {"birendra", "gyanendra", UNKNOWN_KING}
    if a.design in kings and b.design in kings:
        return UNKNOWN_KING in (a.design, b.design) or a.design == b.design
    return a.design == b.design


def load_manifest(root: Path = NPR_DIR, *, with_outlines: bool = True, outlines_csv: Path | None = None,
                  conditions_csv: Path | None = None) -> list[Item]:
    """Every image of the data set. Photos without hand-marked corners take the outline found
    by training.outlines when it passed the by-eye check (``with_outlines``), and every photo
    takes its condition labels from training/photo_conditions.csv."""
    path = root / "MANIFEST.csv"
    if not path.is_file():
        raise FileNotFoundError(f"manifest not found: {path}")
    found = load_outlines(outlines_csv or OUTLINES_CSV) if with_outlines else {}
    conditions = load_conditions(conditions_csv or CONDITIONS_CSV)
    items = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            file = row["file"]
            corners = json.loads(row["note_corners"]) if row.get("note_corners") else None
            method = "hand" if corners else None
            if corners is None and file in found and found[file][0] and found[file][2] == "ok":
                corners, method = found[file][0], found[file][1]
            items.append(Item(file, row["denomination"], row["side"], normalise_series(row["series"]),
                              "photo" if file.startswith("photos/") else "ref", corners, method,
                              conditions.get(file, ()), design_of(row["series"], row["side"])))
    return items


def read_image(path: Path) -> np.ndarray:
    # cv2.imread applies the EXIF orientation, which is the frame the corners were marked in.
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f"cannot read image: {path}")
    return img


# Sources whose photos are burst shots taken within minutes (README.md): shot numbers are
# timestamps, not a sequence, and the same physical note reappears across the whole burst.
BURST_SOURCES = frozenset({"mmanishh"})


def _group_key(item: Item) -> tuple:
    return (item.source, item.denomination, item.side)


def physical_groups(items: list[Item]) -> dict[str, str]:
    """Photo id -> group id (the group's first photo), the one rule for "same physical note".

    - A burst source (``BURST_SOURCES``): every photo of one denomination and side is ONE
      note. The README says two different Rs 100 notes appear, but the Rs 100 fronts all show
      the same serial number and the backs carry none, so nothing visible tells them apart.
    - Any other source: repeat shots (same source, denomination and side, consecutive shot
      numbers) share a group."""
    photos = sorted((i for i in items if i.kind == "photo"),
                    key=lambda i: (*_group_key(i), i.shot or 0, i.file))
    groups: dict[str, str] = {}
    prev = None
    for it in photos:
        same_note = prev is not None and _group_key(prev) == _group_key(it) and (
            it.source in BURST_SOURCES
            or (it.shot is not None and prev.shot is not None and it.shot - prev.shot == 1))
        groups[it.file] = groups[prev.file] if same_note else it.file
        prev = it
    return groups


def covered_by_other_note(photo: Item, items: list[Item], groups: dict[str, str], *,
                          by_design: bool = False) -> bool:
    """Whether the photo's side has an image of a DIFFERENT physical note of the same
    denomination and design (an old-series front does not cover an Everest front). With
    ``by_design``, also for backs, and as finely as the manifest names designs
    (``same_design``: an old-series back does not cover the current back)."""
    for it in items:
        if it.file == photo.file or groups.get(it.file) == groups[photo.file]:
            continue
        if (it.denomination, it.side) != (photo.denomination, photo.side):
            continue
        if by_design and not same_design(it, photo):
            continue
        if photo.side == "front" and it.series != photo.series:
            continue
        return True
    return False
