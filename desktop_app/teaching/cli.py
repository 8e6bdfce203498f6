"""``nepali-cash-reader teach``: teach notes from photos, and manage what was taught.

    teach PHOTO... --value 100 [--side front|back]   learn a note from photos of it
    teach --list                                     id, value, sides, when, views
    teach --forget ID
    teach --export FILE  /  teach --import FILE       copy taught notes to other machines
    teach --lock / --unlock                           a kiosk's taught notes stay as they are
    teach --keep-images on|off                        also keep the flattened pictures (staff)

Every outcome is printed in the chosen language with the same words the window speaks.
Exit status: 0 done; 1 refused (the reason is printed); 2 bad usage or nothing readable.
"""
from __future__ import annotations

import sys
from pathlib import Path

from desktop_app.recognition.evidence import DENOMINATIONS

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def add_parser(sub, common) -> None:
    tp = sub.add_parser(
        "teach", help="teach a note from photos; list, forget, export or import taught notes",
        description="Teaches the app a note it does not name yet, from photos of it (each photo: "
                    "the whole note, flat, on a plain background). The note is checked first: the "
                    "photos must show one note, the app must not already name it as another value, "
                    "and foreign notes must not match it. Only features are kept, never the photos.",
        epilog="Taught notes live in the data folder (--data-dir; default: $XDG_DATA_HOME/"
               "nepali-cash-reader, %APPDATA%\\NepaliCashReader on Windows) and are used by the "
               "window and the terminal at their next start, or at once when taught in the window.")
    tp.add_argument("photos", nargs="*", type=Path, metavar="PHOTO", help="photos of one note")
    tp.add_argument("--value", choices=DENOMINATIONS, help="the note's value in rupees")
    tp.add_argument("--side", choices=("front", "back"), default="front",
                    help="which side the photos show (default: front)")
    what = tp.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="list the taught notes")
    what.add_argument("--forget", metavar="ID", help="forget one taught note")
    what.add_argument("--export", type=Path, metavar="FILE", help="write every taught note to FILE")
    what.add_argument("--import", dest="import_", type=Path, metavar="FILE",
                      help="check and add the notes in FILE (made by --export)")
    what.add_argument("--lock", action="store_true", help="refuse teaching, forgetting and importing")
    what.add_argument("--unlock", action="store_true", help="allow them again")
    what.add_argument("--keep-images", choices=("on", "off"),
                      help="also keep the flattened pictures of taught notes (off by default)")
    common(tp, top=False)


def _say(catalogue, language: str, key: str, params: dict | None = None, *, err=False) -> None:
    from desktop_app.teaching.teacher import spoken

    text = catalogue.text(key, language, **spoken(params or {}))
    print(text, file=sys.stderr if err else sys.stdout)


def run_teach(args) -> int:
    from desktop_app.paths import DEFAULT_NEGATIVES
    from desktop_app.recognition.gallery import GalleryError
    from desktop_app.teaching.store import UserStore, user_data_dir
    from desktop_app.voice.phrases import PhraseCatalogue

    catalogue = PhraseCatalogue.load()
    language = args.language or "en"
    store = UserStore(user_data_dir(args.data_dir))
    say = lambda key, params=None, err=False: _say(catalogue, language, key, params, err=err)  # noqa: E731
    if args.list:
        return _list(store, say)
    if args.lock or args.unlock:
        store.set_locked(bool(args.lock))
        print(f"taught notes in {store.root}: {'locked' if args.lock else 'unlocked'}")
        return EXIT_OK
    if args.keep_images:
        store.set_keep_images(args.keep_images == "on")
        print(f"keep images of taught notes: {args.keep_images}")
        return EXIT_OK
    if args.export:
        n = store.export(args.export)
        print(f"exported {n} taught note(s) to {args.export}")
        return EXIT_OK
    try:
        from desktop_app.teaching.teacher import Teacher

        teacher = Teacher.open(store, args.gallery, DEFAULT_NEGATIVES)
    except GalleryError as exc:
        key = "teach.no_negatives" if "negatives" in str(exc) else f"gallery.{exc.kind}"
        path = DEFAULT_NEGATIVES if key == "teach.no_negatives" else args.gallery
        say(key, {"path": str(path)}, err=True)
        return EXIT_USAGE
    if args.forget:
        out = teacher.forget(args.forget)
        say(out.key, out.params, err=not out.ok)
        return EXIT_OK if out.ok else EXIT_REFUSED
    if args.import_:
        outcomes = teacher.import_notes(args.import_)
        for out in outcomes:
            label = f"{out.note.id}: " if out.note else ""
            print(label, end="", file=sys.stdout if out.ok else sys.stderr)
            say(out.key, out.params, err=not out.ok)
        return EXIT_OK if outcomes and all(o.ok for o in outcomes) else EXIT_REFUSED
    return _teach_photos(args, teacher, say)


def _list(store, say) -> int:
    notes = store.notes()
    for problem in store.problems:
        say(problem.key, problem.params, err=True)
    if not notes:
        print(f"no taught notes in {store.root}")
        return EXIT_OK
    print(f"{'id':<28} {'value':>5}  {'sides':<13} {'taught (UTC)':<25} views  origin")
    for n in notes:
        print(f"{n.id:<28} {n.value:>5}  {','.join(n.sides):<13} {n.created:<25} {len(n.views):>5}  {n.origin}")
    print(f"{len(notes)} taught note(s) in {store.root}" + ("  [locked]" if store.locked else ""))
    return EXIT_OK


def _teach_photos(args, teacher, say) -> int:
    from desktop_app.sources.stills import read_image
    from desktop_app.teaching.views import examine

    if not args.photos or not args.value:
        print("nepali-cash-reader teach: error: give photos of one note and --value "
              "(or one of --list, --forget, --export, --import)", file=sys.stderr)
        return EXIT_USAGE
    views = []
    for path in args.photos:
        image, why = read_image(path)  # the app's one image reader: size limits, odd files
        if image is None:
            print(f"{path}: skipped: {why}", file=sys.stderr)
            continue
        found = examine(image, args.side, keep_image=teacher.store.keep_images)
        if found.view is None:
            print(f"{path}: skipped: ", end="", file=sys.stderr)
            say(found.problem, err=True)
            continue
        views.append(found.view)
        print(f"{path}: note found, {int(found.view.full_scale.sum())} features")
    if not views:
        say("teach.refused.no_views", err=True)
        return EXIT_USAGE
    out = teacher.learn(args.value, views, origin="files")
    if out.ok:
        print(f"{out.note.id}: ", end="")
    say(out.key, out.params, err=not out.ok)
    if out.detail and args.verbose:
        print(f"  ({out.detail})", file=sys.stderr)
    return EXIT_OK if out.ok else EXIT_REFUSED
