#!/usr/bin/python3
"""Reads the app over AT-SPI the way Orca does: the accessible tree, and announcement events.

Run it with the *system* Python (it needs python3-pyatspi), inside the same D-Bus session and
X display as the app; ``--launch`` starts the app after the listeners are registered, with
QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 so Qt exposes it without a running screen reader.
tools/screenshot.sh wraps all of it (Xvfb, D-Bus, the AT-SPI bus, xdotool, screenshots):

    tools/screenshot.sh VIDEO /tmp/ncr-ui "500 rupees" -- --language en

It prints the tree (role, name, description, focusable) and every ``object:announcement``
event (Qt 6.8+ emits one per QAccessibleAnnouncementEvent; Orca speaks them), then exits 0 when
the ``--expect`` text arrived as an announcement, 1 when it did not, 2 when the app was not found.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import pyatspi
from gi.repository import GLib

EVENTS = (
    "object:announcement",
    "object:state-changed:focused",
    "object:property-change:accessible-name",
)


def walk(node, depth: int = 0, out: list | None = None, max_nodes: int = 500) -> list:
    out = [] if out is None else out
    if node is None or len(out) >= max_nodes or depth > 25:
        return out
    try:
        states = node.getState()
        entry = {
            "depth": depth,
            "role": node.getRoleName(),
            "name": node.name or "",
            "description": node.description or "",
            "focusable": states.contains(pyatspi.STATE_FOCUSABLE),
            "showing": states.contains(pyatspi.STATE_SHOWING),
        }
    except Exception as exc:  # a node that vanished mid-walk
        out.append({"depth": depth, "error": str(exc)})
        return out
    out.append(entry)
    for index in range(node.childCount):
        walk(node.getChildAtIndex(index), depth + 1, out, max_nodes)
    return out


def describe_event(event) -> dict:
    source = event.source
    try:
        source_name, source_role = source.name or "", source.getRoleName()
    except Exception:
        source_name, source_role = "", ""
    data = event.any_data
    return {
        "type": str(event.type),
        "source": source_name,
        "role": source_role,
        "text": data if isinstance(data, str) else str(data),
        "detail1": event.detail1,  # politeness for announcements (1 polite, 2 assertive in ATK terms)
        "detail2": event.detail2,
        "t": round(time.monotonic(), 3),
    }


def find_app_now(needle: str):
    desktop = pyatspi.Registry.getDesktop(0)
    for index in range(desktop.childCount):
        app = desktop.getChildAtIndex(index)
        if app is None:
            continue
        names = [app.name or ""]
        names += [(app.getChildAtIndex(i).name or "") for i in range(min(app.childCount, 10))
                  if app.getChildAtIndex(i) is not None]
        if any(needle.lower() in n.lower() for n in names):
            return app
    return None


def print_tree(app, tree: list) -> None:
    print(f"application: {app.name!r}, {len(tree)} accessible nodes", flush=True)
    for node in tree:
        if "error" in node:
            continue
        flag = " [focusable]" if node["focusable"] else ""
        print(f"{'  ' * node['depth']}{node['role']}: {node['name']!r}{flag}"
              + (f" — {node['description']}" if node["description"] else ""), flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app", default="Nepali Cash Reader", help="application or window name to look for")
    parser.add_argument("--launch", default=None,
                        help="shell command that starts the app after the listeners are registered, "
                             "so start-up announcements are caught too")
    parser.add_argument("--wait", type=float, default=20.0, help="seconds to wait for the app to appear")
    parser.add_argument("--listen", type=float, default=5.0, help="seconds to listen once the app is found")
    parser.add_argument("--then", default=None, help="shell command to run once the app is found (e.g. xdotool)")
    parser.add_argument("--then-delay", type=float, default=1.0, help="seconds between finding the app and --then")
    parser.add_argument("--expect", action="append", default=[],
                        help="text that must arrive as an announcement (repeatable)")
    parser.add_argument("--json", default=None, help="also write everything to this JSON file")
    args = parser.parse_args(argv)

    events: list[dict] = []
    children: list[subprocess.Popen] = []
    state = {"app": None, "tree": [], "started": time.monotonic()}

    def on_event(event):
        item = describe_event(event)
        events.append(item)
        if item["type"].startswith("object:announcement"):
            print(f"ANNOUNCEMENT ({item['detail1']}): {item['text']}", flush=True)

    def look_for_app():
        app = find_app_now(args.app)
        if app is None:
            if time.monotonic() - state["started"] > args.wait:
                pyatspi.Registry.stop()
                return False
            return True  # try again
        state["app"] = app
        state["tree"] = walk(app)
        print_tree(app, state["tree"])
        if args.then:
            GLib.timeout_add(int(args.then_delay * 1000),
                             lambda: children.append(subprocess.Popen(args.then, shell=True)) and False)
        def finish():
            state["tree_after"] = walk(app)  # what a user Tabbing around would find at the end
            pyatspi.Registry.stop()
            return False

        GLib.timeout_add(int(args.listen * 1000), finish)
        return False

    # Listeners first: the registry tells the app someone listens, and Qt only then emits.
    pyatspi.Registry.registerEventListener(on_event, *EVENTS)
    if args.launch:
        children.append(subprocess.Popen(args.launch, shell=True))
    GLib.timeout_add(500, look_for_app)
    pyatspi.Registry.start()
    app = state["app"]
    if app is None:
        print(f"no accessible application named like {args.app!r}", file=sys.stderr)
    for child in children:
        if child.poll() is None and args.then and child.args == args.then:
            child.wait(timeout=30)

    announcements = [e["text"] for e in events if e["type"].startswith("object:announcement")]
    missing = [text for text in args.expect if not any(text in a for a in announcements)]
    result = {"app": app.name if app is not None else None, "tree": state["tree"],
              "tree_after": state.get("tree_after", []), "events": events,
              "announcements": announcements, "expected": args.expect, "missing": missing}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, ensure_ascii=False, indent=1)
    print(f"{len(announcements)} announcements; missing: {missing}")
    if app is None:
        return 2
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
