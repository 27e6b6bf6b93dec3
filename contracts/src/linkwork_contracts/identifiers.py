"""Identifier formats shared by events: the pseudonymous person reference and ODS codes."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Annotated

from pydantic import AfterValidator, Field

from linkwork_contracts.nhs_number import is_valid_nhs_number, normalise_nhs_number

PERSON_REF_PATTERN = r"^[0-9a-f]{64}$"

PersonRef = Annotated[
    str,
    Field(
        pattern=PERSON_REF_PATTERN,
        description=(
            "Pseudonymous person reference: HMAC-SHA256 (hex) of the NHS number keyed with a "
            "per-deployment secret held only by the referral service"
        ),
    ),
]

# GP practice codes in the Organisation Data Service are one letter and five digits.
PracticeOdsCode = Annotated[
    str,
    Field(pattern=r"^[A-Z][0-9]{5}$", description="ODS code of the GP practice, e.g. B86001"),
]
# Primary Care Network codes in ODS are "U" and five digits.
PcnCode = Annotated[str, Field(pattern=r"^U[0-9]{5}$", description="ODS code of the Primary Care Network")]
# Any other ODS organisation or site code (trusts, councils, VCSE organisations registered in ODS).
OdsCode = Annotated[str, Field(pattern=r"^[A-Z0-9]{3,10}$", description="Organisation Data Service code")]

# Ten digits, alone or written 3-3-4 with hyphens or dots, not part of a longer run of digits.
_NHS_NUMBER_INSIDE = re.compile(r"(?<!\d)\d{3}[-.]?\d{3}[-.]?\d{4}(?!\d)")


def _no_nhs_number(value: str) -> str:
    # A request id is a Kafka key, a database key and goes into referral-created, kept for ever: a sending
    # system that builds it from the NHS number would spread the identifier everywhere.
    for found in _NHS_NUMBER_INSIDE.finditer(value):
        if is_valid_nhs_number(re.sub(r"[-.]", "", found.group())):
            raise ValueError("request_id must not contain an NHS number")
    return value


# Ids that external systems give their referral requests: opaque, but safe as a Kafka key,
# a URL segment and a database key.
RequestId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
        description="The sending system's id for this request; resending the same id is a no-op",
    ),
    AfterValidator(_no_nhs_number),
]

# Opaque ids of staff accounts (a link worker, a curator): never a name or an email address.
STAFF_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
StaffId = Annotated[str, Field(pattern=STAFF_ID_PATTERN, description="Opaque staff id")]


def derive_person_ref(nhs_number: str, secret: bytes) -> str:
    """The `person_ref` for an NHS number: stable within a deployment, unlinkable across them."""
    if not is_valid_nhs_number(nhs_number):
        raise ValueError("not a valid NHS number (10 digits with a correct check digit)")
    if len(secret) < 32:
        # HMAC-SHA256 keys shorter than the hash output weaken the pseudonym.
        raise ValueError("the person_ref secret must be at least 32 bytes")
    digits = normalise_nhs_number(nhs_number).encode("ascii")
    return hmac.new(secret, digits, hashlib.sha256).hexdigest()
