"""Note outlines for photos that have no hand-marked ``note_corners``.

    python -m training.outlines            # finds outlines, rewrites training/note_outlines.csv

The later photos (mmanishh) show one note lying on a dark table or carpet. Two independent
cues are combined, and an outline is only kept when they agree:

1. Segmentation: the note is much brighter than the table, so an Otsu threshold on a blurred
   grey image, closed and reduced to its largest blob, gives the note's silhouette; its convex
   hull reduced to four points is the note's quad (this follows folds and curled corners
   better than a homography of a flat reference can).
2. Orientation and a cross-check: SIFT matches against the flat references of the same
   denomination and side (RANSAC homography). The reference's corners mapped into the photo
   say which silhouette corner is the printed top-left, and how far the two quads disagree.

Every outline written here was then checked by eye on contact sheets; the CSV's ``status``
column records that check ("ok", or "rejected" with the corners left empty). ``method`` says
which cue the corners came from.
"""
from __future__ import annotations

import argparse
import csv
import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

# The silhouette cue lives in the app (teach mode finds unknown notes with it); training keeps
# using the very same code for the shared photos.
from desktop_app.teaching.outline import signed_area, silhouette_quad

OUTLINES_CSV = Path(__file__).with_name("note_outlines.csv")
WORK_SIDE = 800  # segmentation and matching run at this long side; corners are scaled back
MIN_INLIERS = 15
# Mean corner distance (fraction of the note's diagonal) under which the homography's quad
# and the silhouette's quad count as the same note.
AGREE = 0.12
# Share of the homography's quad that must lie inside the silhouette to trust the silhouette
# when the two disagree because the reference is a crop of the note.
CONTAINED = 0.95


@dataclass(frozen=True)
class Outline:
    corners: list[list[float]] | None  # clockwise from the printed top-left, photo pixels
    method: str  # "segmentation+sift" | "segmentation+sift-crop" | "sift" | "none"
    inliers: int
    disagreement: float  # mean corner distance between the two cues / note diagonal


def sift_quad(image: np.ndarray, refs: list[np.ndarray]) -> tuple[np.ndarray | None, int]:
    """The best reference's corners mapped into the photo (printed top-left first), inliers."""
    sift = cv2.SIFT_create(nfeatures=3000)
    kq, dq = sift.detectAndCompute(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), None)
    if dq is None:
        return None, 0
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    best, best_inliers = None, 0
    for ref in refs:
        kr, dr = sift.detectAndCompute(cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY), None)
        if dr is None or len(kr) < 4:
            continue
        good = [m for m, n in (p for p in matcher.knnMatch(dr, dq, k=2) if len(p) == 2)
                if m.distance < 0.75 * n.distance]
        if len(good) < MIN_INLIERS:
            continue
        src = np.float32([kr[m.queryIdx].pt for m in good])
        dst = np.float32([kq[m.trainIdx].pt for m in good])
        H, inl = cv2.findHomography(src, dst, cv2.RANSAC, 6.0)
        if H is None or int(inl.sum()) <= best_inliers:
            continue
        h, w = ref.shape[:2]
        corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        best = cv2.perspectiveTransform(corners[None], H)[0]
        best_inliers = int(inl.sum())
    return best, best_inliers


def orient(quad: np.ndarray, guide: np.ndarray) -> tuple[np.ndarray, float]:
    """``quad`` rolled so its corners line up with ``guide`` (both clockwise); mean corner
    distance afterwards."""
    rolls = [np.roll(quad, -i, axis=0) for i in range(4)]
    dists = [float(np.linalg.norm(r - guide, axis=1).mean()) for r in rolls]
    i = int(np.argmin(dists))
    return rolls[i], dists[i]


def find_outline(image: np.ndarray, refs: list[np.ndarray]) -> Outline:
    s = WORK_SIDE / max(image.shape[:2])
    small = cv2.resize(image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    guide, inliers = sift_quad(small, refs)
    if guide is None or signed_area(guide) <= 0:  # no match, or a mirrored (impossible) one
        return Outline(None, "none", inliers, float("nan"))
    seg = silhouette_quad(small)
    diagonal = float(np.linalg.norm(guide[2] - guide[0]))
    if seg is not None:
        seg, dist = orient(seg, guide)
        disagreement = dist / max(diagonal, 1.0)
        if disagreement <= AGREE:
            return Outline(np.round(seg.astype(np.float64) / s, 1).tolist(), "segmentation+sift", inliers, disagreement)
        # Some references are crops of the note (the Rs 10 Everest front lacks its watermark
        # end): the homography's quad then lies inside the silhouette and only orients it.
        inside, _ = cv2.intersectConvexConvex(guide, seg)
        if inside >= CONTAINED * cv2.contourArea(guide) and cv2.contourArea(seg) > cv2.contourArea(guide):
            return Outline(np.round(seg.astype(np.float64) / s, 1).tolist(), "segmentation+sift-crop",
                           inliers, disagreement)
    else:
        disagreement = float("nan")
    return Outline(np.round(guide.astype(np.float64) / s, 1).tolist(), "sift", inliers, disagreement)


def load_outlines(path: Path = OUTLINES_CSV) -> dict[str, tuple[list | None, str, str]]:
    """file -> (corners or None when rejected, method, status)."""
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["file"]: (json.loads(r["corners"]) if r["corners"] else None, r["method"], r["status"])
                for r in csv.DictReader(fh)}


def main(argv: list[str] | None = None) -> None:
    from training.data import NPR_DIR, load_manifest, read_image

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUTLINES_CSV)
    args = ap.parse_args(argv)
    cv2.setRNGSeed(0)
    previous = load_outlines(args.out)  # keeps the by-eye verdicts of earlier runs
    items = load_manifest(with_outlines=False)
    rows = []
    for it in items:
        if it.kind != "photo" or it.corners:
            continue
        refs = [read_image(NPR_DIR / r.file) for r in items if r.kind == "ref"
                and (r.denomination, r.side) == (it.denomination, it.side)
                and (it.side == "back" or r.series == it.series)]
        found = find_outline(read_image(NPR_DIR / it.file), refs)
        status = previous.get(it.file, (None, "", "unchecked"))[2]
        corners = None if status.startswith("rejected") else found.corners
        rows.append(dict(file=it.file, corners=json.dumps(corners) if corners else "",
                         method=found.method, status=status, inliers=found.inliers,
                         disagreement=round(found.disagreement, 3)))
        print(f"{it.file}: {found.method}, {found.inliers} inliers, "
              f"disagreement {found.disagreement:.3f}, {status}")
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {args.out} ({len(rows)} photos)")


if __name__ == "__main__":
    main()
