"""7. Teach mode: the merge at start-up with many taught notes; 8. teaching time on a video.

7. ``NOTES`` taught notes (6 views each, as the window teaches: 3 per side) are written to a
user store; their views are made from real photos (shared data, each view a different seeded
perspective and exposure of a photo's note) or from synthetic notes. Measured: the start-up
merge (``Teacher.gallery()`` cold: ``sharing.merge`` and the cache write), the next start-up
(warm: a new Teacher finds the cached merge), and, in a fresh process each, the verifier build
time and peak RSS with the shipped gallery alone and with the merged one.

8. Teaching time from Ctrl+T to saved, HEADLESS: the Qt teach flow is not measured here.
A video source (``sources.video.VideoSource``; two clips made from a shared photo's note, its
front and its back, lying on a table with the hand moving a little) feeds ``TeachSession`` at
the live evaluation rate (``timing.EVAL_INTERVAL``) with simulated key times; every evaluated
frame goes through ``views.examine``, and the session's request through ``Teacher.learn``.
Collection is video time (what the person waits while holding Space); the check is wall time.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from bench.common import REPO, Section, Stats
from desktop_app.paths import DEFAULT_GALLERY, DEFAULT_NEGATIVES

NOTES, QUICK_NOTES = 50, 2
VIEWS_PER_NOTE = 6
# Simulated person: the value key after hearing the prompt, Space after the value is said back,
# and the turn of the note (release, turn over, press again) when told to.
KEY_VALUE, KEY_SPACE, TURN = 1.5, 1.0, 2.0
CLIP_SECONDS, CLIP_FPS, MOVE_EVERY = 6.0, 30.0, 0.3
SCENE, FILL = (640, 480), 0.7  # the clips' frame size, and the note's share of it


def note_images(synthetic: bool) -> list[tuple[np.ndarray, str, str, str]]:
    """(flat note BGR, value, side, where from): whole notes of the shared photos, else
    synthetic notes of every value."""
    from bench.scenes import NPR, flatten

    if not synthetic:
        try:
            from training.data import load_manifest

            items = [it for it in load_manifest(NPR) if it.kind == "photo" and it.corners
                     and len(it.corners) == 4]
        except FileNotFoundError:
            items = []
        out = []
        for it in items:
            image = cv2.imread(str(NPR / it.file), cv2.IMREAD_COLOR)
            flat = flatten(image, it.corners) if image is not None else None
            if flat is not None:
                out.append((flat, it.denomination, it.side, it.file))
        if out:
            return out
    from tests.builders.notes import synthetic_note

    return [(synthetic_note(d, s), d, s, f"synthetic {d} {s}")
            for d in ("5", "10", "20", "50", "100", "500", "1000") for s in ("front", "back")]


def augmented_view(flat: np.ndarray, side: str, rng: np.random.Generator):
    """A view of the note as one more teach picture: seeded perspective, scale and exposure."""
    from desktop_app.teaching.views import view_from_quad

    h, w = flat.shape[:2]
    pad = int(0.15 * max(w, h))
    canvas = cv2.copyMakeBorder(flat, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(60, 90, 120))
    quad = np.float32([[pad, pad], [pad + w, pad], [pad + w, pad + h], [pad, pad + h]])
    moved = quad + rng.uniform(-0.04, 0.04, quad.shape).astype(np.float32) * max(w, h)
    H = cv2.getPerspectiveTransform(quad, moved)
    image = cv2.warpPerspective(canvas, H, canvas.shape[1::-1])
    image = cv2.convertScaleAbs(image, alpha=rng.uniform(0.8, 1.15), beta=rng.uniform(-15, 15))
    return view_from_quad(image, moved, side).view


def taught_notes(count: int, synthetic: bool, seed: int = 5) -> tuple[list, str]:
    from desktop_app.teaching.store import TaughtNote, now_iso

    sources = note_images(synthetic)
    rng = np.random.default_rng(seed)
    notes = []
    for i in range(count):
        flat, value, side, _ = sources[i % len(sources)]
        views = []
        while len(views) < VIEWS_PER_NOTE:
            v = augmented_view(flat, side, rng)
            if v is not None:
                views.append(v)
        notes.append(TaughtNote(f"{value}-20260101-{i:06d}-be0c", value, now_iso(), tuple(views), "files"))
    kind = "synthetic notes" if sources[0][3].startswith("synthetic") else "shared photos"
    return notes, f"{count} taught notes x {VIEWS_PER_NOTE} views from {len(sources)} {kind}"


# Peak RSS is the child's VmHWM: Linux carries ru_maxrss over exec from the parent (which
# here holds the 50 notes), so getrusage in the child would report the parent's peak.
_CHILD = """
import json, sys, time
from desktop_app.recognition.gallery import ReferenceGallery
from desktop_app.recognition.verifier import Verifier
g = ReferenceGallery.load(sys.argv[1])
t = time.perf_counter(); v = Verifier(g); build = time.perf_counter() - t
hwm = [int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM')]
print(json.dumps(dict(build_s=build, peak_rss_mb=hwm[0] / 1024 if hwm else float('nan'),
                      keypoints=len(g.points))))
"""


def fresh_process(gallery: Path) -> dict:
    """Loads ``gallery`` and builds its verifier in a new Python, as a start-up does."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(gallery)], capture_output=True,
                         text=True, cwd=REPO, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def shipped_gallery(tmp: Path, synthetic: bool) -> tuple[Path, str]:
    if not synthetic and DEFAULT_GALLERY.is_file():
        return DEFAULT_GALLERY, "shipped gallery"
    from tests.builders.notes import synthetic_gallery

    path = tmp / "synthetic_gallery.npz"
    synthetic_gallery().save(path)
    return path, "synthetic gallery"


def run_merge(quick: bool, synthetic: bool, tmp: Path) -> Section:
    from desktop_app.recognition.gallery import ReferenceGallery
    from desktop_app.teaching.store import UserStore
    from desktop_app.teaching.teacher import Teacher

    sec = Section("7", "Teach: start-up merge with taught notes")
    path, label = shipped_gallery(tmp, synthetic)
    shipped = ReferenceGallery.load(path)
    notes, made = taught_notes(QUICK_NOTES if quick else NOTES, synthetic)
    store = UserStore(tmp / "data")
    for n in notes:
        store.add(n)
    sec.note(f"{label}: {len(shipped)} references, {len(shipped.points)} keypoints; {made}")
    t = time.perf_counter()
    merged = Teacher(store, shipped, shipped_path=path).gallery()
    cold = time.perf_counter() - t
    t = time.perf_counter()
    again = Teacher(store, shipped, shipped_path=path).gallery()  # the next start-up
    warm = time.perf_counter() - t
    cache = sorted((store.root / "cache").glob("merged-*.npz"))
    if len(again.points) != len(merged.points) or not cache:
        raise RuntimeError("the second start-up did not reuse the cached merge")
    alone, with_taught = fresh_process(path), fresh_process(cache[0])
    sec.figures.update({
        "taught notes": len(notes),
        "keypoints shipped / merged": f"{len(shipped.points)} / {len(merged.points)}",
        "merge at start-up, cold (s)": cold,
        "next start-up, cached merge (s)": warm,
        "cold / warm": cold / warm,
        "verifier build, shipped alone (s)": alone["build_s"],
        "verifier build, merged (s)": with_taught["build_s"],
        "verifier build merged / alone": with_taught["build_s"] / alone["build_s"],
        "peak RSS, shipped alone (MB)": alone["peak_rss_mb"],
        "peak RSS, merged (MB)": with_taught["peak_rss_mb"],
        "peak RSS merged / alone": with_taught["peak_rss_mb"] / alone["peak_rss_mb"],
        "merge cache file (MB)": cache[0].stat().st_size / 1e6,
    })
    sec.note("notes are written to the store directly (no teach checks): this measures the merge")
    return sec


class _Voice:
    """What the session would say, kept instead of spoken."""

    def __init__(self):
        self.said: list[str] = []

    def say(self, key, **_params):
        self.said.append(key)

    error = say

    def tone(self, name):
        self.said.append(f"tone:{name}")


def _outlined(flat: np.ndarray, value: str, side: str) -> bool:
    """Whether the outline finder finds this note lying on the clips' table."""
    from bench.scenes import NoteImage, note_scene
    from desktop_app.teaching.views import examine

    scene = note_scene(NoteImage(flat, value, side), SCENE, fill=FILL, angle=3.0, seed=0)
    return examine(scene, side).view is not None


def clip_notes(synthetic: bool) -> tuple[tuple, tuple, str]:
    """A front and a back of one value that the outline finder finds on the table (a note it
    cannot outline cannot be taught at all, whatever the time); says which were passed over."""
    firsts: dict[tuple[str, str], tuple] = {}
    missed = []
    for src in note_images(synthetic):
        flat, value, side, where = src
        if (value, side) in firsts:
            continue
        if not _outlined(flat, value, side):
            missed.append(where)
            continue
        firsts[(value, side)] = src
        other = firsts.get((value, "back" if side == "front" else "front"))
        if other is not None:
            front, back = (src, other) if side == "front" else (other, src)
            return front, back, (f"outline not found on the table for {len(missed)} note(s) "
                                 f"tried first: {', '.join(missed) or '-'}")
    raise RuntimeError(f"the outline finder found no value's front and back ({len(missed)} tried)")


def teach_clips(tmp: Path, synthetic: bool) -> tuple[list[Path], str, str, str]:
    """A front clip and a back clip of one value, the hand moving every MOVE_EVERY s."""
    from bench.scenes import NoteImage, camera_jitter, note_scene
    from tests.builders.video import write_video

    front, back, passed_over = clip_notes(synthetic)
    clips = []
    per_move = int(MOVE_EVERY * CLIP_FPS)
    for side, (flat, value, _s, _) in (("front", front), ("back", back)):
        note = NoteImage(flat, value, side)
        frames = []
        for move in range(int(CLIP_SECONDS / MOVE_EVERY)):
            scene = note_scene(note, SCENE, fill=FILL, angle=3.0 + move % 4, seed=move)
            frames += camera_jitter(scene, per_move, seed=move)
        clips.append(write_video(tmp / f"teach-{side}.avi", frames, CLIP_FPS))
    return clips, front[1], f"{front[3]} / {back[3]}", passed_over


def run_teach_video(quick: bool, synthetic: bool, tmp: Path) -> Section:
    from desktop_app.recognition.evidence import DENOMINATIONS
    from desktop_app.recognition.gallery import ReferenceGallery
    from desktop_app.sources.video import VideoSource
    from desktop_app.teaching.checks import Negatives
    from desktop_app.teaching.session import CHECKING, COLLECTING, TeachSession
    from desktop_app.teaching.store import UserStore
    from desktop_app.teaching.teacher import Teacher
    from desktop_app.teaching.views import examine
    from desktop_app.timing import EVAL_INTERVAL

    sec = Section("8", "Teach: Ctrl+T to saved on a video source (headless path)")
    clips, value, where, passed_over = teach_clips(tmp, synthetic)
    path, label = shipped_gallery(tmp, synthetic)
    negatives = (Negatives.load(DEFAULT_NEGATIVES) if DEFAULT_NEGATIVES.is_file() and not synthetic
                 else Negatives([], []))
    teacher = Teacher(UserStore(tmp / "teach-data"), ReferenceGallery.load(path),
                      shipped_path=path, negatives=negatives)
    teacher.verifier()  # built at start-up in the app, not when Ctrl+T is pressed
    voice = _Voice()
    session = TeachSession(voice)
    session.start()  # Ctrl+T at video time 0
    session.choose(DENOMINATIONS.index(value) + 1)
    now, request, examine_s, evaluated = KEY_VALUE, None, [], 0
    side_started, side_ended = [], []
    for clip in clips:
        if request is not None:
            break
        now += KEY_SPACE if clip == clips[0] else TURN
        session.press(now)
        side_started.append(now)
        source, start, next_eval = VideoSource(clip), now, now
        while session.state == COLLECTING and (frame := source.read()) is not None:
            t = start + frame.t
            if t < next_eval:
                continue
            next_eval += EVAL_INTERVAL
            started = time.perf_counter()
            found = examine(frame.image, "front")
            examine_s.append(time.perf_counter() - started)
            evaluated += 1
            request = session.add(found, t)
            now = t
        source.close()
        side_ended.append(now)
        if session.state == COLLECTING:
            raise RuntimeError(f"the clip ended before the session kept its views "
                               f"(it said {voice.said[-3:]})")
    if session.state != CHECKING or request is None:
        raise RuntimeError(f"teach session ended in state {session.state} ({voice.said[-3:]})")
    started = time.perf_counter()
    outcome = teacher.learn(request.value, request.views, origin="window")
    check = time.perf_counter() - started
    session.finish(outcome)
    sec.note("HEADLESS path: TeachSession + views.examine + Teacher.learn driven by a video "
             "source; the Qt window's teach flow is not measured")
    sec.note(f"note: {where} (Rs {value}); {label}; {len(negatives)} negatives; "
             f"simulated keys: value {KEY_VALUE} s after Ctrl+T, Space {KEY_SPACE} s later, "
             f"turn-over {TURN} s; frames examined every {EVAL_INTERVAL} s")
    sec.note(passed_over)
    sec.figures.update({
        "outcome": outcome.key + (f" ({outcome.detail})" if outcome.detail else ""),
        "frames examined": evaluated,
        "examine per frame": Stats.of_seconds(examine_s),
        "examine median / EVAL_INTERVAL": float(np.median(examine_s)) / EVAL_INTERVAL,
        **{f"collecting side {i + 1} (video s)": end - begin
           for i, (begin, end) in enumerate(zip(side_started, side_ended))},
        "Ctrl+T to checking (video s)": now,
        "check and save, Teacher.learn (wall s)": check,
        "Ctrl+T to saved (s)": now + check,
    })
    if not outcome.ok:
        sec.status = "partial"
    if quick:
        sec.note("quick mode: the same flow (it is short)")
    return sec


def run_teach(quick: bool, synthetic: bool = False) -> list[Section]:
    """Both sections; a failure in one is reported as that section failing, the other stays."""
    from bench.run import _guard

    out: list[Section] = []
    with tempfile.TemporaryDirectory(prefix="ncr-bench-teach-") as tmp:
        out += _guard("7", "Teach: start-up merge with taught notes", run_merge, quick,
                      synthetic, Path(tmp))
        out += _guard("8", "Teach: Ctrl+T to saved on a video source (headless path)",
                      run_teach_video, quick, synthetic, Path(tmp))
    return out
