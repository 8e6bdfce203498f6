"""Renders bench/results.json as Markdown into BENCHMARKS.md, between the markers

    <!-- bench:results:begin -->  and  <!-- bench:results:end -->

so the figures in the document are exactly those of the recorded run (never typed by hand).

    python bench/report.py              # update BENCHMARKS.md from bench/results.json
    python bench/report.py --print      # only print the Markdown
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"


def _fig(value) -> str:
    if isinstance(value, dict) and "median" in value:
        return f"median {_num(value['median'])} ms, p95 {_num(value['p95'])} ms (n={value['n']})"
    return _num(value) if isinstance(value, float) else str(value)


def _num(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def markdown(result: dict) -> str:
    m = result.get("machine", {})
    mixed = any((s.get("run") or {}).get("when", result["when"]) != result["when"] for s in result["sections"])
    out = [
        f"{'Latest run' if mixed else 'Recorded'} {result['when']} with `{result['command']}` "
        f"({result['seconds']:.0f} s) on "
        f"{m.get('cpu', m.get('machine', '?'))}, {m.get('cpus', '?')} CPUs, load average "
        f"{m.get('load_avg_1m', '?')} at the start; Python {m.get('python', '?')}.",
        f"Clear-note frames: {result.get('clear_note') or 'none'}.",
        "",
        "### Targets",
        "",
        "| Section | Target | Measured | Limit | Met |",
        "|---|---|---|---|---|",
    ]
    for sec in result["sections"]:
        for c in sec["checks"]:
            op = ">=" if c.get("higher_is_better") else "<="
            out.append(f"| {sec['key']} | {c['name']} | {_num(c['value'])} {c['unit']} | {op} {c['limit']:g} "
                       f"| {'yes' if c['met'] else '**no**: ' + c['why_missed']} |")
    for sec in result["sections"]:
        out += ["", f"### {sec['key']}. {sec['title']} ({sec['status']})", ""]
        run = sec.get("run") or {}
        if run.get("when") and run["when"] != result["when"]:  # a section kept from an earlier run
            rm = run.get("machine") or {}
            out += [f"*Measured in an earlier run: {run['when']} with `{run.get('command')}`, load average "
                    f"{rm.get('load_avg_1m', '?')} at its start. Its ratios are of figures from that run only.*", ""]
        out += [f"- {n}" for n in sec["notes"]]
        if sec["figures"]:
            out += ["", "| Figure | Value |", "|---|---|"]
            out += [f"| {k.strip()} | {_fig(v)} |" for k, v in sec["figures"].items()]
        profile = sec.get("extra", {}).get("profile_one_scan")
        if profile:
            out += ["", "Profile of one scan (cProfile, top entries by cumulative time):", "", "```"]
            out += profile
            out += ["```"]
    return "\n".join(out) + "\n"


def update(doc: Path, block: str) -> None:
    text = doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{doc}: markers {BEGIN} / {END} not found")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    doc.write_text(f"{head}{BEGIN}\n{block}{END}{tail}", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument("--doc", type=Path, default=REPO / "BENCHMARKS.md")
    parser.add_argument("--print", action="store_true", help="print instead of updating the document")
    args = parser.parse_args(argv)
    if not args.results.is_file():
        raise SystemExit(f"{args.results} not found; run `python bench/run.py` first")
    block = markdown(json.loads(args.results.read_text(encoding="utf-8")))
    if args.print:
        sys.stdout.write(block)
    else:
        update(args.doc, block)
        print(f"updated {args.doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
