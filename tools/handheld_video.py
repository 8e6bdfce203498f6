"""Material for the live recognition proof: a hand-held shared photo as a shaky webcam video,
and a gallery that has never seen that physical note.

    .venv/bin/python tools/handheld_video.py OUT_DIR [--photo photos/50/pratyasha__fifty_test_22.jpg]
    tools/sr_proof.sh OUT_DIR/note.avi OUT_DIR/run false -- --language en --gallery OUT_DIR/gallery.npz

- OUT_DIR/gallery.npz: the shipped gallery WITHOUT every reference made from the photo's
  physical note (``training.data.physical_groups``): the app must name it from other notes
  of that value, as it would a note a person holds up at home;
- with ``--unknown-design``, OUT_DIR/unknown.npz as well: the shipped gallery without any
  reference of the photo's value and side in any series, so that the note is of a design the
  app does not know and must come out "not sure" (the evaluation's unknown-design check,
  ``training.folds.evaluate_absent``, for a hold instead of one frame);
- OUT_DIR/note.avi: the photo at 640x480 (MJPG, 12 fps, 8 s), moved as a hand trembles: a few
  pixels' shift and a degree or two of turn from frame to frame, every third frame smeared
  by a straight motion blur of 5-15 px. Seeded: the same video every time.
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
from desktop_app.recognition.deblur import line_kernel  # noqa: E402
from desktop_app.recognition.gallery import ReferenceGallery  # noqa: E402
from tools.teach_video import SIZE, fit  # noqa: E402

FPS = 12.0
SECONDS = 8.0
SEED = 5


def tremble(rng: np.random.Generator, frame: np.ndarray, index: int) -> np.ndarray:
    w, h = SIZE
    m = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-2, 2)), 1.0)
    m[:, 2] += rng.uniform(-6, 6, 2)
    out = cv2.warpAffine(frame, m, SIZE, borderMode=cv2.BORDER_REFLECT)
    if index % 3 == 2:
        out = cv2.filter2D(out, -1, line_kernel(int(rng.integers(5, 16)), float(rng.uniform(0, 180))))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--photo", default="photos/50/pratyasha__fifty_test_22.jpg")
    ap.add_argument("--unknown-design", action="store_true",
                    help="also write unknown.npz: no reference of the photo's value and side")
    args = ap.parse_args(argv)
    from training.data import NPR_DIR, load_manifest, physical_groups, read_image

    items = load_manifest()
    photo = next((i for i in items if i.file == args.photo and i.kind == "photo"), None)
    if photo is None:
        raise SystemExit(f"{args.photo}: not a photo in {NPR_DIR}/manifest")
    groups = physical_groups(items)
    same_note = {i.file for i in items if groups.get(i.file) == groups[photo.file]}
    args.out.mkdir(parents=True, exist_ok=True)
    shipped = ReferenceGallery.load(DEFAULT_GALLERY)
    keep = [r.id for r in shipped.references if r.id not in same_note]
    if not (args.out / "gallery.npz").is_file():  # slow (shared artwork recomputed): once
        shipped.subset(keep).save(args.out / "gallery.npz")
    if args.unknown_design and not (args.out / "unknown.npz").is_file():
        unknown = [r.id for r in shipped.references
                   if (r.denomination, r.side) != (photo.denomination, photo.side)]
        shipped.subset(unknown).save(args.out / "unknown.npz")
    rng = np.random.default_rng(SEED)
    still = fit(read_image(NPR_DIR / photo.file))
    writer = cv2.VideoWriter(str(args.out / "note.avi"), cv2.VideoWriter_fourcc(*"MJPG"), FPS, SIZE)
    n = round(FPS * SECONDS)
    for i in range(n):
        writer.write(tremble(rng, still, i))
    writer.release()
    print(f"{args.out}/gallery.npz: {len(keep)} of {len(shipped.references)} references "
          f"(without {sorted(same_note)}); {args.out}/note.avi: {n} frames, Rs {photo.denomination} "
          f"{photo.side}")


if __name__ == "__main__":
    main()
