"""Helpers of the notifications tests: a local Notify, a real SMTP server, a stand-in referral endpoint."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date
from http.server import ThreadingHTTPServer
from typing import Any

from linkwork_contracts import examples
from linkwork_contracts.envelope import CloudEvent, encode
from linkwork_contracts.events import (
    Event,
    FollowUpDueV1,
    ReferralCreatedV1,
)
from linkwork_notifications.entrypoints.local_notify import (
    BackgroundServer,
    JsonHandler,
    LocalNotify,
    api_key,
    default_state,
    template_ids,
)
from linkwork_notifications.handlers.events import notification_handlers
from linkwork_notifications.settings import Settings
from linkwork_stack import testing
from linkwork_stack.ports import free_port as free_port  # re-exported for the tests here
from linkwork_stack.testing import eventually as eventually  # re-exported for the tests here
from linkwork_stack.testing import smtp_server as smtp_server  # re-exported for the tests here
from notifications_fakes import FakeMessageStore

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
NOTIFY_SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
NOTIFY_KEY = api_key(SERVICE_ID, NOTIFY_SECRET)
ROUTE_TOKEN = "contact-route-token-for-tests-at-least-32-bytes"
JWT_SECRET = "notifications-test-secret-of-at-least-32-bytes"


def service_settings(
    database_url: str, bootstrap: str, prefix: str, notify_url: str, referral_url: str, **more: Any
) -> Settings:
    """The service's settings in a test world: its topics under `prefix`, a fresh consumer group, the local Notify
    and the referral service (or a stand-in) at `referral_url`; `more` for what one test needs besides."""
    return testing.consumer_settings(
        Settings,
        database_url,
        bootstrap,
        prefix,
        jwt_secret=JWT_SECRET,
        notify_api_key=NOTIFY_KEY,
        notify_base_url=notify_url,
        notify_templates=template_ids(),
        referral_url=referral_url,
        contact_route_token=ROUTE_TOKEN,
        **more,
    )


@contextmanager
def local_notify() -> Iterator[LocalNotify]:
    with LocalNotify(default_state(SERVICE_ID, NOTIFY_SECRET)) as notify:
        yield notify


class ContactRouteServer(BackgroundServer):
    """Stands in for the referral service's `/internal/contact-routes/{id}` (same contract, README)."""

    def __init__(self, token: str = ROUTE_TOKEN) -> None:
        self.routes: dict[str, dict[str, Any]] = {}
        self.fetches = 0
        routes, outer = self.routes, self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                referral_id = self.path.rsplit("/", 1)[-1]
                if self.headers.get("Authorization") != f"Bearer {token}":
                    status, body = 401, {"title": "Unauthorized"}
                elif referral_id in routes:
                    status, body = 200, routes[referral_id]
                else:
                    status, body = 404, {"title": "Not Found"}
                self.answer(status, body)

        super().__init__(ThreadingHTTPServer(("127.0.0.1", 0), Handler), "contact-routes")


def sms_route(phone: str = "07700900123", pcn_name: str = "Leeds North PCN", **extra: Any) -> dict[str, Any]:
    return {"preferred_channel": "sms", "consented_channels": ["sms"], "phone": phone, "pcn_name": pcn_name, **extra}


def consumed_topics() -> list[str]:
    """The topics the service's handlers read, unprefixed. Which they are does not depend on the store the
    handlers are given, so the in-memory one serves."""
    return sorted(notification_handlers(FakeMessageStore()).topics())


@asynccontextmanager
async def notify_world(bootstrap: str) -> AsyncIterator[tuple[str, LocalNotify, ContactRouteServer]]:
    """(topic prefix, local Notify, contact-route server): the topics fresh under their own prefix and
    deleted afterwards, so tests sharing the broker never see each other's events."""
    async with testing.own_topics(bootstrap, consumed_topics()) as prefix:
        with local_notify() as notify, ContactRouteServer() as routes:
            yield prefix, notify, routes


async def produce(bootstrap: str, prefix: str, events: list[tuple[Event, CloudEvent]]) -> None:
    await testing.produce(bootstrap, [(prefix + e.TOPIC, e.key().encode(), encode(envelope)) for e, envelope in events])


def created_event(referral_id: uuid.UUID, person_ref: str) -> ReferralCreatedV1:
    person = examples.PROFILE.model_copy(update={"person_ref": person_ref})
    return examples.REFERRAL_CREATED.model_copy(update={"referral_id": referral_id, "person": person, "version": 1})


def due_event(referral_id: uuid.UUID, person_ref: str, due_on: date) -> FollowUpDueV1:
    return examples.FOLLOW_UP_DUE.model_copy(
        update={"referral_id": referral_id, "person_ref": person_ref, "follow_up_id": uuid.uuid4(), "due_on": due_on}
    )
