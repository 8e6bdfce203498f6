#!/usr/bin/env python3
"""Make the prerecorded Nepali clips in sounds/ne/ from the phrase catalogue.

    .venv/bin/python sounds/make_sounds.py                 # every fixed phrase
    .venv/bin/python sounds/make_sounds.py --only note.500 welcome --out /tmp/x

Each phrase without params is spoken by espeak-ng's Nepali voice (``-v ne``), then trimmed of
leading/trailing silence, inner pauses shortened to 0.15 s, normalised to one loudness, and written as mono 16-bit 22050 Hz WAV
at the path the catalogue names. ``manifest.json`` records what each clip says.

A human recording can replace any clip: put the WAV at the catalogue's path and mark its
manifest entry ``"source": "recorded"``; reruns then leave it alone (``--force`` overwrites).
The steps are deterministic: the same espeak-ng version gives byte-identical files.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from desktop_app.voice.audio import (  # noqa: E402
    SAMPLE_RATE, dbfs, normalise, read_wav, shorten_pauses, trim_silence, write_wav,
)
from desktop_app.voice.phrases import PhraseCatalogue  # noqa: E402
from desktop_app.paths import PHRASES_FILE  # noqa: E402

SOUNDS_DIR = Path(__file__).resolve().parent
VOICE = "ne"
ESPEAK_SPEED_WPM = 175  # espeak-ng default; users can slow clips with the rate setting


def espeak_version() -> str:
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=True).stdout
    return out.split("Data at")[0].strip()


def synthesise(text: str, wav_path: Path) -> None:
    # Text goes through stdin so no argument parsing can touch it.
    subprocess.run(["espeak-ng", "-v", VOICE, "-s", str(ESPEAK_SPEED_WPM), "-w", str(wav_path), "--stdin"],
                   input=text.encode("utf-8"), check=True, capture_output=True)


def make_clip(text: str, out_path: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        synthesise(text, raw)
        samples = read_wav(raw, SAMPLE_RATE)
    samples = normalise(shorten_pauses(trim_silence(samples, SAMPLE_RATE), SAMPLE_RATE))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(out_path, samples, SAMPLE_RATE)
    written = read_wav(out_path, SAMPLE_RATE)
    return {"duration_s": round(written.size / SAMPLE_RATE, 3), "rms_dbfs": round(dbfs(written), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SOUNDS_DIR, help="sounds directory to write (default: this one)")
    parser.add_argument("--phrases", type=Path, default=PHRASES_FILE)
    parser.add_argument("--only", nargs="+", metavar="KEY", help="only these phrase keys")
    parser.add_argument("--force", action="store_true", help="also overwrite clips marked as recorded")
    args = parser.parse_args(argv)

    if shutil.which("espeak-ng") is None:
        parser.error("espeak-ng is not installed (apt install espeak-ng)")
    catalogue = PhraseCatalogue.load(args.phrases, sounds_dir=args.out)
    manifest_path = args.out / "manifest.json"
    old = {}
    if manifest_path.exists():
        old = {c["key"]: c for c in json.loads(manifest_path.read_text(encoding="utf-8"))["clips"]}

    keys = [k for k in catalogue.keys() if catalogue.phrase(k).clip]
    if args.only:
        unknown = [k for k in args.only if k not in keys]
        if unknown:
            parser.error(f"not fixed phrases with a clip in {args.phrases}: {unknown}")
        keys = args.only

    entries = dict(old)
    for key in keys:
        phrase = catalogue.phrase(key)
        text = phrase.text["ne"]
        out_path = catalogue.clip_path(key)
        previous = old.get(key)
        if previous and previous.get("source") == "recorded" and not args.force and out_path.exists():
            print(f"keep   {phrase.clip} (recorded)")
            continue
        stats = make_clip(text, out_path)
        entries[key] = {"key": key, "file": phrase.clip, "text": text, "source": "espeak-ng", **stats}
        print(f"made   {phrase.clip}  {stats['duration_s']:.2f} s  {stats['rms_dbfs']:.1f} dBFS")

    # Drop entries for phrases that no longer have a clip, keep catalogue order.
    ordered = [entries[k] for k in catalogue.keys() if k in entries and catalogue.phrase(k).clip]
    manifest = {
        "format": {"channels": 1, "sample_rate": SAMPLE_RATE, "sample_width_bits": 16, "encoding": "PCM WAV"},
        "generator": {"tool": espeak_version(), "voice": VOICE, "speed_wpm": ESPEAK_SPEED_WPM,
                      "script": "sounds/make_sounds.py"},
        "clips": ordered,
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote  {manifest_path} ({len(ordered)} clips)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
