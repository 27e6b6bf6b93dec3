"""The person being referred: identifiable details that never leave this service."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from linkwork_contracts.codes import (
    Accessibility,
    AgeBand,
    ContactMethod,
    EthnicCategory,
    Sex,
    age_band,
)


@dataclass(frozen=True)
class Person:
    given_name: str
    family_name: str
    nhs_number: str | None
    date_of_birth: date
    sex: Sex
    ethnic_category: EthnicCategory = EthnicCategory.NOT_KNOWN
    address_lines: tuple[str, ...] = ()
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_contact: ContactMethod | None = None
    languages: tuple[str, ...] = ("en",)
    interpreter_needed: bool = False
    accessibility_needs: tuple[Accessibility, ...] = ()

    def age_on(self, day: date) -> int:
        birthday_passed = (day.month, day.day) >= (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - (0 if birthday_passed else 1)

    def age_band_on(self, day: date) -> AgeBand:
        return age_band(self.age_on(day))


# What the pseudonymous profile in referral-created carries (age band from the date of birth, postcode
# district and location from the postcode): a change to any of these re-publishes the referral for matching.
MATCHING_FIELDS = frozenset(
    {
        "date_of_birth",
        "sex",
        "ethnic_category",
        "postcode",
        "languages",
        "interpreter_needed",
        "accessibility_needs",
    }
)


def changed_fields(old: Person, new: Person) -> tuple[str, ...]:
    """The names of the fields that differ, in the dataclass's order."""
    return tuple(f.name for f in fields(Person) if getattr(old, f.name) != getattr(new, f.name))
