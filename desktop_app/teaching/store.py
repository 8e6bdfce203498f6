"""The user gallery: taught notes on disk, one file per note, features only.

Layout of the data folder (``user_data_dir``)::

    taught/<id>.npz      one taught note: its views' keypoints and descriptors and the mean
                         colours of a coarse grid over each view (``colour.GRID``), never pixels
    taught/images/<id>/  the rectified views as PNG, only when staff turned ``keep_images`` on
    store.json           settings: locked (no teaching, forgetting or importing), keep_images

One file per note, each written to a temporary file, flushed to disk and renamed over the old
name (rename is atomic on POSIX and NTFS): a crash or a killed app mid-write leaves every note
taught before it intact, and at worst a stray ``.tmp`` that loading ignores. A note file that
cannot be read (damaged disk, a newer app's format) is reported by name and skipped; the others
still load.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

NOTE_FORMAT = "ncr-taught-note"
FORMAT_VERSION = 1
EXPORT_FORMAT = "ncr-taught-export"
SIDES = ("front", "back", "first", "second")  # window teaching knows only the order shown


class StoreError(RuntimeError):
    """A user-gallery operation that cannot be done; ``key`` is the phrase that says why."""

    def __init__(self, message: str, key: str = "teach.store_failed", **params):
        super().__init__(message)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class View:
    """One rectified view of one side of a note: SIFT of the flat note, in its own pixels."""

    side: str
    size: tuple[int, int]  # (width, height) of the rectified note
    points: np.ndarray  # N x 2 float32
    descriptors: np.ndarray  # N x 128 uint8
    full_scale: np.ndarray  # N bool: detected at full size (not on a coarser copy)
    sharpness: float = 0.0
    image: np.ndarray | None = field(default=None, compare=False)  # grey, kept only if asked
    # Mean BGR of ``colour.GRID``'s cells over the note (NaN: off the note), so that a taught
    # note is colour-checked like a shipped one; None for a view taught from a grey frame.
    colour: np.ndarray | None = field(default=None, compare=False)


@dataclass(frozen=True)
class TaughtNote:
    id: str
    value: str
    created: str  # ISO 8601, UTC
    views: tuple[View, ...]
    origin: str = "window"  # "window" | "files" | "import"

    @property
    def sides(self) -> tuple[str, ...]:
        return tuple(s for s in SIDES if any(v.side == s for v in self.views))

    def describe(self) -> dict:
        return dict(id=self.id, value=self.value, sides=list(self.sides), created=self.created,
                    views=len(self.views), origin=self.origin)


_ID = re.compile(r"[0-9]{1,4}-[0-9]{8}-[0-9]{6}-[0-9a-f]{4}")
MAX_VIEWS = 64  # per note: more is not a note taught by a person
MAX_NOTE_BYTES = 64 << 20  # one note file, unpacked (a zip bomb is refused before reading)
MAX_VIEW_KEYPOINTS = 20000


def valid_id(note_id) -> bool:
    return isinstance(note_id, str) and _ID.fullmatch(note_id) is not None


def new_id(value: str, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{value}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def user_data_dir(override: str | Path | None = None, *, environ=os.environ,
                  platform: str = os.name) -> Path:
    """``--data-dir`` if given; else $NCR_DATA_DIR; else the platform's per-user data folder
    (%APPDATA% on Windows, $XDG_DATA_HOME or ~/.local/share elsewhere)."""
    if override:
        return Path(override)
    if environ.get("NCR_DATA_DIR"):
        return Path(environ["NCR_DATA_DIR"])
    if platform == "nt" and environ.get("APPDATA"):
        return Path(environ["APPDATA"]) / "NepaliCashReader"
    base = environ.get("XDG_DATA_HOME") or str(Path(environ.get("HOME", "~")).expanduser()
                                                / ".local" / "share")
    return Path(base) / "nepali-cash-reader"


def atomic_write(path: Path, data: bytes) -> None:
    """Write-then-rename, with the data and the folder entry flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    if os.name != "nt":  # the rename itself must reach the disk too
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def note_bytes(note: TaughtNote) -> bytes:
    import io

    meta = dict(format=NOTE_FORMAT, format_version=FORMAT_VERSION, id=note.id, value=note.value,
                created=note.created, origin=note.origin,
                views=[dict(side=v.side, size=list(v.size), sharpness=round(v.sharpness, 1))
                       for v in note.views])
    counts = np.array([len(v.points) for v in note.views], np.int32)
    buf = io.BytesIO()
    np.savez_compressed(
        buf, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8), counts=counts,
        points=np.concatenate([v.points for v in note.views]).astype(np.float32),
        descriptors=np.concatenate([v.descriptors for v in note.views]).astype(np.uint8),
        full_scale=np.concatenate([v.full_scale for v in note.views]).astype(bool),
        # one grid per view, all NaN for a view without colours (notes saved before colours
        # were kept have no such array, and load with none)
        colours=np.stack([_grid(v.colour) for v in note.views]))
    return buf.getvalue()


def _grid(cells: np.ndarray | None) -> np.ndarray:
    from desktop_app.recognition import colour

    cols, rows = colour.GRID
    if cells is None:
        return np.full((rows * cols, 3), np.nan, np.float32)
    return np.asarray(cells, np.float32).reshape(rows * cols, 3)


def _colours(array, n_views: int) -> list:
    """Each view's colour cells from a note file, None where it kept none (an all-NaN grid, or
    a note saved before colours were kept)."""
    from desktop_app.recognition import colour

    if array is None:
        return [None] * n_views
    cols, rows = colour.GRID
    array = np.asarray(array)
    if array.shape != (n_views, rows * cols, 3) or array.dtype.kind != "f" \
            or (np.isinf(array).any()) or (array[np.isfinite(array)] < 0).any():
        raise ValueError(f"colour cells of shape {array.shape}")
    return [None if np.isnan(g).all() else g.astype(np.float32) for g in array]


def note_from_bytes(data: bytes, name: str) -> TaughtNote:
    import io

    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            counts, pts, desc, full = (z[k] for k in ("counts", "points", "descriptors",
                                                      "full_scale"))
            colours = z["colours"] if "colours" in z.files else None
    except Exception as exc:  # a damaged file, whatever the library says about it
        raise StoreError(f"taught note {name} is unreadable: {exc}", "teach.note_corrupt",
                         name=name) from exc
    if not isinstance(meta, dict) or meta.get("format") != NOTE_FORMAT:
        raise StoreError(f"{name} is not a taught note", "teach.note_corrupt", name=name)
    if meta.get("format_version") != FORMAT_VERSION:
        raise StoreError(f"taught note {name} has format version {meta.get('format_version')!r};"
                         f" this app reads {FORMAT_VERSION}", "teach.note_version", name=name)
    try:
        from desktop_app.recognition.evidence import DENOMINATIONS

        if not valid_id(meta["id"]) or str(meta["value"]) not in DENOMINATIONS:
            raise ValueError(f"id {str(meta['id'])[:40]!r} or value {str(meta['value'])[:8]!r}")
        counts = np.asarray(counts, np.int64).reshape(-1)
        if not (0 < len(meta["views"]) == len(counts) <= MAX_VIEWS) or (counts < 0).any() \
                or (counts > MAX_VIEW_KEYPOINTS).any():
            raise ValueError("view counts out of range")
        pts, desc, full = (np.asarray(pts, np.float32), np.asarray(desc), np.asarray(full, bool))
        if desc.dtype != np.uint8 or desc.ndim != 2 or desc.shape[1] != 128 \
                or pts.shape != (len(desc), 2) or full.shape != (len(desc),) \
                or int(counts.sum()) != len(desc) or not np.isfinite(pts).all():
            raise ValueError("keypoint arrays do not match")
        colours = _colours(colours, len(counts))
        views, start = [], 0
        for i, (v, n) in enumerate(zip(meta["views"], counts.tolist())):
            size = tuple(int(x) for x in v["size"])
            if v["side"] not in SIDES or len(size) != 2 or not all(8 <= x <= 4096 for x in size):
                raise ValueError(f"view side {v['side']!r} or size {size}")
            sl = slice(start, start + n)
            views.append(View(v["side"], size, pts[sl], desc[sl], full[sl],
                              float(v.get("sharpness", 0)), colour=colours[i]))
            start += n
        return TaughtNote(str(meta["id"]), str(meta["value"]), str(meta["created"]),
                          tuple(views), str(meta.get("origin", "window")))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StoreError(f"taught note {name} is inconsistent: {exc}", "teach.note_corrupt",
                         name=name) from exc


class UserStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.notes_dir = self.root / "taught"
        self.problems: list[StoreError] = []  # what the last ``notes()`` could not read

    # --- settings -----------------------------------------------------------------------
    def _settings(self) -> dict:
        try:
            data = json.loads((self.root / "store.json").read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _set(self, **changes) -> None:
        data = dict(self._settings(), format_version=FORMAT_VERSION, **changes)
        atomic_write(self.root / "store.json", json.dumps(data, indent=1).encode())

    @property
    def locked(self) -> bool:
        return bool(self._settings().get("locked", False))

    def set_locked(self, locked: bool) -> None:
        self._set(locked=bool(locked))

    @property
    def keep_images(self) -> bool:
        return bool(self._settings().get("keep_images", False))

    def set_keep_images(self, keep: bool) -> None:
        self._set(keep_images=bool(keep))

    def require_unlocked(self) -> None:
        if self.locked:
            raise StoreError(f"the taught notes in {self.root} are locked", "teach.locked")

    # --- notes --------------------------------------------------------------------------
    def _path(self, note_id: str) -> Path:
        if not valid_id(note_id):  # never a path of its own: no folders, drives or streams
            raise StoreError(f"no taught note {note_id!r}", "teach.no_such_note", id=str(note_id)[:40])
        return self.notes_dir / f"{note_id}.npz"

    def notes(self) -> list[TaughtNote]:
        """Every readable note, oldest first; unreadable ones are listed in ``problems``."""
        self.problems = []
        out = []
        for path in sorted(self.notes_dir.glob("*.npz")) if self.notes_dir.is_dir() else ():
            if path.name.startswith("."):
                continue  # a temporary file a crash left behind
            try:
                out.append(note_from_bytes(path.read_bytes(), path.name))
            except OSError as exc:
                self.problems.append(StoreError(f"{path}: {exc}", "teach.note_corrupt",
                                                name=path.name))
            except StoreError as exc:
                self.problems.append(exc)
        return sorted(out, key=lambda n: (n.created, n.id))

    def add(self, note: TaughtNote) -> Path:
        self.require_unlocked()
        path = self._path(note.id)
        atomic_write(path, note_bytes(note))
        if self.keep_images:
            self._save_images(note)
        return path

    def _save_images(self, note: TaughtNote) -> None:
        import cv2

        folder = self.notes_dir / "images" / note.id
        for i, v in enumerate(note.views):
            if v.image is not None:
                ok, png = cv2.imencode(".png", v.image)
                if ok:
                    atomic_write(folder / f"{i:02d}-{v.side}.png", png.tobytes())

    def forget(self, note_id: str) -> TaughtNote:
        self.require_unlocked()
        path = self._path(note_id)
        if not path.is_file():
            raise StoreError(f"no taught note {note_id!r} in {self.notes_dir}",
                             "teach.no_such_note", id=note_id)
        note = note_from_bytes(path.read_bytes(), path.name)
        path.unlink()
        images = self.notes_dir / "images" / note_id
        if images.is_dir():
            for f in images.iterdir():
                f.unlink()
            images.rmdir()
        return note

    # --- moving notes between machines --------------------------------------------------
    def export(self, target: str | Path) -> int:
        """All readable notes into one zip file (features only); returns how many."""
        import io

        notes = self.notes()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            z.writestr("export.json", json.dumps(dict(
                format=EXPORT_FORMAT, format_version=FORMAT_VERSION, exported=now_iso(),
                notes=[n.describe() for n in notes]), indent=1))
            for n in notes:
                z.writestr(f"taught/{n.id}.npz", note_bytes(n))
        atomic_write(Path(target), buf.getvalue())
        return len(notes)

    @staticmethod
    def read_export(source: str | Path) -> list[TaughtNote]:
        source = Path(source)
        try:
            with zipfile.ZipFile(source) as z:
                head = json.loads(z.read("export.json").decode())
                if head.get("format") != EXPORT_FORMAT:
                    raise StoreError(f"{source} is not an export of taught notes",
                                     "teach.import_bad", path=str(source))
                if head.get("format_version") != FORMAT_VERSION:
                    raise StoreError(f"{source} has format version {head.get('format_version')!r};"
                                     f" this app reads {FORMAT_VERSION}", "teach.import_bad",
                                     path=str(source))
                members = [i for i in z.infolist()
                           if i.filename.startswith("taught/") and i.filename.endswith(".npz")]
                if any(i.file_size > MAX_NOTE_BYTES for i in members):
                    raise StoreError(f"{source} holds a note too large to be one",
                                     "teach.import_bad", path=str(source))
                return [note_from_bytes(z.read(i), i.filename) for i in members]
        except FileNotFoundError as exc:
            raise StoreError(f"{source} not found", "teach.import_missing",
                             path=str(source)) from exc
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise StoreError(f"{source} is unreadable: {exc}", "teach.import_bad",
                             path=str(source)) from exc
