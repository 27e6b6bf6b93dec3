"""Events for the integration tests: service snapshots around HOME and referrals living there."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

from linkwork_contracts import examples
from linkwork_contracts.codes import (
    DayOfWeek,
    DeliveryMode,
    NeedCategory,
    PartOfDay,
    ReferralRoute,
    ServiceStatus,
    TravelMode,
)
from linkwork_contracts.events import (
    AvailabilitySlot,
    Capacity,
    Cost,
    Organisation,
    Preferences,
    ReferralCreatedV1,
    Schedule,
    ServiceChangedV1,
    ServiceChangedV2,
    ServiceLocation,
)
from linkwork_contracts.geography import ApproxLocation

HOME = ApproxLocation(latitude=53.82, longitude=-1.58)
PCN = examples.PCN
AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def snapshot(
    service_id: UUID | None = None,
    *,
    name: str = "Health walks",
    km_north: float = 1.0,
    needs: tuple[NeedCategory, ...] = (NeedCategory.PHYSICAL_ACTIVITY,),
    revision: int = 1,
    status: ServiceStatus = ServiceStatus.ACTIVE,
    modes: tuple[DeliveryMode, ...] = (DeliveryMode.IN_PERSON,),
    **extra: Any,
) -> ServiceChangedV1:
    service_id = service_id or uuid4()
    location_id = uuid4()
    in_person = DeliveryMode.IN_PERSON in modes
    fields: dict[str, Any] = {
        "service_id": service_id,
        "revision": revision,
        "changed_at": AT,
        "name": name,
        "organisation": Organisation(id=UUID(int=1), name="Test Community Trust"),
        "status": status,
        "description": f"{name}: friendly and free.",
        "need_categories": needs,
        "delivery_modes": modes,
        "locations": (
            ServiceLocation(
                id=location_id,
                name="Community hall",
                postcode="LS6 1AA",
                latitude=HOME.latitude + km_north / 111.195,
                longitude=HOME.longitude,
            ),
        )
        if in_person
        else (),
        "schedules": (Schedule(byday=(DayOfWeek.TU,), opens_at=time(10, 0), closes_at=time(11, 30)),),
        "cost": Cost(free=True),
        "capacity": Capacity(),
        "referral_routes": (ReferralRoute.LINK_WORKER,),
        "last_verified_on": date(2025, 2, 1),
    }
    fields.update(extra)
    # Who the service is for (issue 21) needs v2; everything else stays v1, as older producers send.
    if V2_FIELDS & extra.keys():
        return ServiceChangedV2(**fields)
    return ServiceChangedV1(**fields)


V2_FIELDS = frozenset({"service_areas", "eligibility", "condition_groups", "eligibility_description"})


def referral(
    *,
    needs: tuple[NeedCategory, ...] = (NeedCategory.PHYSICAL_ACTIVITY,),
    referral_id: UUID | None = None,
    version: int = 1,
    district: str = "LS6",
    interests: tuple[str, ...] = (),
    pcn: str = PCN,
) -> ReferralCreatedV1:
    updated = AT.replace(hour=9 + version)
    return ReferralCreatedV1(
        referral_id=referral_id or uuid4(),
        version=version,
        request_id=None,
        created_at=AT,
        updated_at=AT if version == 1 else updated,
        source=examples.REFERRAL_CREATED.source,
        urgency=examples.REFERRAL_CREATED.urgency,
        pcn_code=pcn,
        practice_ods_code=None,
        person=examples.PROFILE.model_copy(
            update={"postcode_district": district, "location": HOME, "accessibility_needs": ()}
        ),
        needs=needs,
        preferences=Preferences(
            interests=interests,
            travel_mode=TravelMode.WALK,
            availability=(AvailabilitySlot(day=DayOfWeek.TU, part_of_day=PartOfDay.MORNING),),
        ),
    )
