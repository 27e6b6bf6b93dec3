"""Which code a benchmark measured: the git commit and whether the tree had uncommitted changes.

Every suite stores this in its results.json, so a figure can be traced to the code it came from and
bench/report.py can say which figures come from a clean, committed tree.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def git_state() -> dict[str, Any]:
    """{"commit": sha or None, "dirty": True/False, or None when git cannot tell}."""

    def git(*arguments: str) -> str | None:
        try:
            done = subprocess.run(["git", *arguments], cwd=REPO, capture_output=True, text=True, check=False)
        except OSError:
            return None
        return done.stdout if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": commit.strip() if commit else None,
        "dirty": None if status is None else bool(status.strip()),
    }


def with_provenance(results: dict[str, Any]) -> dict[str, Any]:
    """The results with their provenance first, as every results.json records it."""
    return {"provenance": git_state(), **{k: v for k, v in results.items() if k != "provenance"}}
