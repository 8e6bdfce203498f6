"""Leave-one-physical-note-out folds over the shared photos, with on-disk feature caches.

The evaluation runs the verifier many times over the same images (every fold, every variant
measured with and without a change), so SIFT features of frames and the full reference gallery
are cached under a temporary folder keyed by file content and the feature settings. The
verifier's decision code is the app's own (``Verifier.verify_features``); only detection is
cached.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from desktop_app.recognition import gallery as gallery_mod
from desktop_app.recognition import colour, deblur, flatten
from desktop_app.recognition import frames as frames_mod
from desktop_app.recognition.gallery import ReferenceGallery
from desktop_app.recognition.thresholds import DEFAULT, Thresholds
from desktop_app.recognition.verifier import FrameFeatures, Options, Verifier
from training.build_gallery import build, gallery_items
from training.data import (FOREIGN_DIR, NPR_DIR, Item, covered_by_other_note, physical_groups,
                           read_image)
from training.scenes import all_scenes

CACHE_DIR = Path(os.environ.get("NCR_EVAL_CACHE", Path(tempfile.gettempdir()) / "ncr-eval-cache"))
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp")


def _key(*parts) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


def _pass_key(pass_: str):
    """What decides a pass's features beyond the frame itself (the plain key is the long side,
    as before the passes had names, so earlier caches stay valid). The pooled look has no key:
    the verifier makes it from the plain and enlarged looks' cached features."""
    if pass_ == "tilted":
        return f"tilted:{frames_mod.TILT}:{frames_mod.TILT_ANGLES}:{frames_mod.TILTED_KEYPOINTS}"
    if pass_ == "plain":
        return frames_mod.WORKING_LONG_SIDE
    if pass_ == "enlarged":
        return (f"{frames_mod.ENLARGED_LONG_SIDE}:tiles:{frames_mod.TILES}:"
                f"{frames_mod.TILE_OVERLAP}")
    if pass_ == "denoised_enlarged":
        return (f"{pass_}:{frames_mod.DENOISE_STRENGTH}:{frames_mod.DENOISE_WINDOWS}:"
                f"{frames_mod.WORKING_LONG_SIDE}:{_pass_key('enlarged')}")
    if pass_ == "deblurred_enlarged":
        return (f"{pass_}:{_pass_key('deblurred')}:{frames_mod.DEBLURRED_ENLARGED_LONG_SIDE}:"
                f"tiles:{frames_mod.TILES}:{frames_mod.TILE_OVERLAP}")
    return (f"{pass_}:{deblur.MIN_LENGTH}:{deblur.MAX_LENGTH}:{deblur.ANGLE_STEP}:"
            f"{deblur.WIENER_K}")


def frame_features(verifier: Verifier, name: str, load: Callable[[], np.ndarray],
                   content_id: str, pass_: str = "plain") -> FrameFeatures:
    """``verifier.features(load(), pass_)``, cached on disk by content id and feature
    settings."""
    key = _key(name, content_id, _pass_key(pass_),
               frames_mod.MAX_FRAME_KEYPOINTS, frames_mod.FRAME_CONTRAST,
               frames_mod.STRETCH_PERCENTILES, cv2.__version__)
    path = CACHE_DIR / "frames" / f"{key}.npz"
    if path.is_file():
        try:
            with np.load(path) as z:
                return FrameFeatures(tuple(int(v) for v in z["shape"]), float(z["scale"]),
                                     z["points"], z["descriptors"])
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            pass  # cut short (a run stopped mid-write): computed again and replaced
    f = verifier.features(load(), pass_)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written under a name of this process's own and renamed: evaluations run side by side
    # (variants split over two processes) share the cache and must never read half a file.
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(tmp, shape=np.array(f.shape), scale=f.scale, points=f.points,
             descriptors=f.descriptors)
    tmp.replace(path)
    return f


def verify_cached(verifier: Verifier, name: str, load: Callable[[], np.ndarray],
                  content_id: str, plain: FrameFeatures | None = None):
    """``verifier.verify(load())`` with every pass's features cached (``plain``: the plain
    pass's features, when the caller holds them already)."""
    def features_of(pass_: str) -> FrameFeatures:
        if pass_ == "plain" and plain is not None:
            return plain
        return frame_features(verifier, name, load, content_id, pass_)
    return verifier.verify_passes(features_of, image_of=load)


def file_id(path: Path) -> str:
    st = path.stat()
    return f"{path}:{st.st_size}:{int(st.st_mtime)}"


def full_gallery(items: list[Item], root: Path = NPR_DIR) -> ReferenceGallery:
    """Every usable reference (weights unset), with its shared-artwork matrix, cached."""
    usable = gallery_items(items)
    key = _key(*(f"{it.file}:{it.corners}" for it in usable), gallery_mod.FORMAT_VERSION,
               gallery_mod.MAX_REFERENCE_KEYPOINTS, flatten.REFERENCE_LONG_SIDE,
               gallery_mod.REFERENCE_SCALES,
               gallery_mod.SHARED_MIN_INLIERS, "colour", colour.GRID, colour.CELL_PX,
               colour.MIN_VALID, cv2.__version__)
    path = CACHE_DIR / "galleries" / f"{key}.npz"
    shared_path = path.with_suffix(".shared.npy")
    if path.is_file() and shared_path.is_file():
        g = ReferenceGallery.load(path).unweighted()
        g._shared = np.load(shared_path)
        return g
    g = build(usable, root, weighted=False)
    g.reweighted()  # computes the shared-artwork matrix once; subsets reuse it
    g.save(path)
    np.save(shared_path, g._shared)
    return g


def record(v) -> dict:
    return dict(denomination=v.denomination, matched_side=v.side, reference=v.reference,
                inliers=v.inliers, score=round(v.score, 2), runner_up=v.runner_up,
                runner_up_score=round(v.runner_up_score, 2), accepted=v.accepted,
                keypoints=v.keypoints, hint=v.hint, refined=v.refined, look=v.look,
                regions=v.regions, colour=None if v.colour is None else round(v.colour, 3))


def outcome(named: str | None, truth: str | None) -> str:
    if named is None:
        return "not_sure"
    return "right" if named == truth else "wrong"


def photo_rows(verifier: Verifier, photos: list[Item], refs: list[Item],
               groups: dict[str, str]) -> list[dict]:
    """The verifier's outcome on each of these photos (one left-out note)."""
    out = []
    for p in photos:
        path = NPR_DIR / p.file
        v = verify_cached(verifier, p.file, lambda: read_image(path), file_id(path))
        out.append(dict(file=p.file, truth=p.denomination, side=p.side, group=groups[p.file],
                        # covered: another physical note of this side is a reference
                        covered=covered_by_other_note(p, refs, groups),
                        covered_design=covered_by_other_note(p, refs, groups, by_design=True),
                        outcome=outcome(v.denomination if v.accepted else None, p.denomination),
                        **record(v)))
    return out


def evaluate_photos(full: ReferenceGallery, items: list[Item], thresholds: Thresholds,
                    options: Options) -> list[dict]:
    """Leave-one-physical-note-out over every photo."""
    groups = physical_groups(items)
    refs = gallery_items(items)
    photos = [it for it in items if it.kind == "photo"]
    out = []
    for group in sorted({groups[p.file] for p in photos}):
        keep = [it.file for it in refs if groups.get(it.file) != group]
        verifier = Verifier(full.subset(keep), thresholds, options)
        out += photo_rows(verifier, [p for p in photos if groups[p.file] == group], refs, groups)
    return out


def without_value_side(refs: list[Item], value: str, side: str) -> list[str]:
    """Reference ids of a gallery that cannot name this value's side, whatever its series."""
    return [r.file for r in refs if (r.denomination, r.side) != (value, side)]


def evaluate_absent(full: ReferenceGallery, items: list[Item], thresholds: Thresholds,
                    options: Options) -> list[dict]:
    """Every photo against a gallery with no reference of its value's side in any series: a
    design the app does not know (a new series, a commemorative note). Nothing may be named;
    a value named here is a guess, however right the value (the right value can only come
    from the other side's artwork, which is not in the photo)."""
    groups = physical_groups(items)
    refs = gallery_items(items)
    photos = [it for it in items if it.kind == "photo"]
    out = []
    for value, side in sorted({(p.denomination, p.side) for p in photos}):
        keep = without_value_side(refs, value, side)
        verifier = Verifier(full.subset(keep), thresholds, options)
        chosen = [p for p in photos if (p.denomination, p.side) == (value, side)]
        out += photo_rows(verifier, chosen, [r for r in refs if r.file in set(keep)], groups)
    for row in out:
        row["outcome"] = "not_sure" if not row["accepted"] else "wrong"
    return out


def negative_images() -> list[tuple[str, str, str, Callable[[], np.ndarray], str]]:
    """(name, kind, half, loader, content id). Odd-numbered foreign files and odd-indexed
    scenes are the tuning half; the rest is held out."""
    out = []
    for f in sorted(FOREIGN_DIR.glob("*")) if FOREIGN_DIR.is_dir() else []:
        if f.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        m = re.search(r"(\d+)", f.stem)
        half = "tune" if m and int(m.group(1)) % 2 == 1 else "held_out"
        out.append((f"inr:{f.name}", "foreign", half, (lambda f=f: read_image(f)), file_id(f)))
    for i, (name, img) in enumerate(all_scenes()):
        out.append((name, "scene", "tune" if i % 2 else "held_out", (lambda img=img: img),
                    f"scene:{name}"))
    return out


def evaluate_negatives(verifier: Verifier, negatives=None) -> list[dict]:
    out = []
    for name, kind, half, load, cid in negatives or negative_images():
        v = verify_cached(verifier, name, load, cid)
        out.append(dict(name=name, kind=kind, half=half, **record(v)))
    return out


def shipped_verifier(full: ReferenceGallery, items: list[Item], thresholds: Thresholds = DEFAULT,
                     options: Options = Options()) -> Verifier:
    return Verifier(full.subset([it.file for it in gallery_items(items)]), thresholds, options)
