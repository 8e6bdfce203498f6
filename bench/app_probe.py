"""Child process for sections 4 and 5: runs the real app (``desktop_app.ui.app.build_app``, with
``run_app``'s start delay) offscreen on a looping video and records, on the monotonic clock shared with the parent:

- every audio buffer handed to the device (the first one is the spoken welcome),
- every preview image the window paints,
- every change of the recognition worker's mode (``scan`` while a hold is being evaluated),
- presses (real QKeyEvents through the application, autorepeat included) and results spoken.

Usage: python -m bench.app_probe OUT.json VIDEO GALLERY T0 [--idle S] [--scan S]
       [--hard-video VIDEO --hard-scan S] [--quit-after-welcome]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

T_MAIN = time.monotonic()  # interpreter up, before any import of the app


def _vm_hwm_kb() -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("video")
    parser.add_argument("gallery")
    parser.add_argument("t0", type=float)
    parser.add_argument("--idle", type=float, default=4.0)
    parser.add_argument("--scan", type=float, default=8.0)
    parser.add_argument("--quit-after-welcome", action="store_true")
    parser.add_argument("--hard-video", default="", help="a video of a note the gallery does not know")
    parser.add_argument("--hard-scan", type=float, default=0.0)
    args = parser.parse_args()
    rec: dict = dict(t0=args.t0, t_main=T_MAIN, plays=[], previews=[], modes=[], presses=[], results=[],
                     messages=[], errors=[], evidence=[])

    from desktop_app.voice import output as output_mod
    from desktop_app.voice.announcer import Announcer
    from desktop_app.ui import preview as mw
    from desktop_app.ui import workers

    original_play = output_mod.AudioOutput.play

    def play(self, samples, **kwargs):
        original_play(self, samples, **kwargs)
        rec["plays"].append(self.last_play_started or time.monotonic())

    output_mod.AudioOutput.play = play

    original_show = mw.PreviewView.show_image

    def show_image(self, image):
        rec["previews"].append(time.monotonic())
        original_show(self, image)

    mw.PreviewView.show_image = show_image

    original_set_mode = workers.RecognitionWorker.set_mode

    def set_mode(self, mode):
        rec["modes"].append((time.monotonic(), mode))
        original_set_mode(self, mode)

    workers.RecognitionWorker.set_mode = set_mode

    from desktop_app.scanning.session import ScanSession

    original_add = ScanSession.add

    def add(self, evidence):
        # (capture time, arrival time, hold start, scanning?): the recognition worker skips
        # frames captured before the press, so none should arrive here; counting any that do
        # shows whether that still holds.
        rec["evidence"].append((evidence.t, time.monotonic(), self.hold_started, self.wants_frames))
        return original_add(self, evidence)

    ScanSession.add = add

    original_deliver = Announcer._deliver

    def deliver(self, message, earcon):
        out = original_deliver(self, message, earcon)
        rec["messages"].append((message.t, message.key, message.kind))
        if message.kind == "result":
            rec["results"].append((message.t, message.key))
        return out

    Announcer._deliver = deliver

    from PySide6.QtCore import QEvent, Qt, QTimer
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.app import AppOptions, build_app, start_delay_ms

    # The same start delay as run_app, so the cold start measured is the one a person waits.
    rec["start_delay_ms"] = start_delay_ms()
    parts = build_app(AppOptions(source=args.video, language="ne", gallery=Path(args.gallery)),
                      start_delay_ms=rec["start_delay_ms"])
    rec["t_built"] = time.monotonic()
    # When the screen reader is handed each announcement (Qt event posted on the UI thread).
    rec["announced"] = []
    parts.window.screen_reader.hooks.append(
        lambda posted: rec["announced"].append((time.monotonic(), posted.key, posted.kind)))
    rec["problems"] = [p.key for p in parts.problems]
    app, window = parts.app, parts.window

    def key(pressed: bool, autorepeat: bool = False) -> None:
        kind = QEvent.Type.KeyPress if pressed else QEvent.Type.KeyRelease
        event = QKeyEvent(kind, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, " ", autorepeat)
        QApplication.sendEvent(window, event)

    def finish() -> None:
        rec["vm_hwm_kb"] = _vm_hwm_kb()
        rec["t_end"] = time.monotonic()
        rec["frames_captured"] = window.capture.frames if window.capture is not None else None
        rec["evaluated"] = window.recognition.evaluated
        Path(args.out).write_text(json.dumps(rec))
        window.quit_now()
        app.quit()

    if args.quit_after_welcome:
        def wait_welcome() -> None:
            if rec["plays"]:
                finish()
            else:
                QTimer.singleShot(20, wait_welcome)

        QTimer.singleShot(0, wait_welcome)
        QTimer.singleShot(30000, finish)
        return app.exec()

    # Idle first: preview only. Then holds of Space with a clear note in view: press, X11-style
    # autorepeat every 33 ms, release once the result is spoken (or after 2.5 s), pause, again.
    # Then, if asked, a "hard" video (a note the gallery does not know): holds of 2.5 s during
    # which verification runs on every frame it can get and never decides early.
    start_idle = time.monotonic() + 1.5  # let the first previews and the welcome settle
    rec["idle_window"] = (start_idle, start_idle + args.idle)
    scan_start = start_idle + args.idle
    scan_end = scan_start + args.scan
    rec["scan_window"] = (scan_start, scan_end)
    rec["hard_presses"] = []
    state = dict(phase="clear", hold_started=0.0, results_before=0, next_press=scan_start, presses="presses",
                 max_hold=2.5, end=scan_end)

    def start_hard() -> None:
        window.open_spec(args.hard_video, remember_camera=False)
        hard_start = time.monotonic() + 1.0  # the new video's first frames
        rec["hard_window"] = (hard_start, hard_start + args.hard_scan)
        state.update(phase="clear", presses="hard_presses", next_press=hard_start, max_hold=2.5,
                     end=hard_start + args.hard_scan, hard=True)

    def step() -> None:
        now = time.monotonic()
        if state["phase"] == "clear" and now >= state["next_press"]:
            if now >= state["end"]:
                if args.hard_video and not state.get("hard"):
                    start_hard()
                    QTimer.singleShot(33, step)
                else:
                    finish()
                return
            state.update(phase="holding", hold_started=now, results_before=len(rec["results"]))
            rec[state["presses"]].append(now)
            key(True)
        elif state["phase"] == "holding":
            done = len(rec["results"]) > state["results_before"]
            if done or now - state["hold_started"] > state["max_hold"]:
                key(False)
                state.update(phase="clear", next_press=now + 0.5)
            else:
                key(True, autorepeat=True)
        QTimer.singleShot(33, step)

    QTimer.singleShot(0, step)
    budget = scan_end - time.monotonic() + args.hard_scan + 40
    QTimer.singleShot(int(budget * 1000), finish)  # never hang the benchmark
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
