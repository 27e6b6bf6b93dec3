"""Contact routes from the referral service's narrow internal endpoint, with this service's own credential.

The route (phone, email, consent) is used for one send and dropped: it is never stored or logged here.
"""

from __future__ import annotations

from uuid import UUID

import httpx

from linkwork_notifications.domain.messages import Channel, ContactRoute
from linkwork_notifications.service_layer.ports import ContactRouteUnavailable


def route_from_json(body: dict[str, object]) -> ContactRoute:
    preferred = body.get("preferred_channel")
    consented = body.get("consented_channels") or []
    assert isinstance(consented, list)
    phone, email, pcn_name = body.get("phone"), body.get("email"), body.get("pcn_name")
    return ContactRoute(
        preferred=Channel(preferred) if isinstance(preferred, str) else None,
        consented=frozenset(Channel(value) for value in consented if value in Channel.__members__.values()),
        phone=phone if isinstance(phone, str) else None,
        email=email if isinstance(email, str) else None,
        pcn_name=pcn_name if isinstance(pcn_name, str) else None,
        accepted=body.get("accepted", True) is True,
    )


class ReferralContactRoutes:
    """`GET {referral_url}/internal/contact-routes/{referral_id}` with `Authorization: Bearer <token>`."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )

    async def get(self, referral_id: UUID) -> ContactRoute | None:
        try:
            response = await self._client.get(f"/internal/contact-routes/{referral_id}")
        except httpx.HTTPError as error:
            raise ContactRouteUnavailable(type(error).__name__) from error
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ContactRouteUnavailable(f"referral service answered {response.status_code}")
        return route_from_json(response.json())

    async def close(self) -> None:
        await self._client.aclose()
