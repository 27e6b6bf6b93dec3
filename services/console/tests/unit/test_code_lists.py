"""The console's choices for a coded value: each list is the contract's own set of codes, worded by the console."""

from __future__ import annotations

import pytest
from linkwork_console.web import pages
from linkwork_contracts.codes import SharedContactRoute

pytestmark = pytest.mark.unit


def test_the_plan_offers_every_contact_route_a_provider_may_be_given() -> None:
    assert set(pages.SHARE_ROUTES) == {route.value for route in SharedContactRoute}
    assert next(iter(pages.SHARE_ROUTES)) == SharedContactRoute.VIA_LINK_WORKER  # shares nothing unless chosen
