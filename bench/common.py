"""What every benchmark section shares: timing statistics, results, targets and the table.

Machines here are shared and noisy, so each section reports medians and 95th percentiles from
one run and, where a comparison matters, a ratio of two figures taken in the same run. Nothing
here asserts a time; a missed target is reported, with the reason, never raised.
"""
from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def rel(path) -> str:
    """A path as the reader of the report knows it: relative to the repository when inside it."""
    p = Path(path).resolve()
    try:
        return str(p.relative_to(REPO))
    except ValueError:
        return str(p)


def percentile(samples: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty list."""
    if not samples:
        raise ValueError("percentile of no samples")
    xs = sorted(samples)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass(frozen=True)
class Stats:
    """Summary of durations, in milliseconds."""

    n: int
    median: float
    p95: float
    mean: float
    min: float
    max: float

    @classmethod
    def of_seconds(cls, samples: list[float]) -> "Stats":
        ms = [s * 1000.0 for s in samples]
        return cls(len(ms), percentile(ms, 50), percentile(ms, 95), sum(ms) / len(ms), min(ms), max(ms))

    def as_dict(self) -> dict:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in self.__dict__.items()}

    def __str__(self) -> str:
        return f"median {_ms(self.median)} ms, p95 {_ms(self.p95)} ms (n={self.n})"


def _ms(value: float) -> str:
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def time_calls(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    """Durations (s) of ``runs`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


@dataclass
class Check:
    """One target from the issue: ``value`` compared with ``limit``."""

    name: str
    value: float
    limit: float
    unit: str
    higher_is_better: bool = False
    why_missed: str = ""  # filled in by the section when the target is missed

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit

    def as_dict(self) -> dict:
        return dict(name=self.name, value=round(self.value, 3), limit=self.limit, unit=self.unit,
                    higher_is_better=self.higher_is_better, met=self.met, why_missed="" if self.met else self.why_missed)


@dataclass
class Section:
    """One numbered part of the benchmark and what it found."""

    key: str
    title: str
    status: str = "ok"  # "ok" | "partial" | "skipped" | "failed"
    notes: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # name -> number or Stats
    checks: list[Check] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # anything else worth keeping (profiles, inputs)

    def skip(self, why: str) -> "Section":
        self.status = "skipped"
        self.notes.append(f"skipped: {why}")
        return self

    def partly(self, why: str) -> None:
        if self.status == "ok":
            self.status = "partial"
        self.notes.append(f"skipped: {why}")

    def note(self, text: str) -> None:
        self.notes.append(text)

    def as_dict(self) -> dict:
        return dict(
            key=self.key, title=self.title, status=self.status, notes=self.notes,
            figures={k: (v.as_dict() if isinstance(v, Stats) else v) for k, v in self.figures.items()},
            checks=[c.as_dict() for c in self.checks], extra=self.extra,
        )


def fmt(value) -> str:
    if isinstance(value, Stats):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def render(sections: list[Section]) -> str:
    """The printed table: each section's figures, then every target met or missed."""
    lines: list[str] = []
    for s in sections:
        lines.append(f"== {s.key}. {s.title} [{s.status}]")
        for n in s.notes:
            lines.append(f"   {n}")
        width = max((len(k) for k in s.figures), default=0)
        for k, v in s.figures.items():
            lines.append(f"   {k:<{width}}  {fmt(v)}")
    checks = [(s.key, c) for s in sections for c in s.checks]
    lines.append("")
    lines.append("== Targets")
    if not checks:
        lines.append("   (no target could be measured)")
    width = max((len(c.name) for _, c in checks), default=0)
    for key, c in checks:
        op = ">=" if c.higher_is_better else "<="
        verdict = "met" if c.met else "MISSED"
        lines.append(f"   [{key}] {c.name:<{width}}  {c.value:8.3g} {c.unit:<3} (target {op} {c.limit:g})  {verdict}")
        if not c.met and c.why_missed:
            lines.append(f"        why: {c.why_missed}")
    return "\n".join(lines)


def machine_info() -> dict:
    import platform

    info = dict(python=platform.python_version(), machine=platform.machine(), cpus=os.cpu_count())
    try:
        info["load_avg_1m"] = round(os.getloadavg()[0], 2)
    except OSError:
        pass
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info
