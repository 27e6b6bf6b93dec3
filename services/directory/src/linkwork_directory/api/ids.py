"""Ids in request paths: one that is not a UUID names nothing, so it is answered as an unknown id is (404)."""

from __future__ import annotations

from uuid import UUID

from linkwork_runtime.problems import Problem


def not_found(kind: str, identifier: object) -> Problem:
    return Problem(404, "Not found", f"no {kind} with id {identifier}")


def path_id(kind: str, identifier: str) -> UUID:
    try:
        return UUID(identifier)
    except ValueError as error:
        raise not_found(kind, identifier) from error
