"""The ports' translations between contract events and domain objects, written once.

The use cases may not import adapters (docs/architecture.md), so reading a referral and writing the
events they publish are methods of their ports (service_layer/ports.py). Every implementation of those
ports, the PostgreSQL stores (match_store.py) and the in-memory fakes of the unit tests, translates the
same way: by inheriting these.
"""

from __future__ import annotations

from linkwork_matching.adapters.inbound import person_from_referral
from linkwork_matching.adapters.outbound import matches_suggested, provision_gap


class ContractEvents:
    person_of = staticmethod(person_from_referral)
    suggestions_message = staticmethod(matches_suggested)
    report_for = staticmethod(provision_gap)
