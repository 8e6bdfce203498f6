"""The "everything taught" re-run of ``training.teach_eval``, and wrong values the app knows.

Every physical note of the photos is left out in turn (``training.data.physical_groups``), as
in ``training.evaluate``: its fold's gallery is every usable reference but its own photos.
Each fold is verified twice: as it is, and merged (``sharing.merge``, as the app does at
start-up) with every note taught in ``teach_eval`` EXCEPT the left-out note's own, so a photo
is never named by a note taught from its own shots. A photo wrong only with the taught notes
is a new wrong answer. The negatives (both halves) face the full gallery with and without
every taught note; only the held-out half was never seen by the teach checks.

In the same folds, each teachable note is taught as other values against its
leave-one-note-out gallery (which names it as its value when it is covered): those teaches
must be refused.
"""
from __future__ import annotations

import time
from pathlib import Path

from desktop_app.recognition.sharing import merge
from desktop_app.recognition.thresholds import DEFAULT
from desktop_app.recognition.verifier import Verifier
from desktop_app.teaching.teacher import taught_gallery
from training.data import physical_groups
from training.folds import evaluate_negatives, negative_images


def chosen_notes(note_results: list[dict], cache) -> dict[str, tuple[object, dict]]:
    """Per note group: the taught note of the largest k that was saved, the CLI's path
    (outline found) before the known outline; with the trial it came from."""
    out = {}
    for res in note_results:
        saved = [t for t in res["trials"] if t["ok"] and t.get("note_file")]
        if not saved:
            continue
        best = max(saved, key=lambda t: (t["k"], t["variant"] == "found"))
        note = cache.note(best["note_file"])
        if note is not None:
            out[res["group"]] = (note, best)
    return out


def compare(before: list[dict], after: list[dict]) -> dict:
    """Per photo, what adding the taught notes changed."""
    was = {r["file"]: r["outcome"] for r in before}
    changes = {"new_wrong": [], "right_lost": [], "right_gained": []}
    for r in after:
        old, new = was[r["file"]], r["outcome"]
        if new == "wrong" and old != "wrong":
            changes["new_wrong"].append(r["file"])
        elif old == "right" and new != "right":
            changes["right_lost"].append(r["file"])
        elif new == "right" and old != "right":
            changes["right_gained"].append(r["file"])
    return changes


def negative_counts(rows: list[dict]) -> dict:
    out = {}
    for half in ("tune", "held_out"):
        mine = [r for r in rows if r["half"] == half]
        out[half] = dict(n=len(mine), accepted=sum(r["accepted"] for r in mine),
                         names=[r["name"] for r in mine if r["accepted"]])
    return out


def teach_shots(note, photos) -> tuple[list, list]:
    """The views a wrong value is taught from (known outlines, the largest k's seeded choice)
    and the shots left to test on."""
    from training.teach_eval import shot_choices

    pick = shot_choices(len(note.photos), min(3, len(note.photos) - 1), note.group)[0]
    views = [v for v, _ in (photos.view(note.photos[j], "known") for j in pick) if v]
    return views, [p for j, p in enumerate(note.photos) if j not in pick]


def views_named(fold, note, full, refs, groups, photos, cache) -> list[dict]:
    """What the fold's leave-one-out gallery makes of the views ``known_as`` checked: its best
    value, whether accepted, inliers and value evidence."""
    from desktop_app.teaching.checks import view_features

    name = f"views-named|{fold}"
    rows = cache.get(name)
    if rows is None:
        verifier = Verifier(full.subset([r.file for r in refs if groups.get(r.file) != fold]),
                            DEFAULT)
        rows = []
        for view in teach_shots(note, photos)[0]:
            v = verifier.verify_features(view_features(view))
            rows.append(dict(best=v.denomination, accepted=v.accepted, inliers=v.inliers,
                             score=round(v.score, 1)))
        cache.put(name, rows)
    return rows


def everything_taught(items, full, refs, notes, note_results, negatives, photos, cache,
                      workdir: Path) -> dict:
    from training.teach_eval import WRONG_KNOWN, named, tally, teach, wrong_values

    groups = physical_groups(items)
    chosen = chosen_notes(note_results, cache)
    teachable = {n.group: n for n in notes}
    all_photos = [it for it in items if it.kind == "photo"]
    before, after, wrong_known = [], [], []
    taught_ids = ",".join(sorted(n.id for n, _ in chosen.values()))
    folds = sorted({groups[p.file] for p in all_photos})
    print(f"everything taught: {len(chosen)} taught notes, {len(folds)} folds", flush=True)
    for i, fold in enumerate(folds):
        mine = [p for p in all_photos if groups[p.file] == fold]
        name = f"rerun|{fold}|{taught_ids}"
        cached = cache.get(name)
        started = time.perf_counter()
        if cached is None:
            base = full.subset([r.file for r in refs if groups.get(r.file) != fold])
            plain = Verifier(base, DEFAULT)
            rows_before = [named(plain, photos, p) for p in mine]
            extra = taught_gallery([n for g, (n, _) in chosen.items() if g != fold])
            merged = merge(base, extra) if extra is not None else base
            rows_after = [named(Verifier(merged, DEFAULT), photos, p) for p in mine]
            wrong = []
            if fold in teachable:
                note = teachable[fold]
                views, tests = teach_shots(note, photos)
                for value in wrong_values(note.value, note.group, WRONG_KNOWN):
                    row, _ = teach(base, plain, negatives, value, views, tests, photos, workdir)
                    wrong.append(dict(row, value=value, truth=note.value, group=fold,
                                      gallery="leave-one-note-out"))
            cached = dict(before=rows_before, after=rows_after, wrong=wrong)
            cache.put(name, cached)
        before += cached["before"]
        after += cached["after"]
        wrong_known += cached["wrong"]
        if any(w["ok"] for w in cached["wrong"]):  # a wrong value let through: say why
            for w in cached["wrong"]:
                w["views_named"] = views_named(fold, teachable[fold], full, refs, groups,
                                               photos, cache)
        ch = compare(cached["before"], cached["after"])
        print(f"  fold {i + 1}/{len(folds)} {fold}: {len(mine)} photos, new wrong "
              f"{len(ch['new_wrong'])}, right lost {len(ch['right_lost'])} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
    neg_name = f"rerun|negatives|{taught_ids}"
    neg = cache.get(neg_name)
    if neg is None:
        shipped = full.subset([r.file for r in refs])
        extra = taught_gallery([n for n, _ in chosen.values()])
        merged = merge(shipped, extra) if extra is not None else shipped
        images = negative_images()
        neg = dict(before=evaluate_negatives(Verifier(shipped, DEFAULT), images),
                   after=evaluate_negatives(Verifier(merged, DEFAULT), images))
        cache.put(neg_name, neg)
    return dict(
        taught=[dict(group=g, id=n.id, value=n.value, views=len(n.views), k=t["k"],
                     variant=t["variant"]) for g, (n, t) in sorted(chosen.items())],
        folds=len(folds), photos=len(after),
        before=tally([r["outcome"] for r in before]), after=tally([r["outcome"] for r in after]),
        changes=compare(before, after),
        negatives_before=negative_counts(neg["before"]),
        negatives_after=negative_counts(neg["after"]),
        wrong_known=wrong_known)
