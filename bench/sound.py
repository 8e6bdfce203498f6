"""3. Decision to sound: the real Announcer and speech backend, ALSA pointed at a null device.

The timing runs in a child process whose ALSA configuration (``ALSA_CONFIG_PATH``) makes the
default PCM a ``null`` device, so no loudspeaker plays 100 announcements and no sound card is
needed. The figure is monotonic time from the moment the scan session becomes sure (or from the
real key release, for a hold that ends undecided) to the moment the speech backend hands the
first buffer to the audio library (``AudioOutput.on_play_started`` / ``last_play_started``).

Limit of the method: opening a null PCM is instant; a real device (PulseAudio/PipeWire through
the ALSA plugin, or dmix) adds its own open latency on top, typically a few to tens of ms.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import REPO, Check, Section, Stats

TARGET_MEDIAN_MS = 150.0
NULL_ALSA = """# bench/sound.py: every PCM goes nowhere, instantly.
pcm.!default { type null }
ctl.!default { type hw card 0 }
"""
DENOMS = ("5", "10", "20", "50", "100", "500", "1000")


def _evidence(t: float, denomination: str | None, accepted: bool):
    from desktop_app.recognition.evidence import FrameEvidence, ModelOutput, Quality, Verification

    quality = Quality(brightness=120.0, sharpness=300.0, too_dark=False, blurred=False)
    v = Verification(denomination=denomination, side="front", inliers=20 if accepted else 6,
                     score=20.0 if accepted else 6.0, runner_up="10", runner_up_score=5.0,
                     accepted=accepted, keypoints=400)
    return FrameEvidence(t, quality, v, ModelOutput(0.9, ((denomination or "5", 0.5),)))


class _PlayClock:
    """Waits for the next buffer handed to the audio device after ``arm``."""

    def __init__(self, speech):
        self.speech = speech
        self.event = threading.Event()
        self.when: float | None = None
        self.armed = False
        outputs = {id(b.output): b.output for b in getattr(speech, "backends", []) if hasattr(b, "output")}
        self.hooked = bool(outputs)
        for output in outputs.values():
            output.on_play_started = self._played

    def _played(self, t: float) -> None:
        if self.armed:
            self.armed = False
            self.when = t
            self.event.set()

    def arm(self) -> None:
        self.when, self.armed = None, True
        self.event.clear()

    def wait(self, before: float | None, timeout: float = 10.0) -> float | None:
        if self.hooked:
            return self.when if self.event.wait(timeout) else None
        deadline = time.monotonic() + timeout  # no hook: poll the backend's timestamp
        while time.monotonic() < deadline:
            now = self.speech.last_play_started
            if now is not None and now != before:
                return now
            time.sleep(0.0005)
        return None


def _hold(announcer, clock: _PlayClock, denomination: str, mode: str) -> tuple[float | None, str]:
    """One hold with the real ScanSession at 30 fps; returns (latency s, what was said)."""
    from desktop_app.scanning.session import ScanSession

    session = ScanSession()
    period = 1 / 30
    pressed = time.monotonic()
    for event in session.press(pressed):
        if event.kind == "started":
            announcer.scan_started()
    released = None
    start_of_timing = None
    said = ""
    latency = None
    next_frame = pressed + period
    while time.monotonic() - pressed < 5.0:
        time.sleep(max(0.0, next_frame - time.monotonic()))
        next_frame += period
        now = time.monotonic()
        if mode == "release" and released is None and now - pressed >= session.th.tap_burst + 0.1:
            released = now  # the real key release; the session confirms it after its grace
            session.release(released)
        accepted = mode == "sure"
        for event in session.add(_evidence(now, denomination if accepted else "20", accepted)):
            if event.kind != "decision":
                continue
            sure_at = time.monotonic()
            start_of_timing = released if mode == "release" else sure_at
            before = announcer.speech.last_play_started
            clock.arm()
            message = announcer.announce(event.decision)
            played = clock.wait(before)
            said = message.key
            latency = None if played is None else played - start_of_timing
        if start_of_timing is not None:
            break
    if released is None:
        session.release(time.monotonic())
    announcer.stop()
    return latency, said


def child(holds: int, release_holds: int, en_holds: int, out: Path) -> None:
    from desktop_app.voice.announcer import Announcer
    from desktop_app.voice.phrases import PhraseCatalogue
    from desktop_app.voice.fallback import make_speech

    result: dict = {"errors": []}
    speech = make_speech()
    result["backends"] = [type(b).__name__ for b in getattr(speech, "backends", [])]
    failures: list[str] = []
    speech.on_unavailable = lambda exc: failures.append(str(exc))
    announcer = Announcer(PhraseCatalogue.load(), speech, language="ne")
    announcer.screen_text.append(lambda m: failures.append(m.text) if m.key == "audio.failed" else None)
    clock = _PlayClock(speech)
    for name, count, mode, lang in (("sure_ne", holds, "sure", "ne"), ("release_ne", release_holds, "release", "ne"),
                                    ("sure_en_tts", en_holds, "sure", "en")):
        announcer.language = lang
        runs = []
        for i in range(count):
            latency, said = _hold(announcer, clock, DENOMS[i % len(DENOMS)], mode)
            runs.append({"latency": latency, "said": said})
        result[name] = runs
    result["errors"] = failures
    speech.close()
    out.write_text(json.dumps(result))


def run_sound(quick: bool) -> Section:
    sec = Section("3", "Decision to first audio sample (real Announcer + make_speech, ALSA null device)")
    try:
        from desktop_app.voice.fallback import make_speech  # noqa: F401
        from desktop_app.voice.output import player
    except ImportError as exc:
        return sec.skip(f"speech backend cannot be imported ({exc})")
    if player is None:
        return sec.skip("the audio library is not installed")
    holds, release_holds, en_holds = (15, 5, 8) if quick else (56, 50, 21)
    with tempfile.TemporaryDirectory(prefix="ncr-bench-alsa-") as tmp:
        conf = Path(tmp) / "asound.conf"
        conf.write_text(NULL_ALSA)
        out = Path(tmp) / "sound.json"
        env = dict(os.environ, ALSA_CONFIG_PATH=str(conf), PYTHONPATH=str(REPO))
        cmd = [sys.executable, "-m", "bench.sound", "--child", str(holds), str(release_holds), str(en_holds), str(out)]
        try:
            proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            return sec.skip("the speech child did not finish in 10 minutes")
        if proc.returncode != 0 or not out.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return sec.skip(f"speech child failed (rc {proc.returncode}): {' | '.join(tail)}")
        data = json.loads(out.read_text())
    sec.note(f"ALSA: default PCM = null (ALSA_CONFIG_PATH); speech backends: {', '.join(data['backends']) or 'none'}")
    if data["errors"]:
        sec.note(f"audio errors reported: {sorted(set(data['errors']))[:3]}")
    labels = {"sure_ne": "sure -> sound, Nepali clips (key held)",
              "release_ne": "key release -> sound, undecided hold (incl. 80 ms release grace)",
              "sure_en_tts": "sure -> sound, English TTS"}
    for name, label in labels.items():
        runs = data.get(name, [])
        times = [r["latency"] for r in runs if r["latency"] is not None]
        missing = len(runs) - len(times)
        said = sorted({r["said"] for r in runs})
        if not times:
            sec.partly(f"{label}: no audio reached the device in {len(runs)} holds")
            continue
        stats = Stats.of_seconds(times)
        sec.figures[label] = stats
        sec.note(f"{name}: said {said[:4]}{'...' if len(said) > 4 else ''}; {missing} holds without sound")
        if name.startswith("sure") and missing == 0 and len(times) > len(DENOMS):
            # Holds cycle through the 7 values: the first 7 load (or synthesise) each phrase.
            sec.figures["  first time each phrase (uncached)"if name == "sure_ne" else
                        "  first time each phrase (synthesised)"] = Stats.of_seconds(times[: len(DENOMS)])
            sec.figures["  repeats (cached)" if name == "sure_ne" else "  repeats (cached audio)"] = \
                Stats.of_seconds(times[len(DENOMS):])
    main = sec.figures.get(labels["sure_ne"])
    if main is not None:
        sec.checks.append(Check("decision to sound, Nepali (median)", main.median, TARGET_MEDIAN_MS, "ms",
                                why_missed="clip loading or time-stretching on the UI path; pre-load clips at start"))
        rel = sec.figures.get(labels["release_ne"])
        if rel is not None:
            sec.figures["release->sound / sure->sound (median)"] = round(rel.median / max(main.median, 1e-6), 1)
    # Judged on the holds that had to synthesise: the cached repeats would flatter TTS.
    en = sec.figures.get("  first time each phrase (synthesised)") or sec.figures.get(labels["sure_en_tts"])
    if en is not None:
        sec.checks.append(Check("decision to sound, English TTS, uncached (median)", en.median, TARGET_MEDIAN_MS, "ms",
                                why_missed="espeak-ng synthesises the sentence before the first sample; "
                                           "pre-synthesise the fixed result phrases at start-up"))
    return sec


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=4, metavar=("HOLDS", "RELEASE_HOLDS", "EN_HOLDS", "OUT"), required=True)
    args = parser.parse_args()
    h, r, e, o = args.child
    child(int(h), int(r), int(e), Path(o))
