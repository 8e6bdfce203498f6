"""The single-frame path on photos: what the app would say for each still image.

Every image goes through ``Recognizer.evaluate`` and ``decision.decide_still``, the exact rules
(and thresholds) the app uses for one frame. The verifier's raw numbers are kept per image so
the acceptance rule (``verifier.accepts``: enough inliers, enough denomination-specific score,
and a margin over the runner-up) can be recomputed for other thresholds without matching again,
which is what the threshold sweep does. The verifier keeps ``runner_up_score`` exact for margins
up to ``strong_margin``, so the sweep's margins stay within that.
"""
from __future__ import annotations

import csv
import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import cv2

from desktop_app.scanning.decision import decide_still
from desktop_app.recognition.evidence import DENOMINATIONS
from desktop_app.sources.frames import IMAGE_SUFFIXES
from desktop_app.testers.reports import (
    NONE_LABEL, ReportInputError, Scored, normalise_label, outcome, summarise, write_csv, write_json, write_text,
)
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

log = logging.getLogger(__name__)

# Folder names that mean "no Nepali note here": foreign notes and empty scenes must never be
# announced, so they are scored like "none".
NEGATIVE_FOLDERS = {"none", "empty", "negative", "negatives", "foreign", "not_nepali", "not-nepali", "background"}
SWEEP_INLIERS = (6, 8, 10, 12, 15, 20, 25, 30, 40, 50)  # 6: the verifier's own noise floor
SWEEP_MARGINS = (1.0, 1.25, 1.5, 2.0, 3.0)  # at most strong_margin (see the module doc)


@dataclass(frozen=True)
class ImageItem:
    path: Path
    truth: str | None


@dataclass(frozen=True)
class ImageResult:
    path: str
    truth: str | None
    decision: str  # a denomination, "none" or "unsure": what the app would speak
    side: str | None
    score: float  # the verifier's weighted inlier score of its best candidate
    confidence: float
    candidate: str | None  # best geometrically verified denomination, accepted or not
    inliers: int
    runner_up: str | None
    runner_up_score: float
    accepted: bool
    presence: float | None
    keypoints: int
    hint: str | None
    reason: str
    outcome: str | None

    def jsonl(self) -> dict:
        return {"path": self.path, "decision": self.decision, "side": self.side, "score": round(self.score, 3),
                "confidence": self.confidence, "truth": self.truth, "candidate": self.candidate,
                "inliers": self.inliers, "runner_up": self.runner_up,
                "runner_up_score": round(self.runner_up_score, 3), "hint": self.hint}


@dataclass
class ClassifyResult:
    results: list[ImageResult] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"path", "error"}
    thresholds: Thresholds = DEFAULT
    summary: dict | None = None
    sweep: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "thresholds": dataclasses.asdict(self.thresholds),
            "images": len(self.results),
            "skipped": self.skipped,
            "summary": self.summary,
            "sweep": self.sweep,
            "results": [dataclasses.asdict(r) for r in self.results],
        }


def folder_label(name: str) -> str | None:
    if name.strip().lower() in NEGATIVE_FOLDERS:
        return NONE_LABEL
    try:
        return normalise_label(name)
    except ValueError:
        return None


def read_label_file(path: str | Path) -> dict[str, str]:
    """``path,label`` per line (a header is allowed). Paths may be full, relative or bare names."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportInputError(f"cannot read {path}: {exc}") from exc
    labels: dict[str, str] = {}
    header_allowed = True
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        if len(row) < 2:
            raise ReportInputError(f"{path}, line {number}: expected 'path,label', got {','.join(row)!r}")
        first, header_allowed = header_allowed, False
        if first and not any(c.isdigit() for c in row[1]):
            try:
                normalise_label(row[1])
            except ValueError:
                continue  # a header such as "path,label"
        try:
            labels[row[0].strip()] = normalise_label(row[1])
        except ValueError as exc:
            raise ReportInputError(f"{path}, line {number}: {exc}") from None
    return labels


def collect_images(paths: Sequence[str | Path], labels: dict[str, str] | None = None
                   ) -> tuple[list[ImageItem], list[dict]]:
    """Files as given, folders searched recursively for images, in a stable order.

    Truth comes from the labels file when it names the image (by the path as given, or its file
    name), else from the nearest folder named by a denomination (or a negative folder name).
    Returns the items and the inputs that do not exist.
    """
    items: list[ImageItem] = []
    missing: list[dict] = []
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            for file in files:
                truth = None
                for folder in [file.parent, *file.parent.parents]:
                    truth = folder_label(folder.name)
                    if truth is not None or folder == root:
                        break
                _add(items, seen, file, truth, labels)
        elif root.is_file():
            _add(items, seen, root, folder_label(root.parent.name), labels)
        else:
            missing.append({"path": str(root), "error": "no such file or folder"})
    return items, missing


def _add(items, seen, file: Path, truth: str | None, labels: dict[str, str] | None) -> None:
    key = file.resolve()
    if key in seen:
        return
    seen.add(key)
    if labels:
        truth = labels.get(str(file), labels.get(file.name, truth))
    items.append(ImageItem(file, truth))


def read_image(path: Path):
    """The image as BGR, or None. Reads bytes first so non-ASCII paths work everywhere."""
    import numpy as np

    try:
        data = np.frombuffer(path.read_bytes(), np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def classify_image(recognizer, image, path: str, truth: str | None, th: Thresholds = DEFAULT) -> ImageResult:
    evidence = recognizer.evaluate(image, 0.0)
    decision = decide_still(evidence, th)
    v = evidence.verification
    return ImageResult(
        path=path, truth=truth, decision=str(decision.label),
        side=str(decision.side) if decision.kind == "note" and decision.side else None, score=round(float(v.score), 3),
        confidence=decision.confidence, candidate=None if v.denomination is None else str(v.denomination),
        inliers=int(v.inliers), runner_up=None if v.runner_up is None else str(v.runner_up), runner_up_score=round(float(v.runner_up_score), 3),
        accepted=bool(v.accepted), presence=None if evidence.model is None else round(float(evidence.model.presence), 3),
        keypoints=int(v.keypoints), hint=decision.hint, reason=decision.reason,
        outcome=outcome(truth, decision.label),
    )


def classify(
    items: Iterable[ImageItem],
    recognizer,
    *,
    thresholds: Thresholds = DEFAULT,
    on_result: Callable[[ImageResult], None] | None = None,
    on_skip: Callable[[dict], None] | None = None,
) -> ClassifyResult:
    if not recognizer.ready:
        raise ReportInputError("the reference gallery is not loaded, so no note can be named")
    result = ClassifyResult(thresholds=thresholds)
    for item in items:
        image = read_image(item.path)
        if image is None or image.size == 0:
            skipped = {"path": str(item.path), "error": "cannot read image (corrupt, empty or not an image)"}
            result.skipped.append(skipped)
            if on_skip is not None:
                on_skip(skipped)
            continue
        one = classify_image(recognizer, image, str(item.path), item.truth, thresholds)
        result.results.append(one)
        if on_result is not None:
            on_result(one)
    result.summary = summarise([Scored(r.truth, r.decision) for r in result.results])
    result.summary["skipped"] = len(result.skipped)
    result.sweep = sweep(result.results, thresholds)
    # The sweep recomputes acceptance; if it ever disagrees with the verifier's own verdict at
    # the shipped thresholds, the trade-off chart would mislead, so the report says so.
    drift = [r.path for r in result.results
             if accepted_at(r, thresholds.min_inliers, thresholds.min_margin, thresholds) != r.accepted]
    result.summary["sweep_disagrees_with_verifier"] = drift
    if drift:
        log.warning("threshold sweep disagrees with the verifier on %d image(s); chart not trustworthy", len(drift))
    return result


def accepted_at(r: ImageResult, min_inliers: int, min_margin: float, th: Thresholds = DEFAULT) -> bool:
    """The verifier's own acceptance rule (``verifier.accepts``), on the stored numbers."""
    from desktop_app.recognition.verifier import accepts

    varied = dataclasses.replace(th, min_inliers=min_inliers, min_margin=min_margin)
    return r.candidate is not None and accepts(r.inliers, r.score, r.runner_up_score, varied)


def sweep(results: Sequence[ImageResult], th: Thresholds = DEFAULT,
          inliers: Sequence[int] = SWEEP_INLIERS, margins: Sequence[float] = SWEEP_MARGINS) -> list[dict]:
    """Coverage and wrong announcements for a grid of (min_inliers, min_margin)."""
    labelled = [r for r in results if r.truth is not None]
    notes = [r for r in labelled if r.truth in DENOMINATIONS]
    points = []
    for margin in sorted(set(margins) | {th.min_margin}):
        for mi in sorted(set(inliers) | {th.min_inliers}):
            spoken = [r for r in labelled if accepted_at(r, mi, margin, th)]
            wrong = sum(1 for r in spoken if r.candidate != r.truth)
            right = sum(1 for r in spoken if r.candidate == r.truth)
            points.append({
                "min_inliers": mi, "min_margin": margin, "spoken": len(spoken), "right": right, "wrong": wrong,
                "coverage": round(sum(1 for r in notes if accepted_at(r, mi, margin, th)) / len(notes), 4)
                if notes else None,
                "wrong_rate": round(wrong / len(labelled), 4) if labelled else None,
                "shipped": mi == th.min_inliers and margin == th.min_margin,
            })
    return points


CSV_COLUMNS = ("path", "truth", "decision", "outcome", "side", "confidence", "score", "candidate", "inliers",
               "runner_up", "runner_up_score", "accepted", "presence", "keypoints", "hint", "reason")


def report_paths(out: str | Path) -> dict[str, Path]:
    out = Path(out)
    if out.suffix.lower() == ".json":
        stem = out.with_suffix("")
        return {"json": out, "csv": Path(f"{stem}.csv"), "confusion": Path(f"{stem}_confusion.png"),
                "tradeoff": Path(f"{stem}_thresholds.png"), "text": Path(f"{stem}.txt")}
    return {"json": out / "classify.json", "csv": out / "classify.csv", "confusion": out / "confusion.png",
            "tradeoff": out / "thresholds.png", "text": out / "report.txt"}


def write_report(result: ClassifyResult, out: str | Path, text: str) -> dict[str, Path]:
    from desktop_app.testers.reports import confusion_png, tradeoff_png, write_png

    paths = report_paths(out)
    write_json(paths["json"], result.to_dict())
    write_csv(paths["csv"], [dataclasses.asdict(r) for r in result.results], CSV_COLUMNS)
    write_png(paths["confusion"], confusion_png(result.summary["confusion"], "classify: truth vs what the app says"))
    shipped = next((p for p in result.sweep if p["shipped"]), None)
    write_png(paths["tradeoff"], tradeoff_png(result.sweep, shipped, "Coverage vs wrong announcements by threshold"))
    write_text(paths["text"], text)
    return paths
