"""Soak: the real window (``build_app``, offscreen) scanning for thousands of holds while its camera
stalls, fails and comes back; RSS, threads, open fds and scan latency are sampled every ``--every``
scans and must stay flat. Also the idle CPU of previewing without scanning.

To fit 10,000 scans on a shared 2-core machine, recognition uses the tiny test model and synthetic
gallery of ``tests/builders`` on a generated 320x240 looping video (a hold decides on one strong
frame). Window, scan loop, source owner, capture and recognition threads and Announcer are the real
ones; speech is the tests' SpeechSpy. Each block of scans runs half on the video, half on a fake
camera opened through the window (``use_camera``; its source owner's ``opener`` and
``camera_factory`` point at the fake), which after a few good seconds each time in turn stalls in
read() below and above the window's stall limit, raises, and returns None (unplugged) for a while.
Holds are real QKeyEvents (press, autorepeat pairs every 50 ms, release) sent to the window. Each
sample is taken with the video playing and no capture thread retiring, so the counts compare.

Usage: python -m bench.soak [--scans N] [--quick] [--every M] [--warmup W] [--idle S] [--out JSON]
"""
from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from bench.common import Stats  # (also puts the repository on sys.path, for tests.*)
from desktop_app.sources.base import Frame
from desktop_app.sources.frames import open_source

SIZE = (320, 240)  # the scanned video and camera frames
IDLE_SIZE = (640, 480)  # the idle-CPU preview, at a real webcam's size
FPS = 30.0
NOTES = ("100", "500", "1000")  # the synthetic gallery
VIDEO_NOTE, CAMERA_NOTE = "500", "1000"
HOLD_TIMEOUT = 12.0  # longer than the app's own longest hold: a hold with no answer by then is a hang
AUTOREPEAT = 0.05
AFTER_PROBLEM = 0.3  # a user who hears "the camera stalled" pauses before trying again
QUIET_WAIT = 8.0  # longest wait, before a sample, for a stalled read to return
RSS_LIMIT = 0.05
# The fault rotation: (kind, seconds). A stall below the window's READ_STALL (2 s) is a hiccup it
# rides out; above it the window says "stalled" and looks for the camera again.
FAULTS = (("stall", 1.2), ("raise", 0.0), ("stall", 3.5), ("lost", 1.5))


def _stats(seconds: list[float]) -> dict:
    return Stats.of_seconds(seconds).as_dict() if seconds else dict(n=0, median=None, p95=None)


def read_proc() -> dict:
    with open("/proc/self/status") as fh:
        rss = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    return dict(rss_kb=rss, threads_py=threading.active_count(), threads_os=len(os.listdir("/proc/self/task")),
                fds=len(os.listdir("/proc/self/fd")))


def fault_name(kind: str, seconds: float) -> str:
    return kind if kind == "raise" else f"{kind} {seconds:g} s"


class FaultPlan:
    """The one fault rotation every fake camera shares (a reopened camera carries on with it)."""

    def __init__(self, good_for: float, faults=FAULTS):
        self.good_for = good_for
        self._next = itertools.cycle(faults)
        self.injected: Counter = Counter()
        self.lock = threading.Lock()

    def take(self) -> tuple[str, float]:
        with self.lock:
            kind, seconds = next(self._next)
            self.injected[fault_name(kind, seconds)] += 1
            return kind, seconds


class FaultyCamera:
    """A live FrameSource of note frames that stalls, raises, goes away and comes back."""

    live = True
    fps = FPS

    def __init__(self, index: int, frames: list, plan: FaultPlan):
        self.index, self.name = index, f"camera {index}"
        self.frames, self.plan = frames, plan
        self._state, self._reads, self._lost_until, self.closed = "ok", 0, 0.0, False
        self._fault_at = time.monotonic() + plan.good_for

    @property
    def state(self) -> str:
        return self._state

    def read(self):
        threading.Event().wait(1 / self.fps)  # a camera delivers in real time
        now = time.monotonic()
        if self._state == "lost":
            if now < self._lost_until:
                return None
            self._state = "ok"
            self._fault_at = now + self.plan.good_for
        if now >= self._fault_at:
            kind, seconds = self.plan.take()
            self._fault_at = now + self.plan.good_for
            if kind == "raise":
                raise RuntimeError("VIDIOC_DQBUF: No such device (fake camera)")
            if kind == "lost":
                self._state, self._lost_until = "lost", now + seconds
                return None
            threading.Event().wait(seconds)  # a driver stuck in read()
        self._reads += 1
        return Frame(self.frames[self._reads % len(self.frames)], time.monotonic(), self._reads)

    def close(self) -> None:
        self.closed = True


def note_frames(note: str, size: tuple[int, int], count: int = 24) -> list:
    """A synthetic note lying on a cluttered scene, moving a little from frame to frame."""
    import cv2
    import numpy as np

    from tests.builders.notes import place_note, synthetic_note, synthetic_scene

    image, (w, h) = synthetic_note(note), size
    rng = np.random.default_rng(7)
    nh, nw = image.shape[:2]
    scale = 0.7 * min(w / nw, h / nh)
    half = np.array([[-nw, -nh], [nw, -nh], [nw, nh], [-nw, nh]], np.float32) * scale / 2
    frames = []
    for i in range(count):
        centre = np.array([w / 2 + rng.uniform(-4, 4), h / 2 + rng.uniform(-4, 4)], np.float32)
        frames.append(place_note(image, cv2.resize(synthetic_scene(i % 4), size), half + centre))
    return frames


def make_assets(folder: Path) -> dict:
    from tests.builders.model import write_tiny_model
    from tests.builders.notes import synthetic_gallery
    from tests.builders.video import write_video

    gallery = folder / "gallery.npz"
    synthetic_gallery(NOTES).save(gallery)
    return dict(model=write_tiny_model(folder / "tiny.onnx"), gallery=gallery,
                video=write_video(folder / "note.avi", note_frames(VIDEO_NOTE, SIZE), FPS),
                idle_video=write_video(folder / "idle.avi", note_frames(VIDEO_NOTE, IDLE_SIZE), FPS),
                camera_frames=note_frames(CAMERA_NOTE, SIZE))


class Soak:
    """Drives the window from a 10 ms QTimer: settle, idle CPU, then blocks of holds."""

    def __init__(self, parts, spy, assets: dict, plan: FaultPlan, args):
        self.app, self.window, self.spy, self.assets, self.plan, self.args = (
            parts.app, parts.window, spy, assets, plan, args)
        owner = self.window.sources

        def camera(index: int) -> FaultyCamera:
            return FaultyCamera(index, assets["camera_frames"], plan)

        # The window's own ways of opening a camera, pointed at the fake one.
        owner.opener = lambda spec, loop=False: camera(int(spec)) if str(spec).isdigit() else open_source(spec, loop=loop)
        owner.camera_factory = camera
        parts.announcer.screen_text.append(self._on_message)
        self.report: dict = dict(samples=[], idle_cpu=None, unanswered_total=0)
        self.phase, self.phase_since, self.scans, self.idle_start = "settle", time.monotonic(), 0, (0.0, 0.0)
        self.holding, self.outcome, self.t_press, self.next_press, self.next_repeat = False, None, 0.0, 0.0, 0.0
        self._new_block()
        self.timer = QTimer(interval=10, timeout=self.step)

    def _new_block(self) -> None:
        self.latencies, self.problem_latencies, self.decisions, self.problems = [], [], Counter(), Counter()
        self.unanswered = 0

    # --- output the window gives -------------------------------------------------------
    def _on_message(self, message) -> None:
        if self.holding and self.outcome is None and message.kind in ("result", "error") and message.t >= self.t_press:
            self.outcome = message

    def key(self, pressed: bool, autorepeat: bool = False) -> None:
        kind = QEvent.Type.KeyPress if pressed else QEvent.Type.KeyRelease
        QApplication.sendEvent(self.window, QKeyEvent(kind, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, " ",
                                                      autorepeat))

    # --- the phases --------------------------------------------------------------------
    def step(self) -> None:
        try:
            getattr(self, f"_{self.phase}")(time.monotonic())
        except Exception as exc:  # a Qt slot cannot raise into main(): end the run and say why
            self.report["error"] = f"{type(exc).__name__}: {exc} (phase {self.phase}, scan {self.scans})"
            self._finish()

    def _goto(self, phase: str) -> None:
        self.phase, self.phase_since = phase, time.monotonic()

    def _settle(self, now: float) -> None:
        capture = self.window.capture
        if capture is not None and capture.frames >= 10 and now - self.phase_since > 1.0:
            self.idle_start = (now, sum(os.times()[:2]))
            self._goto("idle")
        elif now - self.phase_since > 20:
            raise RuntimeError("the video never played in the window")

    def _idle(self, now: float) -> None:
        if now - self.phase_since < self.args.idle:
            return
        wall, cpu = now - self.idle_start[0], sum(os.times()[:2]) - self.idle_start[1]
        frames = self.window.capture.frames if self.window.capture is not None else 0
        if not frames:
            raise RuntimeError("no frame played while measuring idle CPU")
        self.report["idle_cpu"] = dict(seconds=round(wall, 1), cpu_seconds=round(cpu, 2),
                                       share_of_one_core=round(cpu / wall, 3), video=f"{IDLE_SIZE[0]}x{IDLE_SIZE[1]}",
                                       frames_played=frames)
        self.window.open_spec(str(self.assets["video"]), remember_camera=False)
        self._goto("quiet")

    def _scan(self, now: float) -> None:
        session = self.window.session
        if not self.holding:
            if now < self.next_press or session.state != "idle" or session.key_down:
                return
            self.holding, self.outcome, self.t_press = True, None, now
            self.next_repeat = now + AUTOREPEAT
            self.key(True)  # the outcome may arrive during this call (a problem is said at once)
            return
        if self.outcome is None and now - self.t_press < HOLD_TIMEOUT:
            if now >= self.next_repeat:  # a held key: autorepeat release/press pairs
                self.key(False, autorepeat=True)
                self.key(True, autorepeat=True)
                self.next_repeat = now + AUTOREPEAT
            return
        self.key(False)
        self.holding = False
        self._scored(self.outcome)
        self.scans += 1
        self.next_press = now + (AFTER_PROBLEM if self.outcome is None or self.outcome.kind == "error" else 0.0)
        every = self.args.every
        if self.scans % every == every // 2:
            self.window.use_camera(0)
        elif self.scans % every == 0:
            self.window.open_spec(str(self.assets["video"]), remember_camera=False)
            self._goto("quiet")

    def _scored(self, outcome) -> None:
        if outcome is None:
            self.unanswered += 1
        elif outcome.kind == "result":
            self.decisions[outcome.key] += 1
            self.latencies.append(outcome.t - self.t_press)
        else:
            self.problems[outcome.key] += 1
            self.problem_latencies.append(outcome.t - self.t_press)

    def _quiet(self, now: float) -> None:
        """Before a sample: the video plays again and every stalled capture thread has ended."""
        owner = self.window.sources
        settled = not owner.retiring and owner.capture is not None and owner.capture.frames >= 3
        if not settled and now - self.phase_since < QUIET_WAIT:
            return
        if self.scans:
            self._sample(now, settled)
        if self.scans >= self.args.scans:
            self._finish()
        else:
            self._goto("scan")

    def _sample(self, now: float, settled: bool) -> None:
        said = Counter(u.key for u in self.spy.spoken)
        self.spy.spoken.clear()  # the spy keeps everything; the soak must not grow because of it
        self.spy.earcons.clear()
        self.report["samples"].append(dict(
            scans=self.scans, t=round(now - self.report["t0"], 1), **read_proc(), settled=settled,
            latency_ms=_stats(self.latencies), problem_latency_ms=_stats(self.problem_latencies),
            decisions=dict(self.decisions), problems=dict(self.problems), unanswered=self.unanswered,
            said=dict(said)))
        self.report["unanswered_total"] += self.unanswered
        self._new_block()
        if self.args.progress:  # the whole sample, so a run cut short still leaves its table
            print("[soak] " + json.dumps(self.report["samples"][-1]), file=sys.stderr, flush=True)

    def _finish(self) -> None:
        self.timer.stop()
        self.report["faults_injected"] = dict(self.plan.injected)
        self.window.quit_now()
        self.app.quit()

    def run(self) -> dict:
        self.report["t0"] = time.monotonic()
        self.timer.start()
        self.app.exec()
        self.report["wall_s"] = round(time.monotonic() - self.report.pop("t0"), 1)
        return self.report


def verdicts(samples: list[dict], warmup: int) -> dict:
    """RSS growth after warm-up, and thread and fd counts, each against the first sample past it.

    A leak grows and stays: the last sample must be back at the baseline's count. A sample before
    it may be one over (a pool's worker thread, or the file it has open, alive at that moment on a
    loaded machine: CI once caught 12 OS threads mid-run against a baseline and an end of 11)."""
    after = [s for s in samples if s["scans"] >= warmup] or samples[-1:]
    base, last = after[0], after[-1]
    growth = (last["rss_kb"] - base["rss_kb"]) / base["rss_kb"]
    out = dict(baseline_at=base["scans"], last_at=last["scans"],
               rss=dict(baseline_kb=base["rss_kb"], last_kb=last["rss_kb"], max_kb=max(s["rss_kb"] for s in after),
                        growth=round(growth, 4), limit=RSS_LIMIT, met=growth < RSS_LIMIT))
    for name in ("threads_os", "threads_py", "fds"):
        values = [s[name] for s in after]
        out[name] = dict(baseline=base[name], last=last[name], max=max(values),
                         growth=last[name] - base[name],
                         met=last[name] <= base[name] and max(values) <= base[name] + 1)
    return out


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def render(report: dict) -> str:
    lines = ["| scans | time (s) | RSS (MB) | threads (OS / Python) | open fds | press to decision, median / p95 (ms) "
             "| decisions | problems said | no answer |", "|---|---|---|---|---|---|---|---|---|"]
    for s in report["samples"]:
        lat = s["latency_ms"]
        problems = ", ".join(f"{k} {v}" for k, v in sorted(s["problems"].items())) or "0"
        lines.append(f"| {s['scans']} | {s['t']} | {s['rss_kb'] / 1024:.1f} | {s['threads_os']} / {s['threads_py']} "
                     f"| {s['fds']} | {_ms(lat['median'])} / {_ms(lat['p95'])} | {sum(s['decisions'].values())} | {problems} "
                     f"| {s['unanswered']} |")
    v, idle = report["verdicts"], report["idle_cpu"]
    lines += ["", f"RSS growth after warm-up (scan {v['baseline_at']} -> {v['last_at']}): {v['rss']['growth']:+.2%} "
                  f"(limit < {RSS_LIMIT:.0%}): {'met' if v['rss']['met'] else 'MISSED'}"]
    for name, what in (("threads_os", "OS threads"), ("threads_py", "Python threads"), ("fds", "open fds")):
        r = v[name]
        lines.append(f"{what}: {r['baseline']} -> {r['last']} (max {r['max']}; growth {r['growth']:+d}): "
                     f"{'met' if r['met'] else 'MISSED'}")
    lines.append(f"Idle CPU, previewing a {idle['video']} {FPS:g} fps video without scanning for {idle['seconds']} s: "
                 f"{idle['share_of_one_core']:.1%} of one core")
    lines.append(f"Faults injected: {report['faults_injected']}; holds with no answer: {report['unanswered_total']}")
    lines.append(f"Recognition: {report['config']['recognition']}; speech: {report['config']['speech']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scans", type=int, help="holds to run (default 10000; 1000 with --quick)")
    parser.add_argument("--quick", action="store_true", help="1000 scans, samples every 250, short warm-up and idle")
    parser.add_argument("--every", type=int, help="scans per sample (default 500; 250 with --quick)")
    parser.add_argument("--warmup", type=int, help="scans before the RSS baseline (default 1000; 250 with --quick)")
    parser.add_argument("--idle", type=float, help="seconds of idle preview for the CPU figure (default 20; 5 quick)")
    parser.add_argument("--good-for", type=float, default=4.0, help="seconds of good camera frames between faults")
    parser.add_argument("--out", type=Path, help="also write the report as JSON here")
    parser.add_argument("--progress", action="store_true", help="print each sample as it is taken")
    args = parser.parse_args(argv)
    for name, full, quick in (("scans", 10000, 1000), ("every", 500, 250), ("warmup", 1000, 250), ("idle", 20.0, 5.0)):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    if args.every < 2 or args.scans % args.every:
        parser.error("--scans must be a multiple of --every (>= 2)")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from desktop_app.ui.app import AppOptions, build_app
    from desktop_app.ui.settings import AppSettings
    from tests.spies import SpeechSpy

    with tempfile.TemporaryDirectory(prefix="ncr-soak-") as tmp:
        tmp = Path(tmp)
        # The faults make the window log errors by design; they go to a file, not the terminal.
        logging.basicConfig(filename=tmp / "soak.log", level=logging.WARNING)
        assets = make_assets(tmp)
        plan = FaultPlan(args.good_for)
        spy = SpeechSpy()
        parts = build_app(AppOptions(source=str(assets["idle_video"]), language="en", model=assets["model"],
                                     gallery=assets["gallery"], speech=spy),
                          settings=AppSettings.open(tmp / "settings.ini"))
        if parts.problems:
            raise SystemExit(f"the window reported start-up problems: {[p.key for p in parts.problems]}")
        report = Soak(parts, spy, assets, plan, args).run()
        report["errors_logged"] = sum(1 for line in (tmp / "soak.log").read_text().splitlines()
                                      if line.startswith("ERROR"))
    report["config"] = dict(scans=args.scans, every=args.every, warmup=args.warmup, good_for_s=args.good_for,
                            faults=[fault_name(*f) for f in FAULTS],
                            recognition="tiny test model + synthetic gallery (tests/builders), "
                                        f"{SIZE[0]}x{SIZE[1]} looping video and fake camera at {FPS:g} fps",
                            speech="tests.spies.SpeechSpy behind the real Announcer")
    if "error" not in report:
        report["verdicts"] = verdicts(report["samples"], args.warmup)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))
    if "error" in report:
        print(f"soak stopped: {report['error']}", file=sys.stderr)
        return 1
    print(render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
