"""models/TEACH_EVALUATION.md from the results of ``training.teach_eval``."""
from __future__ import annotations

from collections import Counter
from statistics import median

from training.teach_eval import KS, VARIANTS

VARIANT_NAMES = {"found": "outline found (CLI path, `views.examine`)",
                 "known": "known outline (`views.view_from_quad`)"}


def _keys(rows: list[dict]) -> str:
    c = Counter(r["key"] for r in rows)
    return ", ".join(f"{k} {n}" for k, n in sorted(c.items())) or "-"


def _sum(rows: list[dict], key: str) -> int:
    return sum(r[key] for r in rows)


def per_k_table(notes: list[dict]) -> list[str]:
    lines = ["| Views from | k shots | Trials | Saved | Refused (key: count) | Other shots tested "
             "| Right | Wrong | Not sure | Right when saved |", "|---" * 10 + "|"]
    for variant in VARIANTS:
        for k in KS:
            rows = [t for n in notes for t in n["trials"] if t["k"] == k and t["variant"] == variant]
            if not rows:
                continue
            saved = [t for t in rows if t["ok"]]
            tested = sum(len(t["tests"]) for t in rows)
            saved_tests = sum(len(t["tests"]) for t in saved)
            refused = _keys([t for t in rows if not t["ok"]])
            lines.append(
                f"| {variant} | {k} | {len(rows)} | {len(saved)} | {refused} | {tested} | "
                f"{_sum(rows, 'right')} | {_sum(rows, 'wrong')} | {_sum(rows, 'not_sure')} | "
                f"{_sum(saved, 'right')}/{saved_tests} |")
    return lines


def notes_table(notes: list[dict]) -> list[str]:
    lines = ["| Note (first photo) | Value, side | Photos "
             "| Gallery without it: right / wrong / not sure | Best guess (not accepted) "
             "| Taught shots that gave a view, over its trials: found / known |", "|---" * 6 + "|"]
    for n in notes:
        b = n["before_tally"]
        guesses = Counter(r["best"] for r in n["before"] if r["named"] is None)
        guess = ", ".join(f"{g or 'nothing'} x{c}" for g, c in guesses.most_common()) or "-"
        views = {v: [t for t in n["trials"] if t["variant"] == v] for v in VARIANTS}
        made = " / ".join(f"{_sum(views[v], 'views')}/{sum(len(t['shots']) for t in views[v])}"
                          for v in VARIANTS)
        lines.append(f"| `{n['group']}` | Rs {n['value']} {n['side']} | {n['photos']} | "
                     f"{b['right']} / {b['wrong']} / {b['not_sure']} | {guess} | {made} |")
    return lines


def refusals(notes: list[dict]) -> list[str]:
    rows = [(n, t) for n in notes for t in n["trials"] if not t["ok"]]
    if not rows:
        return ["No teach of a right value was refused."]
    lines = ["| Note | k | Views from | Views | Key | Detail |", "|---|---|---|---|---|---|"]
    for n, t in rows:
        detail = (t["detail"] or ("; ".join(sorted(set(t["problems"]))) if t["problems"] else "")
                  ).replace("|", "/")
        lines.append(f"| Rs {n['value']} {n['side']} `{n['group'].split('/')[-1]}` | {t['k']} | "
                     f"{t['variant']} | {t['views']} | {t['key']} | {detail} |")
    return lines


def wrong_table(rows: list[dict], title: str) -> list[str]:
    if not rows:
        return [f"{title}: none tried."]
    refused = [r for r in rows if not r["ok"]]
    lines = [f"{title}: **{len(refused)}/{len(rows)} refused** ({_keys(refused)}).", ""]
    accepted = [r for r in rows if r["ok"]]
    if accepted:
        lines += ["| Saved as | Truth | Note | Its other shots: right / wrong / not sure "
                  "| The gallery on the taught views (best value, accepted, inliers, evidence) |",
                  "|---|---|---|---|---|"]
        for r in accepted:
            seen = "; ".join(f"{v['best']} {'accepted' if v['accepted'] else 'not accepted'} "
                             f"{v['inliers']} {v['score']}" for v in r.get("views_named", ()))
            lines.append(f"| Rs {r['value']} | Rs {r.get('truth', '?')} | `{r.get('group', '?')}` | "
                         f"{r['right']} / {r['wrong']} / {r['not_sure']} | {seen or '-'} |")
    return lines


def rerun_section(r: dict) -> list[str]:
    b, a, ch = r["before"], r["after"], r["changes"]
    taught = ", ".join(f"Rs {t['value']} ({t['variant']}, k={t['k']}, {t['views']} views)"
                       for t in r["taught"])
    lines = [f"Taught notes added: {len(r['taught'])} ({taught}).",
             "", "| Photos (leave-one-physical-note-out) | Right | Wrong | Not sure |",
             "|---|---|---|---|",
             f"| without taught notes | {b['right']} | {b['wrong']} | {b['not_sure']} |",
             f"| with every taught note (but the photo's own) | {a['right']} | {a['wrong']} "
             f"| {a['not_sure']} |",
             "", f"- **New wrong answers: {len(ch['new_wrong'])}** {ch['new_wrong'] or ''}",
             f"- Right before, not right after: {len(ch['right_lost'])} {ch['right_lost'] or ''}",
             f"- Right only with the taught notes: {len(ch['right_gained'])}", "",
             "| Negatives (full gallery) | Tuning half accepted | Held-out half accepted |",
             "|---|---|---|"]
    for label, key in (("without taught notes", "negatives_before"),
                       ("with every taught note", "negatives_after")):
        n = r[key]
        lines.append(f"| {label} | {n['tune']['accepted']}/{n['tune']['n']} "
                     f"{n['tune']['names'] or ''} | {n['held_out']['accepted']}/{n['held_out']['n']} "
                     f"{n['held_out']['names'] or ''} |")
    return lines


def markdown(res: dict) -> str:
    from training.teach_eval import __doc__ as protocol

    notes = res["notes"]
    run = res.get("computed_run")
    computed = f"{run['seconds']:.0f} s ({run['runs']} run(s))" if run else "(not recorded)"
    trials = [t for n in notes for t in n["trials"]]
    learn_s = [t["seconds"] for t in trials if t["ok"]]
    wrong_unknown = [dict(w, truth=n["value"], group=n["group"]) for n in notes for w in n["wrong"]]
    out = ["# Teach mode on the shared photos", "",
           "Generated by `python -m training.teach_eval` (models/teach_evaluation.json has every "
           f"row). Seed {res['seed']}, {res['choices']} seeded shot choice(s) per k, "
           f"{res['negatives_tuning']} tuning-half negatives in the teach check. This run took "
           f"{res['seconds']} s; results are cached by code version, and the runs that computed "
           f"them took {computed} in all.", "",
           "## Protocol", "", *[ln[4:] if ln.startswith("    ") else ln
                                 for ln in protocol.split("\n", 1)[1].strip().splitlines()], "",
           "## The notes, and what a gallery without their value's side says", "",
           *notes_table(notes), "",
           "## Taught from k shots, tested on the note's other shots", "",
           "Views from: " + "; ".join(f"`{k}` = {v}" for k, v in VARIANT_NAMES.items())
           + ". Right / wrong / not sure count every trial's other shots, verified with the "
             "gallery in use after the teach (unchanged when refused).", "",
           *per_k_table(notes), "",
           "Saved teaches took " + (f"median {median(learn_s):.1f} s, max {max(learn_s):.1f} s"
                                    if learn_s else "-") + " in `Teacher.learn` (checks + merge).",
           "", "## Refused teaches of the right value", "", *refusals(notes), "",
           "## Teaching a note as a WRONG value", "",
           *wrong_table(res["rerun"]["wrong_known"],
                        "(a) Against its leave-one-note-out gallery (the app knows the value)"), "",
           *wrong_table(wrong_unknown, "(b) Against the gallery that cannot name it"), "",
           "In (b) nothing in the gallery contradicts the value given, so no check can tell a "
           "mislabel from a note never seen; the person teaching is the only safeguard there.",
           "", "## Everything taught: the whole evaluation again", "",
           *rerun_section(res["rerun"]), ""]
    return "\n".join(out)
