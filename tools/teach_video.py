"""Material for the teach-mode proof (tools/teach_proof.sh): a note the app cannot name, on video.

    .venv/bin/python tools/teach_video.py OUT_DIR [--value 50]

From the shared photos of one physical note (the mmanishh burst of that value, both sides):
- OUT_DIR/gallery.npz: the shipped gallery WITHOUT any reference of that value (so the app
  answers "not sure" on it, as on a note public data does not cover);
- OUT_DIR/note.avi: the note's shots at 640x480, front and back alternating every 0.5 s
  (MJPG, 12 fps, looping in the app), as if a person turned it over on a dark table.
Nothing is written into the repository; the images stay in ../shared.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.paths import DEFAULT_GALLERY  # noqa: E402
from desktop_app.recognition.gallery import ReferenceGallery  # noqa: E402

FPS = 12.0
SEGMENT_S = 0.5
SIZE = (640, 480)


def fit(image: np.ndarray) -> np.ndarray:
    """The photo as a 640x480 webcam frame: turned to landscape, letterboxed if it must be."""
    w, h = SIZE
    if image.shape[0] > image.shape[1]:
        image = cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE)
    s = min(w / image.shape[1], h / image.shape[0])
    small = cv2.resize(image, (round(image.shape[1] * s), round(image.shape[0] * s)),
                       interpolation=cv2.INTER_AREA)
    out = np.full((h, w, 3), 20, np.uint8)
    y, x = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    out[y:y + small.shape[0], x:x + small.shape[1]] = small
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--value", default="50")
    args = ap.parse_args(argv)
    from training.data import NPR_DIR, load_manifest, read_image

    args.out.mkdir(parents=True, exist_ok=True)
    items = [i for i in load_manifest() if i.kind == "photo" and i.denomination == args.value
             and i.source == "mmanishh"]
    sides = {s: [i for i in items if i.side == s] for s in ("front", "back")}
    if not all(sides.values()):
        raise SystemExit(f"no mmanishh photos of both sides of Rs {args.value}")
    shipped = ReferenceGallery.load(DEFAULT_GALLERY)
    keep = [r.id for r in shipped.references if r.denomination != args.value]
    if not (args.out / "gallery.npz").is_file():  # slow (shared artwork recomputed): once
        shipped.subset(keep).save(args.out / "gallery.npz")
    frames = []
    per = round(FPS * SEGMENT_S)
    for f, b in zip(sides["front"], sides["back"]):
        for item in (f, b):
            frame = fit(read_image(NPR_DIR / item.file))
            frames += [frame] * per
    writer = cv2.VideoWriter(str(args.out / "note.avi"), cv2.VideoWriter_fourcc(*"MJPG"), FPS, SIZE)
    for frame in frames:
        writer.write(frame)
    writer.release()
    print(f"{args.out}/gallery.npz: {len(keep)} references (no Rs {args.value}); "
          f"{args.out}/note.avi: {len(frames)} frames, {len(frames) / FPS:.1f} s, "
          f"{min(len(sides['front']), len(sides['back']))} shots per side")


if __name__ == "__main__":
    main()
