"""The single-frame path on photos: what the app would say for each still image.

Every image goes through ``Recognizer.evaluate`` and ``decision.decide_still``, the exact rules
(and thresholds) the app uses for one frame. The verifier's raw numbers are kept per image so
the acceptance rule (``verifier.accepts``: enough inliers, enough denomination-specific score,
and a margin over the runner-up) can be recomputed for other thresholds without matching again,
which is what the threshold sweep (``testers.sweep``) does.
"""
from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from desktop_app.scanning.decision import decide_still
from desktop_app.sources.frames import IMAGE_SUFFIXES
from desktop_app.sources.stills import read_image
from desktop_app.testers.charts import confusion_png, tradeoff_png
from desktop_app.testers.reading import NONE_LABEL, ReportInputError, normalise_label
from desktop_app.testers.scoring import Scored, outcome, summarise
from desktop_app.testers.sweep import accepted_at, sweep
from desktop_app.testers.writing import write_csv, write_json, write_png, write_text
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

log = logging.getLogger(__name__)

# Folder names that mean "no Nepali note here": foreign notes and empty scenes must never be
# announced, so they are scored like "none".
NEGATIVE_FOLDERS = {"none", "empty", "negative", "negatives", "foreign", "not_nepali", "not-nepali", "background"}


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
    refined: bool = False  # the placement was refitted (verifier ``refine``): its own inlier bar
    regions: int | None = None  # regions of the note holding its value evidence (the bar's too)

    def jsonl(self) -> dict:
        return {"path": self.path, "decision": self.decision, "side": self.side, "score": round(self.score, 3),
                "confidence": self.confidence, "truth": self.truth, "candidate": self.candidate,
                "inliers": self.inliers, "runner_up": self.runner_up,
                "runner_up_score": round(self.runner_up_score, 3), "hint": self.hint,
                "refined": self.refined, "regions": self.regions}


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


def collect_images(paths: Sequence[str | Path], labels: dict[str, str] | None = None
                   ) -> tuple[list[ImageItem], list[dict]]:
    """Files as given, folders searched recursively for images, in a stable order.

    Truth comes from the labels file when it names the image (by the path as given, or its file
    name), else from the nearest folder named by a denomination (or a negative folder name).
    Returns the items and the inputs that could not be used ({"path", "error"}): paths that do
    not exist, and folders (given or found inside one) that cannot be listed, so a tester learns
    that some photos were never looked at.
    """
    items: list[ImageItem] = []
    problems: list[dict] = []
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for file in _image_files(root, problems):
                truth = None
                for folder in [file.parent, *file.parent.parents]:
                    truth = folder_label(folder.name)
                    if truth is not None or folder == root:
                        break
                _add(items, seen, file, truth, labels)
        elif root.is_file():
            _add(items, seen, root, folder_label(root.parent.name), labels)
        elif root.is_symlink():
            problems.append({"path": str(root), "error": "a link to something that does not exist"})
        else:
            problems.append({"path": str(root), "error": "no such file or folder"})
    return items, problems


def _image_files(root: Path, problems: list[dict]) -> list[Path]:
    """Image files under ``root``; every folder that cannot be listed is added to ``problems``
    (``Path.rglob`` would pass over it without a word)."""
    def unreadable(exc: OSError) -> None:
        problems.append({"path": str(exc.filename or root),
                         "error": f"cannot read folder ({exc.strerror or exc})"})

    files = []
    for folder, _dirs, names in os.walk(root, onerror=unreadable):
        files += [Path(folder, n) for n in names if Path(n).suffix.lower() in IMAGE_SUFFIXES]
    return sorted(files)


def _add(items, seen, file: Path, truth: str | None, labels: dict[str, str] | None) -> None:
    key = file.resolve()
    if key in seen:
        return
    seen.add(key)
    if labels:
        truth = labels.get(str(file), labels.get(file.name, truth))
    items.append(ImageItem(file, truth))


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
        outcome=outcome(truth, decision.label), refined=bool(v.refined), regions=v.regions,
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
        image, error = read_image(item.path)
        if image is None:
            skipped = {"path": str(item.path), "error": error}
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


CSV_COLUMNS = ("path", "truth", "decision", "outcome", "side", "confidence", "score", "candidate", "inliers",
               "runner_up", "runner_up_score", "accepted", "refined", "regions", "presence", "keypoints", "hint", "reason")


def report_paths(out: str | Path) -> dict[str, Path]:
    out = Path(out)
    if out.suffix.lower() == ".json":
        stem = out.with_suffix("")
        return {"json": out, "csv": Path(f"{stem}.csv"), "confusion": Path(f"{stem}_confusion.png"),
                "tradeoff": Path(f"{stem}_thresholds.png"), "text": Path(f"{stem}.txt")}
    return {"json": out / "classify.json", "csv": out / "classify.csv", "confusion": out / "confusion.png",
            "tradeoff": out / "thresholds.png", "text": out / "report.txt"}


def write_report(result: ClassifyResult, out: str | Path, text: str) -> dict[str, Path]:
    paths = report_paths(out)
    write_json(paths["json"], result.to_dict())
    write_csv(paths["csv"], [dataclasses.asdict(r) for r in result.results], CSV_COLUMNS)
    write_png(paths["confusion"], confusion_png(result.summary["confusion"], "classify: truth vs what the app says"))
    shipped = next((p for p in result.sweep if p["shipped"]), None)
    write_png(paths["tradeoff"], tradeoff_png(result.sweep, shipped, "Coverage vs wrong announcements by threshold"))
    write_text(paths["text"], text)
    return paths
