"""Generate and check the contract artefacts checked into contracts/.

python -m linkwork_contracts.export            write schemas/, asyncapi.json, README catalogue
python -m linkwork_contracts.export --check    exit 1 if any artefact is stale, any event
                                               schema fails the privacy guard, or a change
                                               breaks compatibility with released/
python -m linkwork_contracts.export --release  after the checks pass, copy the current event
                                               schemas into released/ (do this per release)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from linkwork_contracts.asyncapi import asyncapi_document
from linkwork_contracts.catalogue import with_catalogue
from linkwork_contracts.compatibility import compare_sets, load_schemas
from linkwork_contracts.privacy import privacy_problems
from linkwork_contracts.registry import EVENT_CLASSES
from linkwork_contracts.schemas import all_event_schemas, envelope_schema, event_schema

# src/linkwork_contracts/export.py -> contracts/
CONTRACTS_DIR = Path(__file__).resolve().parents[2]
SCHEMAS = Path("schemas")
RELEASED = Path("released")
ASYNCAPI = Path("asyncapi.json")
README = Path("README.md")
ENVELOPE = SCHEMAS / "cloudevent.json"


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render(contracts_dir: Path) -> dict[Path, str]:
    """Every generated file (relative path -> text) as the current code would write it."""
    files = {SCHEMAS / f"{t}.json": to_json(s) for t, s in all_event_schemas().items()}
    files[ENVELOPE] = to_json(envelope_schema())
    files[ASYNCAPI] = to_json(asyncapi_document())
    files[README] = with_catalogue((contracts_dir / README).read_text(encoding="utf-8"))
    return files


# How a committed artefact can differ from what the code generates, in `--check`'s words.
_STALE = {
    "missing": "missing",
    "differs": "differs from what the models generate",
    "orphan": "no model generates it any more",
}


def _stale(contracts_dir: Path) -> tuple[dict[Path, str], list[tuple[Path, str]]]:
    """What the code generates, and each artefact on disk that is not that (path, a key of _STALE)."""
    files = render(contracts_dir)
    stale = []
    for relative, text in files.items():
        path = contracts_dir / relative
        if not path.exists():
            stale.append((relative, "missing"))
        elif path.read_text(encoding="utf-8") != text:
            stale.append((relative, "differs"))
    for path in sorted((contracts_dir / SCHEMAS).glob("*.json")):
        if path.relative_to(contracts_dir) not in files:
            stale.append((path.relative_to(contracts_dir), "orphan"))
    return files, stale


def write(contracts_dir: Path) -> list[Path]:
    """Write every artefact; remove schema files no model produces any more. Returns changes."""
    files, stale = _stale(contracts_dir)
    for relative, how in stale:
        path = contracts_dir / relative
        if how == "orphan":
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[relative], encoding="utf-8")
    return [relative for relative, _ in stale]


def stale_artefacts(contracts_dir: Path) -> list[str]:
    """How the committed artefacts differ from what the code generates."""
    return [f"{relative}: {_STALE[how]}" for relative, how in _stale(contracts_dir)[1]]


def privacy_findings() -> list[str]:
    """Privacy guard findings over every registered event's generated schema."""
    return [
        f"{cls.TYPE}: {problem}"
        for cls in EVENT_CLASSES
        for problem in privacy_problems(
            event_schema(cls),
            identifiable=cls.IDENTIFIABLE,
            about_a_person=cls.KEY_FIELD == "referral_id",
            shared_with_provider=cls.SHARED_WITH_PROVIDER,
        )
    ]


def compatibility_findings(contracts_dir: Path) -> list[str]:
    return compare_sets(load_schemas(contracts_dir / RELEASED), all_event_schemas())


def release(contracts_dir: Path) -> list[Path]:
    """Record the current event schemas as released (adding new types, updating changed ones)."""
    target = contracts_dir / RELEASED
    target.mkdir(exist_ok=True)
    written = []
    for event_type, schema in all_event_schemas().items():
        path = target / f"{event_type}.json"
        text = to_json(schema)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path.relative_to(contracts_dir))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m linkwork_contracts.export")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail if anything is stale or unsafe")
    mode.add_argument("--release", action="store_true", help="record current schemas as released")
    parser.add_argument("--dir", type=Path, default=CONTRACTS_DIR, help="the contracts directory")
    args = parser.parse_args(argv)
    if args.check:
        problems = [
            *stale_artefacts(args.dir),
            *privacy_findings(),
            *compatibility_findings(args.dir),
        ]
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run `python -m linkwork_contracts.export` to regenerate", file=sys.stderr)
        return 1 if problems else 0
    blocking = [*privacy_findings(), *(compatibility_findings(args.dir) if args.release else [])]
    if blocking:
        for problem in blocking:
            print(problem, file=sys.stderr)
        return 1
    changed = write(args.dir)
    if args.release:
        changed += release(args.dir)
    for path in changed:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
