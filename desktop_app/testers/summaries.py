"""The texts ``replay`` and ``classify`` print: what was said when, and accuracy tables."""
from __future__ import annotations


def replay_text(result, skipped=()) -> str:
    from desktop_app.testers.writing import confusion_text, summary_text, text_table

    lines = [
        f"Replay of {result.video}: {result.duration:.1f} s at {result.fps:g} fps, "
        f"{len(result.frames)} frames verified (on a grid of one every {result.interval:g} s of video), "
        f"{'kiosk trigger' if result.mode == 'auto' else f'{len(result.holds)} holds'}.",
    ]
    if skipped:
        lines.append(f"{len(skipped)} unreadable image(s) skipped.")
    rows = []
    for a in result.announcements:
        hold = result.holds[a.hold] if a.hold is not None else None
        if a.decision is None:  # the kiosk's own words, not a scan's answer
            rows.append((f"{a.t:.2f}", "", "", "", "", "", "", "", a.text_en))
            continue
        rows.append((f"{a.t:.2f}", f"{a.hold_start:.2f}", f"{a.time_to_announce:.2f}", a.decision,
                     f"{a.confidence:.2f}", a.frames_used, hold.truth if hold and hold.truth else "",
                     hold.outcome if hold and hold.outcome else "", a.text_en))
    lines.append("")
    lines.append("Announcements:" if rows else "Nothing was announced.")
    if rows:
        lines.append(text_table(("t (s)", "hold at", "after (s)", "said", "conf", "frames", "truth", "outcome",
                                 "words (en)"), rows))
    missed = [h for h in result.holds if h.said is None]
    if missed:
        lines.append("Holds with no answer of their own (pressed again during a scan): "
                     + ", ".join(f"{h.start:g}-{h.end:g} s" if h.end is not None else f"{h.start:g} s"
                                 for h in missed))
    if result.summary is not None:
        lines.append("")
        lines.append("Accuracy per hold:")
        lines.append(summary_text(result.summary, unit="holds"))
        if result.not_scanned:
            lines.append(f"Notes in view that no scan looked at: {len(result.not_scanned)} ("
                         + ", ".join(f"{s['label']} at {s['start']:g}-{s['end']:g} s" for s in result.not_scanned)
                         + ")")
        lines.append("")
        lines.append(confusion_text(result.summary["confusion"]))
    return "\n".join(lines)


def classify_text(result) -> str:
    from desktop_app.testers.writing import confusion_text, percent, summary_text, text_table

    s = result.summary
    lines = [f"Classified {len(result.results)} image(s); {len(result.skipped)} skipped."]
    for skipped in result.skipped:
        lines.append(f"  skipped {skipped['path']}: {skipped['error']}")
    if s["labelled"]:
        lines.append(summary_text(s, unit="images"))
        lines.append("")
        lines.append(confusion_text(s["confusion"]))
        lines.append("")
        lines.append("Threshold trade-off (single frame; shipped setting marked *):")
        rows = [("*" if p["shipped"] else "", p["min_inliers"], f"{p['min_margin']:g}", percent(p["coverage"]),
                 p["wrong"], percent(p["wrong_rate"]))
                for p in result.sweep if p["min_margin"] == result.thresholds.min_margin or p["shipped"]]
        lines.append(text_table(("", "min_inliers", "margin", "coverage", "wrong", "wrong rate"), rows))
    else:
        counts = {}
        for r in result.results:
            counts[r.decision] = counts.get(r.decision, 0) + 1
        lines.append("No labels (name folders by denomination or give --labels): "
                     + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    return "\n".join(lines)
