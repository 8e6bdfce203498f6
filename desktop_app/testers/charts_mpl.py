"""The classify charts drawn with matplotlib (the optional ``charts`` extra); see ``charts``.

Only ``charts`` imports this module, and only when matplotlib is installed. The Agg backend
draws off screen, so a report can be written on a machine without a display.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from desktop_app.testers.charts import cell_kind, inlier_labels

_COLOURS = {"right": "#3c9a3c", "wrong": "#d03c3c", "abstain": "#8c8c8c"}


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    # A Figure without pyplot: no global state, no GUI backend, safe in any thread.
    return Figure(figsize=(width, height), dpi=100)


def _to_bgr(fig) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    return np.ascontiguousarray(rgba[:, :, 2::-1])


def confusion(conf: dict, title: str) -> np.ndarray:
    rows, cols = conf["rows"], conf["columns"]
    counts = np.array(conf["counts"], dtype=int)
    fig = _figure(0.62 * len(cols) + 2.2, 0.55 * len(rows) + 1.9)
    ax = fig.add_subplot()
    totals = counts.sum(axis=1)
    from matplotlib.colors import to_rgb

    image = np.ones((len(rows), len(cols), 3))
    for i, truth in enumerate(rows):
        for j, said in enumerate(cols):
            n = int(counts[i, j])
            if not n:
                continue
            share = n / totals[i]
            colour = np.array(to_rgb(_COLOURS[cell_kind(truth, said)]))
            image[i, j] = 1 - share * (1 - colour)  # a cell's depth of colour: its share of the row
            ax.text(j, i, str(n), ha="center", va="center", fontsize=10,
                    color="white" if share > 0.55 else "#282828",
                    fontweight="bold" if cell_kind(truth, said) == "wrong" else "normal")
    ax.imshow(image, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("what the app said")
    ax.set_ylabel("truth")
    ax.set_xticks(np.arange(-0.5, len(cols)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
    ax.grid(which="minor", color="#dcdcdc", linewidth=1)
    ax.tick_params(which="minor", length=0)
    ax.set_title(title, fontsize=12, pad=10)
    fig.text(0.5, 0.02, "green: right    red: WRONG value spoken    grey: no value spoken",
             ha="center", fontsize=9)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return _to_bgr(fig)


def tradeoff(points: Sequence[dict], current: dict | None, title: str) -> np.ndarray:
    fig = _figure(9.0, 5.6)
    ax = fig.add_subplot()
    margins = sorted({p["min_margin"] for p in points})
    for k, margin in enumerate(margins):
        line = sorted((p for p in points if p["min_margin"] == margin), key=lambda p: p["min_inliers"])
        xs = [100 * (p["wrong_rate"] or 0.0) for p in line]
        ys = [100 * (p["coverage"] or 0.0) for p in line]
        drawn = ax.plot(xs, ys, marker="o", markersize=4, linewidth=1.8, label=f"margin {margin:g}",
                        clip_on=False)[0]  # points on the 0% axis are drawn whole
        if k == len(margins) // 2:  # one line's points named, so the reader can find min_inliers
            for p, text in inlier_labels(line):
                ax.annotate(text, (100 * (p["wrong_rate"] or 0.0), 100 * (p["coverage"] or 0.0)),
                            textcoords="offset points", xytext=(6, 4), fontsize=8, color=drawn.get_color())
    if current is not None:
        ax.plot([100 * (current["wrong_rate"] or 0.0)], [100 * (current["coverage"] or 0.0)], marker="o",
                markersize=14, markerfacecolor="none", markeredgecolor="#282828", markeredgewidth=2,
                linestyle="none", clip_on=False,
                label=f"shipped ({current['min_inliers']} inliers, margin {current['min_margin']:g})")
    ax.set_xlabel("wrong announcements (share of labelled images)")
    ax.set_ylabel("coverage (share of notes whose value is spoken)")
    from matplotlib.ticker import PercentFormatter

    worst = max([100 * (p["wrong_rate"] or 0.0) for p in points] + [1.0])
    ax.set_xlim(0, worst * 1.15)  # never a negative rate on the axis; the worst setting in view
    ax.set_ylim(0, 102)
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=1 if worst < 5 else 0))
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.grid(color="#e6e6e6")
    ax.set_title(title, fontsize=12)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, frameon=False,
              title="numbers: min_inliers", title_fontsize=8)
    fig.tight_layout()
    return _to_bgr(fig)
