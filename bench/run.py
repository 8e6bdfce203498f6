"""Runs every speed benchmark, prints one table and writes bench/results.json.

    python bench/run.py            # full run (several minutes: VGG19 is timed 400 times)
    python bench/run.py --quick    # fewer iterations, for a smoke test
    python bench/run.py --only 2,3 # some sections (results.json then holds only these)
    python bench/run.py --only 1 --merge   # re-measure section 1; the other sections stay as recorded
    python bench/run.py --only 7,8 --merge # teach mode: start-up merge with 50 taught notes, teach time

Each section degrades to "skipped: why" when a piece it needs is missing, so the run always
completes. Every ratio a section prints is of figures it measured side by side in that one run;
each section records the command and time it was measured with, so a merged results.json never
passes off figures of different runs as one. Compare the ratios, not absolute times across runs.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import REPO, Section, machine_info, render  # noqa: E402

SECTIONS = ("1", "2", "3", "4", "5", "6", "7", "8")


def _guard(key: str, title: str, fn, *args) -> list[Section]:
    """A crash in one section is reported as that section failing; the others still run."""
    try:
        out = fn(*args)
    except Exception as exc:  # noqa: BLE001 - the run must always complete
        sec = Section(key, title, status="failed")
        sec.note(f"failed: {type(exc).__name__}: {exc}")
        sec.extra["traceback"] = traceback.format_exc().splitlines()[-6:]
        return [sec]
    return out if isinstance(out, list) else [out]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations (smoke test)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections, e.g. 1,3")
    parser.add_argument("--synthetic", action="store_true",
                        help="use synthetic notes and gallery even when the shared photos exist")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument("--merge", action="store_true",
                        help="replace only the sections run now in an existing --out file")
    args = parser.parse_args(argv)
    wanted = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = wanted - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {sorted(unknown)}; choose from {', '.join(SECTIONS)}")

    from bench.inference import run_inference
    from bench.live_app import run_live_app
    from bench.pipeline import Missing, load_pipeline
    from bench.scenes import clear_note, note_scene
    from bench.sound import run_sound
    from bench.teach import run_teach
    from bench.verification import run_preprocessing, run_verification

    started = time.monotonic()
    note = clear_note(args.synthetic)
    print(f"clear-note frames: {note.source if note else 'none available'}", flush=True)
    frame = note_scene(note, (640, 480)) if note is not None else None
    sections: list[Section] = []
    pipeline, why = None, ""
    workdir = tempfile.TemporaryDirectory(prefix="ncr-bench-")  # stand-in galleries live here
    tmp = Path(workdir.name)
    if wanted & {"1", "2", "4", "5", "6"}:
        try:
            synthetic = note is not None and note.ref_id is None
            pipeline = load_pipeline(tmp=tmp, synthetic=synthetic)
        except Missing as exc:
            why = str(exc)
        except Exception as exc:  # noqa: BLE001
            why = f"{type(exc).__name__}: {exc}"
        if why:
            print(f"recognizer: not available ({why})", flush=True)

    def skipped(key, title):
        return Section(key, title).skip(f"recognizer not available: {why}")

    plan = [
        ("1", "Inference per frame",
         lambda: run_inference(args.quick, frame, pipeline.recognizer if pipeline else None)),
        ("2", "Verification per frame and press-to-decision",
         lambda: run_verification(args.quick, pipeline, note) if pipeline else skipped("2", "Verification")),
        ("3", "Decision to sound", lambda: run_sound(args.quick)),
        ("4", "Preview frame rate / 5. Cold start and RSS",
         lambda: run_live_app(args.quick, note, pipeline.gallery_path if pipeline else None)),
        ("6", "Preprocessing and profile",
         lambda: run_preprocessing(args.quick, pipeline, note) if pipeline else skipped("6", "Preprocessing")),
        ("7", "Teach: start-up merge / 8. Ctrl+T to saved (headless)",
         lambda: run_teach(args.quick, args.synthetic)),
    ]
    for key, title, fn in plan:
        if key not in wanted and not (key == "4" and "5" in wanted or key == "7" and "8" in wanted):
            continue
        print(f"-- running section {key}: {title} ...", flush=True)
        t = time.monotonic()
        for sec in _guard(key, title, fn):
            if sec.key in wanted:
                sections.append(sec)
        print(f"   done in {time.monotonic() - t:.0f} s", flush=True)
    sections.sort(key=lambda s: s.key)

    print()
    print(render(sections))
    for sec in sections:
        profile = sec.extra.get("profile_one_scan")
        if profile:
            print(f"\n== {sec.key}. Profile of one scan (top entries by cumulative time)")
            print("\n".join("   " + line for line in profile))
    run = dict(
        command="python bench/run.py" + (" --quick" if args.quick else "")
        + (" --synthetic" if args.synthetic else "")
        + ("" if wanted == set(SECTIONS) else f" --only {','.join(sorted(wanted))}"),
        when=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        seconds=round(time.monotonic() - started, 1),
        machine=machine_info(),
        clear_note=note.source if note else None,
    )
    result = merge(json.loads(args.out.read_text()) if args.merge and args.out.is_file() else None,
                   run, [s.as_dict() for s in sections])
    workdir.cleanup()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"\nwrote {os.path.relpath(args.out, Path.cwd())} in {run['seconds']:.0f} s", flush=True)
    return 0


def merge(previous: dict | None, run: dict, sections: list[dict]) -> dict:
    """The results file: this run's sections, each stamped with the run that measured it, over
    (with ``previous``) the sections of earlier runs that were not run again."""
    stamp = {k: run[k] for k in ("command", "when", "machine", "clear_note")}
    fresh = [dict(s, run=stamp) for s in sections]
    if previous is None:
        return dict(run, sections=fresh)
    again = {s["key"] for s in fresh}
    older = [dict(s, run=s.get("run") or {k: previous.get(k) for k in stamp})
             for s in previous.get("sections", []) if s["key"] not in again]
    return dict(run, sections=sorted(older + fresh, key=lambda s: s["key"]))


if __name__ == "__main__":
    raise SystemExit(main())
