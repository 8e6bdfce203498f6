"""Build ``models/negatives.npz``: features of frames teach mode must never let be named.

    python -m training.build_negatives

Teach mode refuses a taught note that foreign notes or scenes would match
(``desktop_app.teaching.checks.matches_negatives``). The app ships the SIFT features of such
frames, never the images: the tuning half of ``training.folds.negative_images`` (odd-numbered
Indian notes, odd-indexed scenes). The other half stays held out, so the teach evaluation
(``training.teach_eval``) reports acceptances on negatives the check never saw.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.paths import DEFAULT_GALLERY, MODELS_DIR
from desktop_app.recognition.flatten import to_grey
from desktop_app.recognition.gallery import detect, make_sift
from desktop_app.recognition.frames import FRAME_CONTRAST, STRETCH_PERCENTILES, FrameFeatures
from desktop_app.recognition.imaging import stretch

NEGATIVES_FILE = MODELS_DIR / "negatives.npz"
# Strongest keypoints kept per negative frame: enough for a taught note to be placed on it if
# it would be (the check needs min_inliers), few enough to keep the file small.
KEYPOINTS = 600


def negative_features(image, keypoints: int = KEYPOINTS) -> FrameFeatures:
    """As the verifier sees a frame (working size, stretched, low contrast threshold), but
    fewer keypoints."""
    import cv2

    grey = to_grey(image)
    h0, w0 = grey.shape
    scale = min(1.0, 640 / max(h0, w0))
    work = grey if scale == 1.0 else cv2.resize(grey, (round(w0 * scale), round(h0 * scale)),
                                                interpolation=cv2.INTER_AREA)
    pts, desc = detect(stretch(work, STRETCH_PERCENTILES), keypoints,
                       sift=make_sift(keypoints, FRAME_CONTRAST))
    return FrameFeatures(work.shape[:2], 1.0, pts, desc)


def build(half: str = "tune"):
    from desktop_app.teaching.checks import Negatives
    from training.folds import negative_images

    names, frames = [], []
    for name, _kind, h, load, _cid in negative_images():
        if h == half:
            names.append(name)
            frames.append(negative_features(load()))
    if not names:
        raise SystemExit("no negatives found: is ../shared/data/foreign-notes present?")
    return Negatives(names, frames)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=NEGATIVES_FILE)
    args = ap.parse_args(argv)
    negatives = build()
    kinds = {}
    for n in negatives.names:
        kinds[n.split(":")[0]] = kinds.get(n.split(":")[0], 0) + 1
    negatives.save(args.out, info=dict(half="tune", keypoints=KEYPOINTS, kinds=kinds,
                                       gallery=str(Path(DEFAULT_GALLERY).name)))
    print(f"{args.out}: {len(negatives)} negatives {kinds}, "
          f"{args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
