"""The command line: start the window (default), or run headless replay and classify.

    nepali-cash-reader [--source 0|VIDEO|FOLDER] [--language ne|en] [--kiosk] [--fullscreen]
    nepali-cash-reader replay VIDEO (--holds HOLDS | --auto) [--labels LABELS] [--report OUT]
    nepali-cash-reader classify IMAGE_OR_FOLDER... [--labels LABELS] [--report OUT] [--jsonl]
    nepali-cash-reader teach PHOTO... --value 100 [--side front|back] | --list | --forget ID | ...

Qt is imported only to start the window, so replay and classify run on machines without it.
Without a display the app falls back to terminal mode (``desktop_app.console``).

Exit codes: 0 ok (inputs that could not be read are named and counted as skipped); 2 bad usage,
or nothing could be read; 1 any other failure.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from desktop_app import __version__
from desktop_app.voice.phrases import LANGUAGES
from desktop_app.paths import DEFAULT_GALLERY, DEFAULT_MODEL

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("desktop_app.cli")

# Qt platforms that draw without a display server (QT_QPA_PLATFORM set by the user).
_HEADLESS_QT_PLATFORMS = {"offscreen", "vnc", "minimal", "minimalegl", "eglfs", "linuxfb", "vkkhrdisplay"}


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAILURE):
        super().__init__(message)
        self.code = code


# --- parser -----------------------------------------------------------------------------------
def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Sub-commands repeat these with SUPPRESS defaults, so an option given before the
    # sub-command is not overwritten by the sub-command's default.
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, default=default(DEFAULT_MODEL), metavar="ONNX",
                        help=f"note model (default: {DEFAULT_MODEL})")
    parser.add_argument("--gallery", type=Path, default=default(DEFAULT_GALLERY), metavar="NPZ",
                        help=f"reference gallery (default: {DEFAULT_GALLERY})")
    parser.add_argument("--language", choices=LANGUAGES, default=default(None),
                        help="language of what is said (default: the saved choice, else Nepali)")
    parser.add_argument("--data-dir", type=Path, default=default(None), metavar="DIR",
                        help="folder of the notes taught on this machine (default: the platform's data folder)")
    parser.add_argument("-v", "--verbose", action="count", default=default(0),
                        help="log more (-vv for debug)")


def build_parser() -> argparse.ArgumentParser:
    from desktop_app.timing import EVAL_INTERVAL

    parser = argparse.ArgumentParser(
        prog="nepali-cash-reader",
        description="Tells which Nepali banknote is held in front of the camera, aloud.",
        epilog="Without a sub-command the window starts. See 'nepali-cash-reader replay -h' "
               "and 'nepali-cash-reader classify -h' for headless checks.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--source", metavar="0|VIDEO|FOLDER",
                        help="camera index (0, 1, ...), or a video file / image folder to play instead")
    parser.add_argument("--kiosk", action="store_true", help="kiosk mode: scan when a note is shown")
    parser.add_argument("--fullscreen", action="store_true", help="start full screen")
    parser.add_argument("--console", action="store_true",
                        help="terminal mode even when a display is available (Enter scans, q quits)")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    rp = sub.add_parser(
        "replay", help="play a video through the scan session; timeline and accuracy report",
        description="Plays a video through the same scan session the window uses, pressing Space at "
                    "the given hold times (or letting the kiosk trigger decide with --auto), and "
                    "reports every announcement. Times are seconds of video time.",
        epilog="HOLDS: lines 'start,end' (seconds; a third column with the note's value is used as "
               "labels). LABELS: lines 'start,end,value' (value 5..1000 or none). Exit status 2 when the "
               "video, folder or a CSV cannot be read (the message names it and why).",
    )
    rp.add_argument("video", type=Path, help="video file, or a folder of images (each shown 2 s)")
    how = rp.add_mutually_exclusive_group(required=True)
    how.add_argument("--holds", type=Path, help="CSV of hold start,end times")
    how.add_argument("--auto", action="store_true", help="the kiosk's own trigger decides when to scan")
    rp.add_argument("--labels", type=Path, help="CSV of start,end,value: what is in view when")
    rp.add_argument("--report", type=Path, metavar="OUT",
                    help="write replay.json, timeline.csv, holds.csv, report.txt into folder OUT "
                         "(or OUT.json and siblings)")
    rp.add_argument("--interval", type=float, default=EVAL_INTERVAL, metavar="S",
                    help=f"seconds of video time between evaluated frames (default {EVAL_INTERVAL:g}: "
                         "the live app's ~5 evaluations per second)")
    rp.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no timeline on screen")
    _common(rp, top=False)

    cp = sub.add_parser(
        "classify", help="name the note in photos; per-class accuracy, confusion matrix, threshold trade-off",
        description="Runs the single-frame path (the same decision thresholds as the app) on photos. "
                    "Folders are searched recursively; a folder named by a denomination (100, 500, ...) "
                    "or 'none'/'foreign' labels the images in it.",
        epilog="Files and folders that cannot be read are named on stderr and counted as skipped; the "
               "exit status is 0 if at least one image was classified, 2 if none could be read.",
    )
    cp.add_argument("paths", nargs="+", type=Path, metavar="IMAGE_OR_FOLDER",
                    help="photos, or folders of photos (searched recursively)")
    cp.add_argument("--labels", type=Path, help="CSV of path,value overriding folder names")
    cp.add_argument("--report", type=Path, metavar="OUT",
                    help="write classify.json, classify.csv, confusion.png, thresholds.png, report.txt "
                         "into folder OUT (or OUT.json and siblings)")
    cp.add_argument("--jsonl", action="store_true",
                    help="print one JSON object per image on stdout (path, decision, side, score, ...); "
                         "the summary goes to stderr")
    cp.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")
    _common(cp, top=False)

    from desktop_app.teaching.cli import add_parser as add_teach

    add_teach(sub, _common)
    return parser


# --- entry point ------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(
        level={0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        from desktop_app.quiet import quiet_native_libraries

        quiet_native_libraries()
    try:
        if args.command == "replay":
            return cmd_replay(args)
        if args.command == "classify":
            return cmd_classify(args)
        if args.command == "teach":
            from desktop_app.teaching.cli import run_teach

            return run_teach(args)
        return cmd_app(args)
    except CliError as exc:
        print(f"nepali-cash-reader: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_FAILURE


# --- the window, or the terminal when there is no display ------------------------------------
def display_available(env: dict | None = None, platform: str | None = None) -> bool:
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin")):
        return True
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if qpa in _HEADLESS_QT_PLATFORMS:
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def cmd_app(args) -> int:
    from desktop_app.console import run_console

    def console(reason: str | None) -> int:
        return run_console(source=args.source, language=args.language or "ne", model=args.model,
                           gallery=args.gallery, kiosk=args.kiosk, reason=reason,
                           data_dir=args.data_dir)

    if args.console:
        return console(None)
    if not display_available():
        log.info("no display (DISPLAY and WAYLAND_DISPLAY unset): terminal mode")
        return console("display.missing")
    try:
        from desktop_app.ui.app import AppOptions, run_app
    except ImportError as exc:  # Qt missing or its system libraries absent
        print(f"The window cannot start ({exc}): starting terminal mode.", file=sys.stderr)
        return console("display.missing")
    options = AppOptions(source=args.source, language=args.language, kiosk=args.kiosk, model=args.model,
                         gallery=args.gallery, fullscreen=args.fullscreen, data_dir=args.data_dir)
    return int(run_app(options) or 0)


# --- shared by replay and classify ------------------------------------------------------------
def _recognizer(args):
    import cv2

    from desktop_app.recognition.recognizer import load_recognizer

    # The verifier's FLANN trees are randomised from OpenCV's global RNG: a fixed seed makes
    # the same input give the same report whatever ran before in this process.
    cv2.setRNGSeed(0)
    # Reports are of the shipped gallery unless --data-dir names taught notes to include.
    taught = None
    if args.data_dir:
        from desktop_app.teaching.loading import open_taught

        taught = open_taught(args.data_dir)
    recognizer, problems = load_recognizer(args.model, args.gallery, extend=taught)
    for problem in problems:
        print(f"warning: {problem.message}", file=sys.stderr)
    verifier = (taught.finish_verifier(recognizer.th)
                if taught is not None and recognizer.ready else None)
    if verifier is not None:
        recognizer.verifier = verifier
    if not recognizer.ready:
        raise CliError(f"cannot name notes without the reference gallery: {args.gallery}")
    return recognizer


def _read_table(reader, path: Path, what: str):
    from desktop_app.testers.reading import ReportInputError

    try:
        return reader(path)
    except ReportInputError as exc:
        raise CliError(f"{what}: {exc}", EXIT_USAGE) from None


def progress_bar(total: int | None, label: str, quiet: bool):
    """A tqdm bar on stderr, drawn only on an interactive terminal: in a log or a pipe it is
    noise, and stdout (the ``--jsonl`` stream) must stay clean."""
    from tqdm import tqdm

    return tqdm(total=total, desc=label, file=sys.stderr, unit="frame" if label == "replay" else "image",
                disable=True if quiet else not _isatty(sys.stderr), dynamic_ncols=True, leave=False)


def _isatty(stream) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def say(bar, text: str, stream=None) -> None:
    """Prints a line (a result, an error) without tearing the progress bar."""
    bar.write(text, file=stream if stream is not None else sys.stderr)


# --- replay -----------------------------------------------------------------------------------
def cmd_replay(args) -> int:
    from desktop_app.sources.frames import ImageFolderSource, SourceError, VideoSource
    from desktop_app.voice.phrases import PhraseCatalogue
    from desktop_app.testers.reading import read_holds, read_labels
    from desktop_app.testers.replay import ReplayError, replay, write_report

    if args.interval <= 0:
        raise CliError(f"--interval must be positive, got {args.interval}", EXIT_USAGE)
    holds = _read_table(read_holds, args.holds, "holds") if args.holds else None
    labels = _read_table(read_labels, args.labels, "labels") if args.labels else None
    if labels is None and holds and all(h.label is not None for h in holds):
        labels = holds  # a holds file with a value column labels itself
    try:
        source = ImageFolderSource(args.video) if args.video.is_dir() else VideoSource(args.video)
    except SourceError as exc:  # names the cause, e.g. a folder of images that may not be listed
        raise CliError(str(exc), EXIT_USAGE) from None
    recognizer = _recognizer(args)
    catalogue = PhraseCatalogue.load()
    progress = progress_bar(source.frame_count, "replay", args.quiet)

    def on_message(message, t) -> None:
        if not progress.disable:  # at a terminal, show what is said as it happens; the table follows
            say(progress, f"{t:8.2f} s  {message.text}", sys.stdout)

    def on_frame(n: int, t: float) -> None:
        progress.update(n - progress.n)
        progress.set_postfix_str(f"{t:.1f} s", refresh=False)

    try:
        with progress:
            result = replay(source, recognizer, catalogue=catalogue, holds=holds, auto=args.auto, labels=labels,
                            interval=args.interval, language=args.language or "ne",
                            on_frame=on_frame, on_message=on_message)
    except ReplayError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    finally:
        source.close()
    if result.frames_read == 0:
        raise CliError(f"no frames could be read from {args.video}", EXIT_USAGE)
    skipped = getattr(source, "skipped", [])
    why = getattr(source, "why_skipped", {})
    for path in skipped:
        print(f"error: {path}: {why.get(path, 'cannot read image')}; skipped", file=sys.stderr)
    from desktop_app.testers.summaries import replay_text

    text = replay_text(result, skipped)
    print(text)
    if args.report:
        paths = write_report(result, args.report, text)
        print(f"report written: {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    return EXIT_OK


# --- classify ---------------------------------------------------------------------------------
def cmd_classify(args) -> int:
    from desktop_app.testers.classify import classify, collect_images, write_report
    from desktop_app.testers.reading import read_label_file

    labels = _read_table(read_label_file, args.labels, "labels") if args.labels else None
    items, unusable = collect_images(args.paths, labels)
    for m in unusable:
        print(f"error: {m['path']}: {m['error']}; skipped", file=sys.stderr)
    if not items:
        raise CliError("no images to classify" + (" (no input could be read)" if unusable else ""), EXIT_USAGE)
    recognizer = _recognizer(args)
    progress = progress_bar(len(items), "classify", args.quiet)

    def on_result(r) -> None:
        progress.update()
        progress.set_postfix_str(Path(r.path).name, refresh=False)
        if args.jsonl:
            sys.stdout.write(json.dumps(r.jsonl(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        elif not args.quiet:
            mark = {"right": "ok", "wrong": "WRONG"}.get(r.outcome or "", r.outcome or "")
            say(progress, f"{r.decision:>7}  {mark:6} {r.path}", sys.stdout)

    def on_skip(s) -> None:
        progress.update()
        say(progress, f"error: {s['path']}: {s['error']}; skipped")

    with progress:
        result = classify(items, recognizer, on_result=on_result, on_skip=on_skip)
    result.skipped = unusable + result.skipped
    result.summary["skipped"] = len(result.skipped)
    from desktop_app.testers.summaries import classify_text

    text = classify_text(result)
    if not args.quiet:
        print(text, file=sys.stderr if args.jsonl else sys.stdout)
    if args.report:
        paths = write_report(result, args.report, text)
        print(f"report written: {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    if not result.results:
        print(f"nepali-cash-reader: error: none of the {len(result.skipped)} input(s) could be read", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
