"""A note's four corners in a frame, found without any reference of that note.

Teach mode learns a note the gallery does not know, so nothing about its print can guide the
search: only its shape can. Two cues propose quads and each proposal must look like a banknote
(a convex, well-filled quad of a banknote's proportions, whole in the frame) to be kept:

1. Silhouette: an Otsu threshold on a blurred grey image splits note from surface. Both
   polarities are tried: a note brighter than a dark table, and darker than a light desk
   (that one only when the edge cue finds the same quad, see ``CONFIRM``).
2. Edges: Canny with thresholds from the median grey, strokes dilated and closed, outer
   contours reduced to a convex quad. This one needs no contrast between the note's paper
   and the surface, only a visible border.

A wrong quad is worse than none (the learned views would be of the table), so the gates are
strict, an outline that runs along the frame's edge (a cut note) is turned away, and
``find_note`` says None whenever no proposal passes.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_SIDE = 640  # cues run at this long side (a webcam frame is not resized); corners are scaled back
MIN_AREA, MAX_AREA = 0.06, 0.92  # share of the frame a held or laid-down note covers
# Long side / short side. Nepali notes run from about 2.0 (Rs 5) to 2.4 (Rs 1000); the bounds
# leave room for perspective foreshortening either way.
MIN_ASPECT, MAX_ASPECT = 1.6, 3.0
MIN_FILL = 0.85  # outline area / quad area: a torn blob or a blob of shadows fills its quad badly
# Shortest / longest of two opposite edges: a flat rectangle seen from any sensible viewpoint
# keeps its opposite edges of comparable length; a kite or a sliver of a table does not.
MIN_PARALLEL = 0.6
# The edge cue's outline is its strokes' outer rim: a closed note border fills its quad almost
# wholly, while a rim pieced together from print and folds inside a close-up fills it less
# (the one wrong quad on the shared photos had 0.88; the right ones 0.956 and more).
EDGE_MIN_FILL = 0.95
BLOBS_PER_CUE = 3
# A note darker than a light desk shares the desk's colour where its paper is unprinted (the
# watermark field of every Nepali note): the dark silhouette then loses that end and is still
# note-shaped. So a dark silhouette counts only when the edge cue, which sees the paper's
# border, finds the same quad (mean corner distance under this share of the diagonal).
CONFIRM = 0.05  # the largest blobs of each silhouette tried (a bright paper beside the note)


@dataclass(frozen=True)
class FoundNote:
    quad: np.ndarray  # 4x2 float32, frame pixels, clockwise on screen, quad[0]->quad[1] a long edge
    cue: str  # which cue found it: "silhouette" | "silhouette-dark" | "edges"
    fill: float  # how rectangular: outline area / quad area, 0..1


def signed_area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def clockwise(quad: np.ndarray) -> np.ndarray:
    """The same quad, clockwise on screen (image y points down: positive signed area)."""
    return quad if signed_area(quad) > 0 else quad[::-1].copy()


def _silhouette_mask(grey: np.ndarray, width: int, *, dark: bool = False) -> np.ndarray:
    """Otsu split of a blurred grey image, closed and opened; ``dark`` keeps the darker side."""
    mode = cv2.THRESH_BINARY_INV if dark else cv2.THRESH_BINARY
    _, mask = cv2.threshold(grey, 0, 255, mode + cv2.THRESH_OTSU)
    k = max(3, width // 80)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))


def _blob_quad(blob: np.ndarray) -> np.ndarray:
    """Four corners of a blob's convex hull, clockwise, edges pushed out over curled corners."""
    hull = cv2.convexHull(blob)
    perimeter = cv2.arcLength(hull, True)
    for eps in np.linspace(0.01, 0.1, 19):
        poly = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(poly) == 4:
            return push_edges_out(clockwise(poly[:, 0].astype(np.float32)), hull[:, 0].astype(np.float32))
    return clockwise(cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32))


def silhouette_quad(image: np.ndarray) -> np.ndarray | None:
    """Four corners of the largest bright blob (the note on a dark surface), clockwise."""
    grey = cv2.GaussianBlur(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), (0, 0), 3)
    contours, _ = cv2.findContours(_silhouette_mask(grey, image.shape[1]), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    blob = max(contours, key=cv2.contourArea)
    if cv2.contourArea(blob) < 0.03 * image.shape[0] * image.shape[1]:
        return None
    return _blob_quad(blob)


def push_edges_out(quad: np.ndarray, hull: np.ndarray) -> np.ndarray:
    """Each edge moved outward, parallel to itself, to the farthest silhouette point beside
    it, and the corners re-made where the moved edges cross: approxPolyDP's vertices lie on a
    curled or dog-eared note's outline but its straight edges cut across the bulges."""
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        edge = b - a
        length = max(float(np.linalg.norm(edge)), 1e-6)
        normal = np.array([edge[1], -edge[0]]) / length  # outward for a clockwise quad (y down)
        t = (hull - a) @ edge / length ** 2
        beside = hull[(t > 0) & (t < 1)]
        offset = max(0.0, float(((beside - a) @ normal).max())) if len(beside) else 0.0
        lines.append((a + normal * offset, edge))
    out = []
    for i in range(4):
        (p, d), (q, e) = lines[i - 1], lines[i]
        m = np.array([d, -e]).T
        if abs(np.linalg.det(m)) < 1e-6:
            return quad
        u = np.linalg.solve(m, q - p)
        out.append(p + u[0] * d)
    return np.asarray(out, np.float32)


def _edges(grey: np.ndarray) -> np.ndarray:
    """Canny strokes, thresholds from the median grey, thickened so a note's border closes."""
    median = float(np.median(grey))
    edges = cv2.Canny(grey, int(max(10.0, 0.66 * median)), int(max(30.0, min(255.0, 1.33 * median))))
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=2)
    return cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))


def edge_lengths(quad: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.roll(quad, -1, axis=0) - quad, axis=1)


def aspect_ratio(quad: np.ndarray) -> float:
    """Long side / short side, each the mean of two opposite edges."""
    e = edge_lengths(quad)
    a, b = (e[0] + e[2]) / 2, (e[1] + e[3]) / 2
    return float(max(a, b) / max(min(a, b), 1e-6))


def corner_distance(quad: np.ndarray, other: np.ndarray) -> float:
    """Mean corner distance between two quads after the best cyclic alignment, as a share of
    ``other``'s longer diagonal."""
    q, o = np.asarray(quad, np.float64), np.asarray(other, np.float64)
    diagonal = max(float(np.linalg.norm(o[2] - o[0])), float(np.linalg.norm(o[3] - o[1])), 1.0)
    return min(float(np.linalg.norm(np.roll(q, -i, axis=0) - o, axis=1).mean()) for i in range(4)) / diagonal


def whole_in_view(quad: np.ndarray, shape: tuple[int, ...], margin: float) -> bool:
    """Every corner at least ``margin`` x the frame's long side inside the frame."""
    h, w = shape[:2]
    m = margin * max(h, w)
    q = np.asarray(quad, np.float64)
    return bool((q[:, 0] >= m).all() and (q[:, 0] <= w - 1 - m).all()
                and (q[:, 1] >= m).all() and (q[:, 1] <= h - 1 - m).all())


def long_edge_first(quad: np.ndarray) -> np.ndarray:
    """A clockwise quad rolled so quad[0]->quad[1] is a long edge; of the two long edges, the
    one starting nearer the frame's top-left, so a still note keeps its corner order."""
    q = clockwise(np.asarray(quad, np.float32))
    e = edge_lengths(q)
    start = 0 if e[0] + e[2] >= e[1] + e[3] else 1
    options = [start, start + 2]
    best = min(options, key=lambda i: float(q[i].sum()))
    return np.roll(q, -best, axis=0).astype(np.float32)


def looks_like_note(quad: np.ndarray, fill: float, shape: tuple[int, ...], margin: float) -> bool:
    """The gates a proposal must pass to be called a note (see the module constants)."""
    if quad is None or len(quad) != 4 or not np.isfinite(quad).all():
        return False
    if not cv2.isContourConvex(quad.reshape(-1, 1, 2).astype(np.float32)):
        return False
    area = signed_area(quad)
    frame = shape[0] * shape[1]
    if not MIN_AREA * frame <= area <= MAX_AREA * frame or fill < MIN_FILL:
        return False
    if not MIN_ASPECT <= aspect_ratio(quad) <= MAX_ASPECT:
        return False
    e = edge_lengths(quad)
    if min(e[0], e[2]) < MIN_PARALLEL * max(e[0], e[2]) or min(e[1], e[3]) < MIN_PARALLEL * max(e[1], e[3]):
        return False
    # A blob that runs off the frame is cut by it: its quad's corners there are the frame's,
    # not the note's. This also turns away the frame border itself.
    return whole_in_view(quad, shape, margin)


def touches_frame(contour: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether an outline runs along the frame's edge: the note there is cut by the frame."""
    pts = contour.reshape(-1, 2)
    h, w = shape[:2]
    return bool((pts[:, 0] <= 1).any() or (pts[:, 0] >= w - 2).any()
                or (pts[:, 1] <= 1).any() or (pts[:, 1] >= h - 2).any())


def _proposal(contour: np.ndarray, quad: np.ndarray | None,
              shape: tuple[int, ...]) -> tuple[np.ndarray, float] | None:
    if quad is None or touches_frame(contour, shape):
        return None
    quad_area = signed_area(clockwise(quad))
    if quad_area <= 0:
        return None
    return clockwise(quad), min(1.0, float(cv2.contourArea(contour)) / quad_area)


def _silhouette_proposals(grey: np.ndarray, min_area: float):
    for dark, cue in ((False, "silhouette"), (True, "silhouette-dark")):
        contours, _ = cv2.findContours(_silhouette_mask(grey, grey.shape[1], dark=dark),
                                       cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for blob in sorted(contours, key=cv2.contourArea, reverse=True)[:BLOBS_PER_CUE]:
            if cv2.contourArea(blob) < min_area:
                break
            found = _proposal(blob, _blob_quad(blob), grey.shape)
            if found:
                yield cue, found


def _edge_proposals(grey: np.ndarray, min_area: float):
    contours, _ = cv2.findContours(_edges(grey), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in contours:
        if cv2.contourArea(contour) < min_area:
            continue
        hull = cv2.convexHull(contour)
        perimeter = cv2.arcLength(hull, True)
        for eps in (0.02, 0.03, 0.05):
            poly = cv2.approxPolyDP(hull, eps * perimeter, True)
            if len(poly) == 4:
                found = _proposal(contour, poly[:, 0].astype(np.float32), grey.shape)
                if found and found[1] >= EDGE_MIN_FILL:
                    yield "edges", found
                break


def find_note(image_bgr: np.ndarray, *, margin: float = 0.01) -> FoundNote | None:
    """The note's quad in ``image_bgr`` (BGR, any size), or None when no proposal looks like a
    whole note at least ``margin`` x the long side inside the frame."""
    h, w = image_bgr.shape[:2]
    s = min(1.0, WORK_SIDE / max(h, w))
    small = image_bgr if s == 1.0 else cv2.resize(image_bgr, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    min_area = MIN_AREA * grey.shape[0] * grey.shape[1]
    blurred = cv2.GaussianBlur(grey, (0, 0), 3)
    proposals = list(_silhouette_proposals(blurred, min_area))
    proposals += _edge_proposals(cv2.GaussianBlur(grey, (5, 5), 0), min_area)
    notes = [FoundNote(quad, cue, fill) for cue, (quad, fill) in proposals
             if looks_like_note(quad, fill, grey.shape, margin)]
    edge_quads = [n.quad for n in notes if n.cue == "edges"]
    notes = [n for n in notes if n.cue != "silhouette-dark"
             or any(corner_distance(n.quad, e) < CONFIRM for e in edge_quads)]
    # A silhouette that passes is preferred: on the photos of notes on a table it is the
    # steadier cue (a little outside the paper, never inside it), while the edge cue's rim,
    # tighter when right, at times follows table grain or a shadow a few percent off. Fill
    # decides within a cue.
    best = max(notes, key=lambda n: (n.cue != "edges", n.fill), default=None)
    if best is None:
        return None
    return FoundNote(long_edge_first(best.quad / s), best.cue, round(best.fill, 3))
