"""Where the time goes in a py-spy flame graph, as text: self time by package and by function.

    python -m bench.system.flames bench/profiles/referral.svg [--top 15]

A frame's self time is its samples minus those of the frames called from it (the next row down whose
x range lies within its own). Packages are the first part of the frame's file path (fastapi, asyncpg, ...).
py-spy's --nonblocking mode cannot tell a thread waiting in epoll or on a condition from a busy one, so those
frames are counted apart as idle and the shares are of the busy samples.
"""

from __future__ import annotations

import argparse
import html
import re
from collections import Counter, defaultdict
from pathlib import Path

_FRAME = re.compile(
    r'<title>(?P<title>[^<]*)</title><rect[^>]*?y="(?P<y>\d+)"[^>]*?fg:x="(?P<x>\d+)" fg:w="(?P<w>\d+)"'
)
IDLE = ("EpollSelector.select (selectors.py)", "Condition.wait (threading.py)")
_TITLE = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\) \((?P<samples>[\d,]+) samples")


def self_time(svg: str) -> tuple[Counter[str], Counter[str], int]:
    """Busy self samples by function and by package, and the idle samples."""
    rows: dict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
    for match in _FRAME.finditer(svg):
        title = _TITLE.match(html.unescape(match["title"]))
        if title is None:  # the root "all" frame
            continue
        rows[int(match["y"])].append((int(match["x"]), int(match["w"]), title["function"], title["file"]))
    levels = sorted(rows)
    functions: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    idle = 0
    for index, y in enumerate(levels):
        below = rows[levels[index + 1]] if index + 1 < len(levels) else []
        for x, width, function, file in rows[y]:
            own = width - sum(w for cx, w, _, _ in below if x <= cx < x + width)
            name = f"{function} ({file})"
            if own <= 0:
                continue
            if name in IDLE:
                idle += own
                continue
            functions[name] += own
            packages[file.split("/", 1)[0] if "/" in file else file] += own
    return functions, packages, idle


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.system.flames", description=__doc__)
    parser.add_argument("svg", type=Path, nargs="+")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    for path in args.svg:
        functions, packages, idle = self_time(path.read_text())
        total = sum(functions.values())
        print(f"{path}: {total} busy samples ({idle} idle)")
        print("  by package: " + ", ".join(f"{p} {n / total:.0%}" for p, n in packages.most_common(args.top)))
        for function, samples in functions.most_common(args.top):
            print(f"  {samples / total:6.1%}  {function}")


if __name__ == "__main__":
    main()
