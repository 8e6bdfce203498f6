"""The Done-when checks for the prerecorded Nepali clips in sounds/."""
import json
import shutil
import subprocess
import sys
import wave

import pytest

from desktop_app.voice.audio import SAMPLE_RATE, dbfs, edge_silence_s, read_wav
from desktop_app.voice.phrases import PhraseCatalogue
from desktop_app.paths import REPO_ROOT

SOUNDS = REPO_ROOT / "sounds"
MAX_CLIP_S = 2.5
# Phrases whose words cannot be said in 2.5 s: the greeting, the spoken help, the terminal
# mode's instructions (a list of keys, a question with two answers) and the start-up notices
# about speech (what is missing and what to do).
LONG_CLIPS = {"welcome": 6.0, "help": 23.5, "help.kiosk": 21.0, "console.keys": 9.0, "console.ask_source": 8.0,
              "console.no_terminal": 6.0, "voice.missing.ne": 6.5, "voice.missing.en": 6.0,
              "sound.clip_missing": 6.0, "sound.clip_broken": 6.0}
# Teach mode walks a person through steps with no screen: each says what to do and why.
LONG_CLIPS.update({"teach.bad_key": 4.5, "teach.busy": 3.5, "teach.cancelled": 4.0, "teach.locked": 4.5,
                   "teach.no_note": 6.0, "teach.other_side": 4.5, "teach.partial": 4.5, "teach.plain": 3.5,
                   "teach.refused.different": 7.0, "teach.refused.foreign": 5.5, "teach.refused.no_views": 4.0,
                   "teach.refused.not_distinct": 4.5, "teach.same_note": 4.5, "teach.start": 14.5,
                   "teach.unavailable": 4.5,
                   "teach.turn_over": 4.5, "teach.preparing": 5.5})
MIN_RMS_DBFS = -35.0  # far above silence, far below the -20 dBFS target
MAX_EDGE_SILENCE_S = 0.05


@pytest.fixture(scope="module")
def catalogue():
    return PhraseCatalogue.load(sounds_dir=SOUNDS)


@pytest.fixture(scope="module")
def manifest():
    return json.loads((SOUNDS / "manifest.json").read_text(encoding="utf-8"))


def fixed_keys(catalogue):
    return [k for k in catalogue.keys() if not catalogue.phrase(k).params]


def test_every_fixed_phrase_has_a_clip(catalogue):
    missing = [k for k in fixed_keys(catalogue) if not (catalogue.clip_path(k) and catalogue.clip_path(k).is_file())]
    assert not missing


def test_no_stray_clips(catalogue):
    named = {catalogue.clip_path(k).resolve() for k in fixed_keys(catalogue)}
    stray = [p.name for p in (SOUNDS / "ne").glob("*.wav") if p.resolve() not in named]
    assert not stray


def test_manifest_matches_catalogue(catalogue, manifest):
    entries = {c["key"]: c for c in manifest["clips"]}
    assert set(entries) == set(fixed_keys(catalogue))
    for key, entry in entries.items():
        assert entry["file"] == catalogue.phrase(key).clip
        assert entry["text"] == catalogue.phrase(key).text["ne"], f"{key}: clip is stale, rerun make_sounds.py"
    assert manifest["format"] == {"channels": 1, "sample_rate": SAMPLE_RATE, "sample_width_bits": 16,
                                  "encoding": "PCM WAV"}


def _clip_paths():
    catalogue = PhraseCatalogue.load(sounds_dir=SOUNDS)
    return [(k, catalogue.clip_path(k)) for k in fixed_keys(catalogue)]


@pytest.mark.parametrize("key, path", _clip_paths(), ids=lambda v: v if isinstance(v, str) else "")
def test_clip_format_loudness_trim_and_length(key, path):
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SAMPLE_RATE)
    samples = read_wav(path)
    level = dbfs(samples)
    assert level > MIN_RMS_DBFS, f"{path.name} is (nearly) silent: {level:.1f} dBFS"
    assert abs(level - (-20.0)) < 1.5, f"{path.name} not normalised: {level:.1f} dBFS"
    lead, tail = edge_silence_s(samples)
    assert lead <= MAX_EDGE_SILENCE_S and tail <= MAX_EDGE_SILENCE_S, f"{path.name} not trimmed: {lead:.3f}/{tail:.3f} s"
    seconds = samples.size / SAMPLE_RATE
    assert 0.3 < seconds <= LONG_CLIPS.get(key, MAX_CLIP_S), f"{path.name}: {seconds:.2f} s"


def test_long_clip_exceptions_are_really_long(catalogue):
    """An exception that no longer needs to be one should be removed from LONG_CLIPS."""
    for key in LONG_CLIPS:
        assert read_wav(catalogue.clip_path(key)).size / SAMPLE_RATE > MAX_CLIP_S


def _espeak_version():
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout
    return out.split("Data at")[0].strip()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_script_regenerates_equivalent_clips(tmp_path, manifest):
    keys = ["note.500", "result.unsure"]
    proc = subprocess.run([sys.executable, str(SOUNDS / "make_sounds.py"), "--out", str(tmp_path), "--only", *keys],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    same_tool = manifest["generator"]["tool"] == _espeak_version()
    for key in keys:
        entry = next(c for c in manifest["clips"] if c["key"] == key)
        shipped, fresh = SOUNDS / entry["file"], tmp_path / entry["file"]
        if entry.get("source") == "recorded":
            continue  # a human recording replaced the synthetic clip
        if same_tool:
            assert fresh.read_bytes() == shipped.read_bytes(), f"{key} not reproducible"
        else:  # another espeak-ng version: the same words, the same processing
            a, b = read_wav(shipped), read_wav(fresh)
            assert abs(a.size - b.size) / a.size < 0.15 and abs(dbfs(a) - dbfs(b)) < 1.0
    fresh_manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert [c["key"] for c in fresh_manifest["clips"]] == keys
