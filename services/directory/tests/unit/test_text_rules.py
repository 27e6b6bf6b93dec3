from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from linkwork_contracts.codes import Accessibility, CostUnit
from linkwork_directory.domain.accessibility_text import features_in_text
from linkwork_directory.domain.costs import current_price, unit_of
from linkwork_directory.domain.coverage import EVERYWHERE, area_of, postcode_list, remote_coverage
from linkwork_directory.domain.oruk import CostOption, Service
from linkwork_directory.domain.search import ServiceQuery, day_code, page_body
from linkwork_directory.domain.uptake import is_newer, plan_change

pytestmark = pytest.mark.unit
A = Accessibility


def test_features_named_in_accessibility_notes() -> None:
    text = (
        "The building is equipped with induction loops for hearing aids. Wheelchair access is possible on all levels."
    )
    assert features_in_text(text) == [A.WHEELCHAIR_ACCESSIBLE, A.HEARING_LOOP]
    assert features_in_text("No wheelchair access, sorry; blue badge parking outside") == [A.ACCESSIBLE_PARKING]
    assert features_in_text(None, "") == []


@pytest.mark.parametrize(
    "description, unit",
    [
        ("per session", CostUnit.SESSION),
        ("£10 a month", CostUnit.MONTH),
        ("for the whole course", CostUnit.COURSE),
        ("weekly", CostUnit.WEEK),
        ("annual membership", CostUnit.ONE_OFF),
        (None, CostUnit.SESSION),
    ],
)
def test_cost_units_from_wording(description: str | None, unit: CostUnit) -> None:
    assert unit_of(CostOption(id=uuid4(), amount=Decimal(1), amount_description=description)) is unit


def test_the_price_in_force_today() -> None:
    options = [
        CostOption(id=uuid4(), amount=Decimal(0)),
        CostOption(id=uuid4(), amount=Decimal("3.5"), valid_to=date(2025, 1, 1)),
        CostOption(id=uuid4(), amount=Decimal("2.499"), unit="week"),
    ]
    price = current_price(options, date(2025, 6, 1))
    assert price is not None and (price.amount_pence, price.per) == (250, CostUnit.WEEK)
    assert current_price(options[:2], date(2025, 6, 1)) is None


def test_days_and_query_checks() -> None:
    assert [day_code(d) for d in ("mo", "Tuesday", "WED", "su")] == ["MO", "TU", "WE", "SU"]
    with pytest.raises(ValueError):
        day_code("someday")
    assert ServiceQuery(proximity_m=500).problems == ["proximity needs a postcode to measure from"]
    assert ServiceQuery(page=0, per_page=500).problems == [
        "page must be between 1 and 10000",
        "per_page must be between 1 and 200",
    ]


def test_page_fields() -> None:
    assert page_body([], total=0, page=1, per_page=10) == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }
    body = page_body([{"id": "x"}], total=21, page=3, per_page=10)
    assert (body["total_pages"], body["last_page"], body["size"]) == (3, True, 1)


def test_plan_revisions_add_and_drop_services() -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    week, later = date(2025, 6, 2), date(2025, 6, 9)
    change = plan_change({a: week, b: week}, [(b, later), (c, later)])
    assert change.added == {c: later} and change.removed == {a} and change.services == {a, c}
    assert is_newer(2, 1) and is_newer(1, None) and not is_newer(1, 1) and not is_newer(1, 2)


def test_where_remote_services_are_available() -> None:
    def remote(areas: list[tuple[str, str]], modes: list[str]) -> list[str]:
        service = Service.model_validate(
            {
                "id": str(uuid4()),
                "name": "Line",
                "status": "active",
                "service_areas": [
                    {"id": str(uuid4()), "extent": extent, "extent_type": kind} for extent, kind in areas
                ],
                "social_prescribing": {"delivery_modes": modes},
            }
        )
        return remote_coverage(service)

    assert remote([("LS, bd1", "text")], ["telephone"]) == ["BD1", "LS"]
    assert remote([("All of Leeds", "text"), ("{}", "geojson")], ["online"]) == [EVERYWHERE]
    assert remote([("LS", "text")], ["in-person"]) == []
    assert postcode_list("LS6 LS7,BD") == ["LS6", "LS7", "BD"] and postcode_list("Leeds") is None
    assert area_of("LS16") == "LS" and area_of("E1W") == "E"
