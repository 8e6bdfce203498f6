"""Headless replay: a recorded video through the very scan controller the window uses.

The window evaluates frames as fast as the CPU allows (about five per second on a laptop) and
ticks the session every 50 ms of wall clock. Replay does the same on the VIDEO's clock: it
evaluates one frame every ``interval`` seconds of video time (default 0.2 s, i.e. the live
app's ~5 evaluations per second), ticks the session every 50 ms of video time, and presses and
releases the virtual Space key at the hold times given (or lets the kiosk's AutoTrigger press
it). Because nothing depends on wall-clock time or on how fast this machine is, the same video
always gives the same timeline.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from desktop_app.voice.announcer import Announcer, Message
from desktop_app.scanning.controller import OFF, SCAN, Outcome, ScanController
from desktop_app.timing import EVAL_INTERVAL, TICK_INTERVAL
from desktop_app.scanning.decision import is_strong
from desktop_app.recognition.evidence import DENOMINATIONS, FrameEvidence
from desktop_app.voice.phrases import LANGUAGES
from desktop_app.testers.reading import Span
from desktop_app.testers.scoring import Scored, hold_truth, outcome, stats, summarise
from desktop_app.testers.writing import write_csv, write_json, write_text
from desktop_app.scanning.session import ScanEvent
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

DEFAULT_INTERVAL = EVAL_INTERVAL  # s of video time between evaluated frames (~5 evaluations/s, as live)
_EPS = 1e-9


class ReplayError(ValueError):
    """Replay cannot run as asked (e.g. --auto without the model's presence signal)."""


@dataclass(frozen=True)
class Announcement:
    """One thing the app said, on the video's clock."""

    t: float
    key: str
    keys: tuple[str, ...]
    text_ne: str
    text_en: str
    kind: str  # "result": a scan's decision; "status": the kiosk's "hold still" / "next customer"
    decision: str | None = None  # a denomination, "none" or "unsure"
    side: str | None = None
    confidence: float | None = None
    frames_used: int | None = None
    hint: str | None = None
    reason: str = ""
    hold_start: float | None = None
    time_to_announce: float | None = None
    hold: int | None = None  # index into ReplayResult.holds


@dataclass
class HoldRecord:
    index: int
    start: float
    end: float | None  # None for holds started by the kiosk trigger
    trigger: str  # "key" | "auto"
    said: str | None = None  # decision label; None: the hold got no answer of its own
    announced_at: float | None = None
    time_to_announce: float | None = None
    confidence: float | None = None
    frames_used: int | None = None
    truth: str | None = None
    outcome: str | None = None
    # For a right answer: seconds from the labelled note coming into view to the answer. For the
    # kiosk this is the customer's wait (it includes kiosk_settle); for a key it includes the
    # person's own delay before pressing.
    time_from_note_shown: float | None = None


@dataclass(frozen=True)
class FrameRecord:
    """What one evaluated frame showed; lets a tester see why a hold went the way it did."""

    t: float
    index: int
    presence: float | None
    brightness: float
    sharpness: float
    candidate: str | None
    inliers: int
    score: float
    runner_up: str | None
    runner_up_score: float
    accepted: bool
    strong: bool
    hint: str | None
    refined: bool = False  # the placement was refitted (verifier ``refine``)
    regions: int | None = None  # regions of the note holding its value evidence


@dataclass
class ReplayResult:
    video: str
    fps: float
    duration: float
    interval: float
    mode: str  # "holds" | "auto"
    language: str
    thresholds: Thresholds
    frames_read: int = 0
    announcements: list[Announcement] = field(default_factory=list)
    holds: list[HoldRecord] = field(default_factory=list)
    frames: list[FrameRecord] = field(default_factory=list)
    labels: list[Span] | None = None
    summary: dict | None = None
    not_scanned: list[dict] = field(default_factory=list)  # labelled notes no hold looked at

    def to_dict(self) -> dict:
        return {
            "video": self.video,
            "fps": round(self.fps, 3),
            "duration_s": round(self.duration, 3),
            "frames_read": self.frames_read,
            "frames_evaluated": len(self.frames),
            "settings": {
                "mode": self.mode,
                "interval_s": self.interval,
                "language": self.language,
                "thresholds": dataclasses.asdict(self.thresholds),
            },
            "summary": self.summary,
            "not_scanned": self.not_scanned,
            "announcements": [_rounded(dataclasses.asdict(a)) for a in self.announcements],
            "holds": [_rounded(dataclasses.asdict(h)) for h in self.holds],
            "labels": None if self.labels is None else [dataclasses.asdict(s) for s in self.labels],
            "frames": [_rounded(dataclasses.asdict(f)) for f in self.frames],
        }


def _rounded(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, float):
            v = round(v, 3)
        elif isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out


def replay(
    source,
    recognizer,
    *,
    catalogue,
    holds: Sequence[Span] | None = None,
    auto: bool = False,
    labels: Sequence[Span] | None = None,
    interval: float = DEFAULT_INTERVAL,
    language: str = "ne",
    announcer: Announcer | None = None,
    thresholds: Thresholds = DEFAULT,
    on_frame: Callable[[int, float], None] | None = None,
    on_message: Callable[[Message, float], None] | None = None,
) -> ReplayResult:
    """Plays ``source`` (a VideoSource or ImageFolderSource) through a ScanController.

    ``holds``: key presses (start) and releases (end) in video seconds; or ``auto``: the kiosk
    trigger presses by itself. ``announcer`` defaults to a silent one (speech=None) on the video
    clock; pass one with a recording speech backend to hear or capture what would be spoken.
    """
    if interval <= 0:
        raise ReplayError(f"the frame interval must be positive, got {interval}")
    if auto and holds:
        raise ReplayError("give either holds or --auto, not both")
    if not auto and not holds:
        raise ReplayError("replay needs holds (when Space is pressed) or --auto")
    if not recognizer.ready:
        raise ReplayError("the reference gallery is not loaded, so no note can be named")

    clock = _VideoClock()
    if announcer is None:
        announcer = Announcer(catalogue, None, language=language, earcons=False, clock=clock)
    result = ReplayResult(
        video=str(getattr(source, "path", getattr(source, "name", "video"))),
        fps=float(source.fps), duration=0.0, interval=interval, mode="auto" if auto else "holds",
        language=announcer.language, thresholds=thresholds,
    )
    controller = ScanController(announcer, has_model=recognizer.model is not None, kiosk=auto,
                                thresholds=thresholds)
    # Time order; at equal times a hold's press precedes its own release (a zero-length hold is
    # a tap) and an earlier hold's release precedes the next hold's press.
    keys = [] if auto else sorted(
        [(h.start, i, 0, "press") for i, h in enumerate(holds)] + [(h.end, i, 1, "release") for i, h in enumerate(holds)]
    )
    if not auto:
        result.holds = [HoldRecord(i, h.start, h.end, "key") for i, h in enumerate(holds)]
    state = {"key": 0, "tick": 0, "hold": None}

    def handle(outcomes: list[Outcome], key_hold: int | None = None) -> None:
        """Books what the controller did and said: holds, and announcements on the video clock."""
        for o in outcomes:
            event, message = o.event, o.message
            if event.kind == "started":
                if auto:
                    result.holds.append(HoldRecord(len(result.holds), event.t, None, "auto"))
                    state["hold"] = len(result.holds) - 1
                else:
                    state["hold"] = key_hold
            if message is None:
                continue  # a key hold's start is only a tone
            if event.kind == "decision":
                _record(result, message, event, state["hold"], announcer, clock.now)
                state["hold"] = None
            else:
                _record_status(result, message, announcer, clock.now)
            if on_message is not None:
                on_message(message, clock.now)

    def advance_to(t: float) -> None:
        """Runs key events and 50 ms ticks up to and including ``t``, in time order."""
        while True:
            next_key = keys[state["key"]][0] if state["key"] < len(keys) else float("inf")
            next_tick = state["tick"] * TICK_INTERVAL
            if min(next_key, next_tick) > t + _EPS:
                return
            if next_key <= next_tick + _EPS:
                key_t, index, _, kind = keys[state["key"]]
                state["key"] += 1
                clock.now = key_t
                handle(controller.tick(key_t))
                if kind == "press":
                    handle(controller.press(key_t), key_hold=index)
                else:
                    handle(controller.release(key_t))
            else:
                state["tick"] += 1
                clock.now = next_tick
                handle(controller.tick(next_tick))

    next_sample = 0  # index of the next sample slot on the interval grid
    last_t = 0.0
    while True:
        frame = source.read()
        if frame is None:
            break
        result.frames_read += 1
        t = frame.t
        last_t = t
        if on_frame is not None:
            on_frame(result.frames_read, t)
        if t + _EPS < next_sample * interval:
            continue
        next_sample = int(t / interval + _EPS) + 1
        advance_to(t)
        clock.now = t
        mode = controller.mode
        if mode == OFF:
            continue
        evidence = recognizer.evaluate(frame.image, t, verify=mode == SCAN)
        if mode == SCAN:
            result.frames.append(_frame_record(frame.index, evidence, thresholds))
        handle(controller.add(evidence, mode))

    result.duration = last_t + (1.0 / result.fps if result.frames_read else 0.0)
    # Holds running past the end of the video still get their answer, as they would live once
    # the picture froze: keep the clock going until every key event is played and the session rests.
    limit = max([result.duration] + [k[0] for k in keys]) + thresholds.max_hold + 2 * thresholds.tap_burst
    while state["key"] < len(keys) or controller.session.wants_frames or controller.session.key_down:
        t_next = state["tick"] * TICK_INTERVAL
        if t_next > limit:
            break
        advance_to(t_next)

    if labels is not None:
        _score(result, list(labels))
    return result


class _VideoClock:
    """Stamps announcer messages with video time, so reports do not depend on the wall clock."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _frame_record(index: int, e: FrameEvidence, th: Thresholds) -> FrameRecord:
    v = e.verification
    return FrameRecord(
        t=e.t, index=index, presence=None if e.model is None else round(float(e.model.presence), 3),
        brightness=round(float(e.quality.brightness), 1), sharpness=round(float(e.quality.sharpness), 1),
        candidate=_str(v.denomination), inliers=int(v.inliers), score=round(float(v.score), 3),
        runner_up=_str(v.runner_up),
        runner_up_score=round(float(v.runner_up_score), 3), accepted=bool(v.accepted),
        strong=bool(is_strong(e, th)), hint=v.hint, refined=bool(v.refined), regions=v.regions,
    )


def _str(value) -> str | None:
    return None if value is None else str(value)  # gallery labels may be numpy strings


def _texts(announcer: Announcer, message: Message) -> dict[str, str]:
    return {language: announcer.text_of(message, language) for language in LANGUAGES}


def _record_status(result: ReplayResult, message: Message, announcer: Announcer, said_at: float) -> None:
    texts = _texts(announcer, message)
    result.announcements.append(Announcement(
        t=said_at, key=message.key, keys=message.keys, text_ne=texts["ne"], text_en=texts["en"], kind=message.kind,
    ))


def _record(result: ReplayResult, message: Message, event: ScanEvent, hold: int | None, announcer: Announcer,
            said_at: float) -> None:
    d = event.decision
    texts = _texts(announcer, message)
    # Said now, on the replay clock: a release is confirmed on the tick after its 80 ms grace,
    # so this can be a little later than the decision's own time (d.t), as it is live.
    tta = round(said_at - event.hold_started, 3)
    result.announcements.append(Announcement(
        t=said_at, key=message.key, keys=message.keys, text_ne=texts["ne"], text_en=texts["en"],
        kind=message.kind, decision=str(d.label), side=_str(d.side), confidence=d.confidence, frames_used=d.frames_used,
        hint=d.hint, reason=d.reason, hold_start=event.hold_started, time_to_announce=tta, hold=hold,
    ))
    if hold is not None:
        record = result.holds[hold]
        record.said, record.announced_at, record.time_to_announce = str(d.label), said_at, tta
        record.confidence, record.frames_used = d.confidence, d.frames_used


def _score(result: ReplayResult, labels: list[Span]) -> None:
    result.labels = labels
    scored = []
    windows = []
    for record in result.holds:
        end = record.announced_at if record.announced_at is not None else record.end
        windows.append((record.start, record.start if end is None else end))
        record.truth = hold_truth(record.start, record.end, record.said, record.announced_at, labels)
        record.outcome = outcome(record.truth, record.said)
        if record.outcome == "right" and record.said in DENOMINATIONS:
            shown = [s for s in labels if s.label == record.truth and s.start - _EPS <= record.announced_at <= s.end]
            if shown:
                record.time_from_note_shown = round(record.announced_at - shown[-1].start, 3)
        scored.append(Scored(record.truth, record.said, record.time_to_announce))
    result.summary = summarise(scored)
    result.summary["time_from_note_shown_s"] = stats(
        [h.time_from_note_shown for h in result.holds if h.time_from_note_shown is not None])
    # A note that was in view but never scanned: in --auto mode the trigger missed it.
    result.not_scanned = [
        {"start": s.start, "end": s.end, "label": s.label} for s in labels
        if s.label not in (None, "none") and not any(min(e, s.end) - max(b, s.start) >= 0 for b, e in windows)
    ]
    result.summary["not_scanned"] = len(result.not_scanned)


TIMELINE_COLUMNS = ("t", "said", "text_en", "text_ne", "confidence", "frames_used", "side", "hint",
                    "hold", "hold_start", "time_to_announce", "truth", "outcome", "reason")
HOLD_COLUMNS = ("index", "trigger", "start", "end", "said", "announced_at", "time_to_announce",
                "confidence", "frames_used", "truth", "outcome", "time_from_note_shown")


def timeline_rows(result: ReplayResult) -> list[dict]:
    rows = []
    for a in result.announcements:
        hold = result.holds[a.hold] if a.hold is not None else None
        rows.append({
            "t": a.t, "said": a.decision, "text_en": a.text_en, "text_ne": a.text_ne, "confidence": a.confidence,
            "frames_used": a.frames_used, "side": a.side, "hint": a.hint, "hold": a.hold,
            "hold_start": a.hold_start, "time_to_announce": a.time_to_announce,
            "truth": hold.truth if hold else None, "outcome": hold.outcome if hold else None, "reason": a.reason,
        })
    return rows


def report_paths(out: str | Path) -> dict[str, Path]:
    """``OUT`` is a folder (files named inside) or ``something.json`` (siblings share its stem)."""
    out = Path(out)
    if out.suffix.lower() == ".json":
        stem = out.with_suffix("")
        return {"json": out, "timeline": Path(f"{stem}_timeline.csv"), "holds": Path(f"{stem}_holds.csv"),
                "text": Path(f"{stem}.txt")}
    return {"json": out / "replay.json", "timeline": out / "timeline.csv", "holds": out / "holds.csv",
            "text": out / "report.txt"}


def write_report(result: ReplayResult, out: str | Path, text: str) -> dict[str, Path]:
    paths = report_paths(out)
    write_json(paths["json"], result.to_dict())
    write_csv(paths["timeline"], timeline_rows(result), TIMELINE_COLUMNS)
    write_csv(paths["holds"], [dataclasses.asdict(h) for h in result.holds], HOLD_COLUMNS)
    write_text(paths["text"], text)
    return paths
