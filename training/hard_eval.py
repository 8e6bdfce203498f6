"""The seeded hard set, evaluated fold by fold (``training.hardset`` makes the frames).

Every positive is made from a note that is NOT in its fold's gallery: a reference scan is left
out together with every scan of the same source, denomination and side (a source's scans of one
side may be one physical note), a photo with its whole physical note. The fold's gallery is the
shipped gallery minus those. Negatives (book covers, receipts, flyers) face the shipped gallery.
Features of the frames are cached on disk like the photos' (training.folds).
"""
from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from desktop_app.recognition.gallery import ReferenceGallery
from desktop_app.recognition.thresholds import Thresholds
from desktop_app.recognition.verifier import FrameFeatures, Options, Verifier
from training.build_gallery import gallery_items
from training.data import Item, covered_by_other_note, physical_groups
from training.folds import frame_features, outcome, photo_rows, record, verify_cached

SEED = 7
PER_SOURCE = 2  # hard frames per held-out reference or photo
PHOTOS_PER_NOTE = 2  # held-out photos of one physical note that make hard frames
NEGATIVES = 30


@dataclass(frozen=True)
class HardFrame:
    name: str
    kind: str  # "note" | a negative kind
    denomination: str | None
    side: str | None
    source: str | None
    transforms: tuple[str, ...]
    fold: str | None  # the held-out group; None for negatives (shipped gallery)
    covered: bool
    covered_design: bool  # covered by the same design as the manifest names it (data.same_design)
    features: FrameFeatures
    image: Callable[[], np.ndarray]  # the frame, for the retries' cached features
    content_id: str


def hard_folds(items: list[Item]) -> dict[str, list[Item]]:
    """Held-out group -> the items that leave the gallery together."""
    groups = physical_groups(items)
    out: dict[str, list[Item]] = {}
    for it in gallery_items(items):
        key = groups[it.file] if it.kind == "photo" else \
            f"ref:{it.source}:{it.denomination}:{it.side}"
        out.setdefault(key, []).append(it)
    return out


def hard_frames(items: list[Item], probe: Verifier, seed: int = SEED) -> list[HardFrame]:
    """Every fold's hard frames and the negatives, with their SIFT features (cached)."""
    from training.hardset import generate

    groups = physical_groups(items)
    refs = gallery_items(items)
    out: list[HardFrame] = []
    for fold, members in sorted(hard_folds(items).items()):
        left_out = {it.file for it in members}
        remaining = [it for it in refs if it.file not in left_out]
        fold_groups = dict(groups, **{it.file: fold for it in members})
        sources = [it for it in members if it.kind == "ref"] + \
            [it for it in members if it.kind == "photo"][:PHOTOS_PER_NOTE]
        fold_seed = zlib.crc32(f"{seed}:{fold}".encode())
        samples = generate(sources, fold_seed, per_source=PER_SOURCE, negatives=0)
        for i, s in enumerate(samples):
            src = next(it for it in sources if it.file == s.source)
            name = f"hard:{fold}:{i}"
            out.append(HardFrame(
                name, s.kind, s.denomination, s.side, s.source, s.transforms, fold,
                covered_by_other_note(src, remaining, fold_groups),
                covered_by_other_note(src, remaining, fold_groups, by_design=True),
                *_features(probe, name, s.image, f"{fold_seed}:{i}:{s.source}:"
                           f"{'+'.join(s.transforms)}:{_digest(s.image)}")))
    neg_seed = zlib.crc32(f"{seed}:negatives".encode())
    for i, s in enumerate(generate([], neg_seed, negatives=NEGATIVES)):
        name = f"hard-negative:{s.kind}:{i}"
        out.append(HardFrame(name, s.kind, None, None, None, s.transforms, None, False, False,
                             *_features(probe, name, s.image,
                                        f"{neg_seed}:{i}:{s.kind}:{_digest(s.image)}")))
    return out


def _digest(image: np.ndarray) -> str:
    """The frame's own bytes, in its cache key: a change to the generator that redraws a frame
    (its seed, index, source and transforms the same) must not find the old frame's features."""
    return hashlib.sha1(np.ascontiguousarray(image).tobytes()).hexdigest()[:16]


def _features(probe: Verifier, name: str, image: np.ndarray, content_id: str):
    def load():
        return image
    return frame_features(probe, name, load, content_id), load, content_id


def evaluate_folds(full: ReferenceGallery, items: list[Item], frames: list[HardFrame],
                   thresholds: Thresholds, options: Options, shipped: Verifier
                   ) -> tuple[list[dict], list[dict]]:
    """(photo rows, hard rows): one verifier per left-out note serves both its photos and
    its hard frames; hard negatives face the shipped verifier."""
    groups = physical_groups(items)
    refs = gallery_items(items)
    photos = [it for it in items if it.kind == "photo"]
    folds = hard_folds(items)
    for p in photos:  # a note none of whose photos is a reference is still left out alone
        folds.setdefault(groups[p.file], [])
    by_fold: dict[str | None, list[HardFrame]] = {}
    for fr in frames:
        by_fold.setdefault(fr.fold, []).append(fr)
    photo_out, hard_out = [], []
    for fold in sorted(folds):
        left_out = {it.file for it in folds[fold]}
        verifier = Verifier(full.subset([it.file for it in refs if it.file not in left_out]),
                            thresholds, options)
        photo_out += photo_rows(verifier, [p for p in photos if groups[p.file] == fold], refs,
                                groups)
        hard_out += [_hard_row(verifier, fr) for fr in by_fold.get(fold, [])]
    hard_out += [_hard_row(shipped, fr) for fr in by_fold.get(None, [])]
    return photo_out, hard_out


def _hard_row(verifier: Verifier, fr: HardFrame) -> dict:
    v = verify_cached(verifier, fr.name, fr.image, fr.content_id, plain=fr.features)
    named = v.denomination if v.accepted else None
    return dict(name=fr.name, kind=fr.kind, truth=fr.denomination, side=fr.side,
                source=fr.source, transforms=list(fr.transforms), fold=fr.fold,
                covered=fr.covered, covered_design=fr.covered_design, outcome=outcome(named, fr.denomination)
                if fr.denomination else ("wrong" if named else "rejected"), **record(v))


def summarise_hard(rows: list[dict]) -> dict:
    pos = [r for r in rows if r["truth"]]
    cov = [r for r in pos if r["covered"]]
    neg = [r for r in rows if not r["truth"]]
    per_transform = {}
    for r in cov:
        for t in r["transforms"] or ["none"]:
            c = per_transform.setdefault(t, dict(n=0, right=0, wrong=0))
            c["n"] += 1
            c["right"] += r["outcome"] == "right"
            c["wrong"] += r["outcome"] == "wrong"
    by_design = [r for r in pos if r.get("covered_design")]
    return dict(positives=len(pos), covered=len(cov),
                covered_right=sum(r["outcome"] == "right" for r in cov),
                design_covered=len(by_design),
                design_covered_right=sum(r["outcome"] == "right" for r in by_design),
                wrong=sum(r["outcome"] == "wrong" for r in pos),
                uncovered=len(pos) - len(cov),
                negatives=len(neg), negatives_accepted=sum(r["accepted"] for r in neg),
                per_transform=per_transform)
