"""Terminal mode: the app without a window, for machines with no display.

Qt-free. A background thread keeps the newest frame of the source (a camera, or a recording
played at its own speed); pressing Enter is a tap on the scan key: the same ScanController as
the window's takes a short burst of frames and decides once. Everything the user is told goes
through the same Announcer as in the window: spoken, and printed (the printed text is the "screen").

Keys (each followed by Enter): Enter scan, r repeat, l language, t total, u take back the last
note, a add a held-back rescan, 0 clear total (asks once),
h help, q quit. Commands typed while a scan is running wait for its answer. With ``--kiosk``
the kiosk's own trigger scans whenever a note is shown, exactly as in the window.
"""
from __future__ import annotations

import functools
import logging
import queue
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, TextIO

from desktop_app.voice.announcer import Announcer, Message
from desktop_app.voice.checks import to_tell
from desktop_app.scanning.controller import OFF, SCAN, Outcome, ScanController
from desktop_app.sources.base import Frame, SourceError
from desktop_app.sources.camera import CameraSource
from desktop_app.sources.frames import open_source
from desktop_app.sources.grabber import FrameGrabber
from desktop_app.voice.output_mode import MODE_PHRASE, default_mode, next_mode
from desktop_app.voice.screen_reader import screen_reader_running
from desktop_app.timing import CAMERA_RETRY, EVAL_INTERVAL, TICK_INTERVAL
from desktop_app.recognition.thresholds import DEFAULT, Thresholds

log = logging.getLogger("desktop_app.console")


def print_sink(out: TextIO | None = None) -> Callable[[Message], None]:
    """The terminal is the screen: every message is printed as one line."""

    def sink(message: Message) -> None:
        stream = out or sys.stdout
        prefix = {"error": "! ", "result": ">> "}.get(message.kind, "   ")
        stream.write(prefix + message.text + "\n")
        stream.flush()

    return sink


def wait_for_speech(speech, timeout: float = 8.0) -> None:
    """Lets the last words finish before the process exits (speech returns before it plays)."""
    if speech is None:
        return
    deadline = time.monotonic() + timeout
    for backend in getattr(speech, "backends", [speech]):
        idle = getattr(backend, "idle", None)
        if idle is not None:
            idle.wait(max(0.0, deadline - time.monotonic()))
    outputs = {id(o): o for o in (getattr(b, "output", None) for b in getattr(speech, "backends", [speech])) if o}
    for output in outputs.values():
        output.wait_done(max(0.0, deadline - time.monotonic()))


class ConsoleApp:
    def __init__(
        self,
        source,
        recognizer,
        announcer: Announcer,
        *,
        lines: Iterable[str] | None = None,
        thresholds: Thresholds = DEFAULT,
        clock: Callable[[], float] = time.monotonic,
        out: TextIO | None = None,
        gallery_path: Path | str = "models/gallery.npz",
        kiosk: bool = False,
        events: queue.Queue | None = None,
        reopen: Callable[[], object] | None = None,
        retry: float = CAMERA_RETRY,
        say_who_speaks: bool = False,
    ):
        self.gallery_path = str(gallery_path)
        self.source = source
        self.recognizer = recognizer
        self.announcer = announcer
        self.clock = clock
        self.out = out
        self.controller = ScanController(announcer, has_model=recognizer.model is not None, kiosk=kiosk,
                                         thresholds=thresholds)
        if not recognizer.ready:  # Enter then says why nothing can be named, instead of scanning
            self.controller.problem = recognizer.why_not_ready(self.gallery_path)
        # Everything other threads have to say arrives here and is said by the console's own
        # thread: key lines, source states, and speech failures (``audio_sink``).
        self.events: queue.Queue = events if events is not None else queue.Queue()
        if reopen is None and isinstance(source, CameraSource):
            reopen = functools.partial(CameraSource, source.index)
        self._reopen = reopen
        self._retry = retry
        self.say_who_speaks = say_who_speaks  # the start says which voice speaks and how to change it
        self._lines = lines if lines is not None else _lines_of(sys.stdin)
        self._pending: list[str] = []
        self.decisions: list = []

    # --- threads feeding the main loop -----------------------------------------------------
    def _read_lines(self) -> None:
        try:
            for line in self._lines:
                self.events.put(("line", line.rstrip("\r\n")))
        except Exception as exc:  # a keyboard that cannot be read is said, then it is the end of input
            log.exception("reading the keyboard failed")
            self.events.put(("input_failed", str(exc) or type(exc).__name__))
        self.events.put(("eof", None))

    def _source_state(self, state: str, detail: str = "") -> None:
        self.events.put(("source", (state, detail)))

    # --- main loop ------------------------------------------------------------------------------
    def run(self) -> int:
        grabber = FrameGrabber(self.source, self.clock, self._source_state, reopen=self._reopen,
                               retry=self._retry).start()
        threading.Thread(target=self._read_lines, name="console-input", daemon=True).start()
        with self.announcer.in_turn():  # each heard whole, not cut off by the next
            self.announcer.say("console.keys")
            if self.say_who_speaks:
                self.announcer.say(MODE_PHRASE.get(self.announcer.output_mode, "output.both"))
                self.announcer.say("output.how")
            if self.controller.kiosk:
                self.announcer.say("kiosk.prompt")
        last_eval = float("-inf")
        last_seq = -1
        try:
            while True:
                try:
                    kind, value = self.events.get(timeout=TICK_INTERVAL)
                except queue.Empty:
                    kind, value = None, None
                if kind == "source":
                    self._on_source(*value)
                elif kind == "audio":
                    self.announcer.audio_failed(value)
                elif kind == "input_failed":
                    self.announcer.error("console.input_failed", reason=value)
                elif kind == "line":
                    self._pending.append(value)
                elif kind == "eof" and not self.controller.kiosk:
                    # A kiosk started with no keyboard (stdin closed, e.g. as a service) keeps
                    # serving customers; a person's session ends with its input.
                    self._pending.append(None)
                now = self.clock()
                self._handle(self.controller.tick(now))
                mode = self.controller.mode
                if mode != OFF and now - last_eval >= EVAL_INTERVAL:
                    captured = grabber.latest()
                    if captured is not None and captured.seq != last_seq:
                        last_eval, last_seq = now, captured.seq
                        self._evaluate(captured.frame, mode)
                scanning = self.controller.session.busy
                while self._pending and not scanning:
                    command = self._pending.pop(0)
                    if command is None or command.strip().lower() in ("q", "quit", "exit"):
                        self.announcer.say("console.bye")
                        return 0
                    self._command(command.strip().lower())
                    scanning = self.controller.session.busy
        finally:
            grabber.stop()  # the grabber's thread closes the source once its last read() returned

    def _evaluate(self, frame: Frame, mode: str) -> None:
        evidence = self.recognizer.evaluate(frame.image, frame.t, verify=mode == SCAN)
        self._handle(self.controller.add(evidence, mode))

    def _command(self, command: str) -> None:
        if command == "":
            now = self.clock()
            # A tap: press and release at once; the session keeps scanning for its tap burst.
            self._handle(self.controller.press(now))
            self._handle(self.controller.release(now))
        elif command == "r":
            self.announcer.repeat()
        elif command == "l":
            self.announcer.set_language("en" if self.announcer.language == "ne" else "ne")
        elif command == "t":
            self.announcer.say_total()
        elif command == "0":
            self.announcer.clear_total()
        elif command == "u":
            self.announcer.undo_count()
        elif command == "v":  # who speaks: the printed lines are what a terminal screen reader reads
            self.announcer.output_mode = next_mode(self.announcer.output_mode)
            self.announcer.say(MODE_PHRASE[self.announcer.output_mode])
        elif command == "a":
            self.announcer.add_held_back()
        elif command in ("h", "?", "help"):
            self.announcer.say("help")
            self.announcer.say("console.keys")
        else:
            self.announcer.say("console.keys")

    def _handle(self, outcomes: list[Outcome]) -> None:
        self.decisions += [o.event.decision for o in outcomes if o.event.kind == "decision"]

    def _on_source(self, state: str, detail: str = "") -> None:
        if state == "failed":
            self.controller.cancel()
            index = getattr(self.source, "index", None)
            if self.source.live and index is not None:
                self.announcer.error("camera.failed", name=str(index), reason=detail)
            else:
                self.announcer.error("source.failed", name=self.source.name, reason=detail)
        elif state == "lost":
            self.controller.cancel()  # frames of a lost camera say nothing about the note
            self.announcer.error("camera.lost")
        elif state == "ok":
            self.announcer.say("camera.back")
        elif state == "ended":
            self.announcer.say("video.ended")


def open_console_source(spec: str | None, announcer: Announcer, *, stdin: TextIO | None = None,
                        out: TextIO | None = None):
    """Opens the source, or tells the user why not. With no camera, asks for a recording when a
    person is at the keyboard; returns None when there is nothing to play."""
    stdin = stdin or sys.stdin
    spec = "0" if spec in (None, "") else spec
    while True:
        try:
            source = open_source(spec, loop=True)
        except SourceError as exc:
            announcer.error(exc.key, **exc.params)
            if not stdin.isatty():
                if exc.key == "camera.missing":
                    announcer.error("console.no_terminal")
                return None
            announcer.say("console.ask_source")
            answer = stdin.readline()
            if not answer or not answer.strip():
                return None
            spec = answer.strip().strip("'\"")
            continue
        if source.live:
            announcer.say("camera.opened", name=str(getattr(source, "index", spec)))
        else:
            announcer.say("video.opened", name=Path(str(spec)).name)
        return source


def _finish_taught(taught, recognizer, announcer) -> None:
    """A merge of taught notes the start could not take from its cache: made now (the terminal
    has no event loop to make it behind), after "being prepared" was said."""
    verifier = taught.finish_verifier(recognizer.th) if recognizer.ready else None
    if verifier is not None:
        recognizer.verifier = verifier
        announcer.say_after("teach.ready")


def run_console(
    *,
    source: str | None,
    language: str = "ne",
    model: Path,
    gallery: Path,
    kiosk: bool = False,
    reason: str | None = None,
    speech=None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    output_mode: str | None = None,
    data_dir: Path | None = None,
) -> int:
    """Terminal mode from start to finish; returns the process exit code. ``output_mode``: who
    speaks (None: the screen reader when one runs, else the app)."""
    from desktop_app.voice.phrases import PhraseCatalogue
    from desktop_app.recognition.recognizer import load_recognizer

    catalogue = PhraseCatalogue.load()
    owns_speech = speech is None
    speech_problems: list = []
    if speech is None:
        from desktop_app.voice.checks import check_speech
        from desktop_app.voice.fallback import make_speech

        speech = make_speech()
        speech_problems = check_speech(catalogue, speech)
    # A terminal screen reader reads what is printed: with one running, the app plays only its
    # tones, so every message is heard once, in the screen reader's voice.
    mode = output_mode or default_mode(screen_reader_running())
    announcer = Announcer(catalogue, speech, language=language, output_mode=mode)
    announcer.screen_text.append(print_sink(out))
    events: queue.Queue = queue.Queue()
    if hasattr(speech, "on_unavailable"):
        # A late TTS failure arrives on the speech worker; it is queued and said from this thread.
        speech.on_unavailable = audio_sink(events)
    try:
        if reason is not None:
            announcer.say(reason)

        from desktop_app.teaching.loading import open_taught

        taught = open_taught(data_dir)
        recognizer, problems = load_recognizer(model, gallery, phrases=catalogue, extend=taught)
        for problem in speech_problems:  # every file named in the log, each kind said once
            log.warning("start-up problem %s: %s", problem.key, problem.message)
        for problem in problems + to_tell(speech_problems):
            announcer.error(problem.key, **problem.params)
        _finish_taught(taught, recognizer, announcer)
        src = open_console_source(source, announcer, stdin=stdin, out=out)
        if src is None:
            return 2
        lines = None if stdin is None else _lines_of(stdin)
        return ConsoleApp(src, recognizer, announcer, lines=lines, out=out, gallery_path=gallery, kiosk=kiosk,
                          events=events, say_who_speaks=True).run()
    except KeyboardInterrupt:
        return 0
    finally:
        wait_for_speech(speech)
        say_audio_failures(events, announcer)
        if owns_speech:
            speech.close()


def audio_sink(events: queue.Queue) -> Callable[[Exception], None]:
    """The speech backend's failure callback: safe on any thread, it only queues."""
    return lambda exc: events.put(("audio", exc))


def say_audio_failures(events: queue.Queue, announcer: Announcer) -> None:
    """Says queued speech failures that came after the console's loop ended (or before it began)."""
    while True:
        try:
            kind, value = events.get_nowait()
        except queue.Empty:
            return
        if kind == "audio":
            announcer.audio_failed(value)


def _lines_of(stream: TextIO) -> Iterable[str]:
    while True:
        line = stream.readline()
        if not line:
            return
        yield line
