"""Who is asking: the signed-in person's identity and role, free of any web or token library.

Domain and service-layer code decide access from a `Principal`; only `linkwork_runtime.auth` knows how one is
read from a bearer token, so the rules can be unit-tested without FastAPI or PyJWT.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    REFERRER = "referrer"
    LINK_WORKER = "link_worker"
    PCN_ADMIN = "pcn_admin"
    COMMISSIONER = "commissioner"
    CURATOR = "curator"
    PROVIDER = "provider"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    pcn: str
    organisation: str | None = None
    icb: str | None = None
    # The person's name for the record of who changed what (curation history); not used for access.
    name: str | None = None
