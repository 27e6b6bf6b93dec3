"""FHIR R4 at /fhir: an integration engine's full loop, and UK Core examples that are wrong in ten ways."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.task import Task
from linkwork_contracts import topics
from linkwork_referral.adapters.samples import invalid_nhs_number, synthetic_nhs_number
from linkwork_referral.app import build_app
from linkwork_referral.settings import Settings
from linkwork_runtime.testing import running_app
from linkwork_stack.keycloak import SERVICES_AUDIENCE, KeycloakRealm
from referral_builders import first_contact_body

from .conftest import FAST_RETRY, OTHER_PCN, Token, new_request_id
from .kafka_support import eventually, tail

pytestmark = pytest.mark.integration

FHIR = "application/fhir+json"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
PRACTICE = "Z99001"  # in PCN U00001 (data/practice_pcns.csv)


def service_request(identifier: str, nhs_number: str, practice: str = PRACTICE) -> dict[str, Any]:
    """A social prescribing referral shaped as UK Core: contained Patient and Consent, ODS requester."""
    now = datetime.now(UTC).replace(microsecond=0)
    return {
        "resourceType": "ServiceRequest",
        "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest"]},
        "contained": [
            {
                "resourceType": "Patient",
                "id": "patient",
                "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]},
                "identifier": [{"system": NHS_NUMBER, "value": nhs_number}],
                "name": [{"use": "official", "family": "Example", "given": ["Sam"]}],
                "gender": "female",
                "birthDate": "1952-06-14",
                "address": [{"use": "home", "line": ["1 Example Street"], "city": "Leeds", "postalCode": "LS6 9ZZ"}],
                "telecom": [{"system": "phone", "value": "0113 496 0000", "use": "home"}],
                "generalPractitioner": [{"identifier": {"system": ODS, "value": practice}}],
            },
            {
                "resourceType": "Consent",
                "id": "consent",
                "status": "active",
                "scope": {
                    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "treatment"}]
                },
                "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
                "patient": {"reference": "#patient"},
                "dateTime": (now - timedelta(minutes=5)).isoformat(),
                "policyRule": {
                    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]
                },
            },
        ],
        "identifier": [{"system": "https://emis.example.org/referral-id", "value": identifier}],
        "status": "active",
        "intent": "order",
        "priority": "routine",
        "code": {
            "coding": [
                {
                    "system": "http://snomed.info/sct",
                    "code": "871731000000106",
                    "display": "Referral to social prescribing service",
                }
            ]
        },
        "subject": {"reference": "#patient"},
        "authoredOn": now.isoformat(),
        "requester": {"identifier": {"system": ODS, "value": practice}, "display": "Dr A Example"},
        "reasonCode": [
            {"coding": [{"system": "urn:linkwork:codesystem:need", "code": "loneliness-isolation"}]},
            {"coding": [{"system": "urn:linkwork:codesystem:need", "code": "physical-activity"}]},
        ],
        "supportingInfo": [{"reference": "#consent"}],
        "note": [{"text": "Widowed last year; would like to get walking again."}],
    }


def as_bundle(resource: dict[str, Any]) -> dict[str, Any]:
    """The same referral as a transaction Bundle: Patient and Consent as entries, not contained."""
    resource = copy.deepcopy(resource)
    patient, consent = resource.pop("contained")
    patient_url, consent_url = f"urn:uuid:{uuid4()}", f"urn:uuid:{uuid4()}"
    patient.pop("id")
    consent.pop("id")
    consent["patient"] = {"reference": patient_url}
    resource["subject"] = {"reference": patient_url}
    resource["supportingInfo"] = [{"reference": consent_url}]
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": patient_url, "resource": patient, "request": {"method": "POST", "url": "Patient"}},
            {"fullUrl": consent_url, "resource": consent, "request": {"method": "POST", "url": "Consent"}},
            {
                "fullUrl": f"urn:uuid:{uuid4()}",
                "resource": resource,
                "request": {"method": "POST", "url": "ServiceRequest"},
            },
        ],
    }


def post(client: httpx.AsyncClient, body: Any, headers: dict[str, str]) -> Any:
    return client.post("/fhir/ServiceRequest", json=body, headers={**headers, "Content-Type": FHIR})


async def test_metadata_is_a_capability_statement(client: httpx.AsyncClient) -> None:
    response = await client.get("/fhir/metadata")
    assert response.status_code == 200 and response.headers["content-type"].startswith(FHIR)
    statement = CapabilityStatement.model_validate(response.json())
    assert statement.fhirVersion == "4.0.1"
    assert {r.type for r in statement.rest[0].resource} == {"ServiceRequest", "Task"}


def _wrong(change: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def apply(resource: dict[str, Any]) -> dict[str, Any]:
        result = change(resource)  # edits in place, or returns a new resource
        return result if isinstance(result, dict) and "resourceType" in result else resource

    return apply


def _patient(resource: dict[str, Any]) -> dict[str, Any]:
    patient: dict[str, Any] = resource["contained"][0]
    return patient


WRONG: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], int, str]] = [
    ("not a ServiceRequest", _wrong(lambda r: {**r, "resourceType": "Patient"}), 400, "resourceType"),
    ("another SNOMED code", _wrong(lambda r: r["code"]["coding"][0].update(code="306206005")), 422, "code"),
    ("status missing", _wrong(lambda r: r.pop("status")), 400, "ServiceRequest.status"),
    ("no identifier", _wrong(lambda r: r.pop("identifier")), 422, "identifier"),
    ("subject not contained", _wrong(lambda r: r.update(subject={"reference": "Patient/123"})), 422, "subject"),
    (
        "NHS number fails modulus 11",
        _wrong(
            lambda r: _patient(r)["identifier"][0].update(
                value=invalid_nhs_number(_patient(r)["identifier"][0]["value"])
            )
        ),
        422,
        "Patient.identifier",
    ),
    (
        "birth date not a date",
        _wrong(lambda r: _patient(r).update(birthDate="14/06/1952")),
        400,
        "contained[0].birthDate",
    ),
    ("requester without ODS code", _wrong(lambda r: r.update(requester={"display": "Dr A Example"})), 422, "requester"),
    ("consent withdrawn", _wrong(lambda r: r["contained"][1].update(status="rejected")), 422, "supportingInfo"),
    (
        "unknown need code",
        _wrong(lambda r: r["reasonCode"][0]["coding"][0].update(code="astrology")),
        422,
        "reasonCode",
    ),
    (
        "practice in no PCN",
        _wrong(lambda r: _patient(r)["generalPractitioner"][0]["identifier"].update(value="Z00000")),
        422,
        "generalPractitioner",
    ),
    ("a Bundle of two requests", _wrong(lambda r: _two_requests(r)), 422, "Bundle.entry"),
]


def _two_requests(resource: dict[str, Any]) -> dict[str, Any]:
    bundle = as_bundle(resource)
    bundle["entry"].append(copy.deepcopy(bundle["entry"][-1]))
    return bundle


@pytest.mark.parametrize(("what", "change", "status", "where"), WRONG, ids=[w[0] for w in WRONG])
async def test_wrong_requests_are_refused_with_an_operation_outcome_naming_the_element(
    client: httpx.AsyncClient, token: Token, what: str, change: Callable[..., dict[str, Any]], status: int, where: str
) -> None:
    nhs_number = synthetic_nhs_number(random.Random())
    body = change(service_request(new_request_id("emis-"), nhs_number))
    # A hospital engine serving many PCNs: its token names none, so the practice must route the referral.
    response = await post(client, body, token("referrer", subject="gp-engine-1", pcn=""))
    assert response.status_code == status, (what, response.text)
    assert response.headers["content-type"].startswith(FHIR)
    outcome = OperationOutcome.model_validate(response.json())
    expressions = [e for issue in outcome.issue for e in issue.expression or ()]
    assert any(where in e for e in expressions), (what, response.json())
    assert nhs_number not in response.text and "Example Street" not in response.text  # never echoed


async def test_errors_outside_the_body_are_operation_outcomes_too(client: httpx.AsyncClient, token: Token) -> None:
    unsigned = await client.post("/fhir/ServiceRequest", json={}, headers={"Content-Type": FHIR})
    assert unsigned.status_code == 401 and OperationOutcome.model_validate(unsigned.json()).issue[0].code == "login"
    commissioner = await post(client, {}, token("commissioner"))
    assert commissioner.status_code in (400, 403)
    OperationOutcome.model_validate(commissioner.json())
    missing = await client.get(f"/fhir/Task/{uuid4()}", headers=token())
    assert missing.status_code == 404 and OperationOutcome.model_validate(missing.json()).issue[0].code == "not-found"
    bad_search = await client.get("/fhir/Task", params={"based-on": "Patient/1"}, headers=token())
    assert bad_search.status_code == 400
    OperationOutcome.model_validate(bad_search.json())
    not_json = await client.post(
        "/fhir/ServiceRequest", content=b"<xml/>", headers={**token("referrer"), "Content-Type": FHIR}
    )
    assert not_json.status_code == 400 and OperationOutcome.model_validate(not_json.json())


async def test_an_oversize_body_is_refused_with_an_operation_outcome(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    body = service_request(new_request_id("emis-"), synthetic_nhs_number(random.Random()))
    body["note"] = [{"text": "x" * (settings.max_body_bytes + 10)}]
    response = await post(client, body, token("referrer"))
    assert response.status_code == 413 and response.headers["content-type"].startswith(FHIR)
    (issue,) = OperationOutcome.model_validate(response.json()).issue
    assert issue.code == "too-long" and f"limited to {settings.max_body_bytes} bytes" in (issue.diagnostics or "")
    # Sent in chunks without a Content-Length, it is counted as it arrives and refused the same way.
    content = httpx.Response(200, json=body).content

    async def chunks() -> Any:
        for start in range(0, len(content), 64 * 1024):
            yield content[start : start + 64 * 1024]

    chunked = await client.post(
        "/fhir/ServiceRequest", content=chunks(), headers={**token("referrer"), "Content-Type": FHIR}
    )
    assert chunked.status_code == 413 and chunked.headers["content-type"].startswith(FHIR)
    OperationOutcome.model_validate(chunked.json())
    # The rest of the service still answers problem details.
    other = await client.post(
        "/referrals", content=content, headers={**token("referrer"), "Content-Type": "application/json"}
    )
    assert other.status_code == 413 and other.headers["content-type"].startswith("application/problem+json")


async def _task(client: httpx.AsyncClient, referral_id: str, headers: dict[str, str]) -> Task:
    response = await client.get(f"/fhir/Task/{referral_id}", headers=headers)
    assert response.status_code == 200, response.text
    return Task.model_validate(response.json())


async def test_an_integration_engine_full_loop_service_request_in_task_and_gp_record_updates_out(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    # A hospital's engine serves many PCNs: its token names another PCN, the practice decides (U00001).
    engine = token("referrer", subject="hospital-engine", pcn=OTHER_PCN)
    worker = token()
    identifier = f"emis-LS6-{uuid4().hex[:12]}"
    nhs_number = synthetic_nhs_number(random.Random())
    async with tail(settings.kafka_bootstrap_servers, topics.GP_RECORD_UPDATE) as kafka:
        request = service_request(identifier, nhs_number)
        created = await post(client, as_bundle(request), engine)
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        referral_id = location.rsplit("/", 1)[-1]
        assert location == f"/fhir/ServiceRequest/{referral_id}"
        # The identifier is the idempotency key: resending answers 200 with the same Location.
        again = await post(client, as_bundle(request), engine)
        assert again.status_code == 200 and again.headers["location"] == location
        changed = await post(client, {**request, "priority": "urgent"}, engine)
        assert (
            changed.status_code == 409 and OperationOutcome.model_validate(changed.json()).issue[0].code == "duplicate"
        )
        assert (await client.get(location, headers=engine)).json()["identifier"][0]["value"] == identifier

        task = await _task(client, referral_id, engine)
        assert task.status == "requested" and task.owner.identifier.value == "U00001"
        assert task.basedOn[0].reference == f"ServiceRequest/{referral_id}"
        found = await client.get("/fhir/Task", params={"based-on": f"ServiceRequest/{referral_id}"}, headers=engine)
        bundle = Bundle.model_validate(found.json())
        assert bundle.total == 1 and bundle.entry[0].resource.id == referral_id

        assert (await client.post(f"/referrals/{referral_id}/accept", json={}, headers=worker)).status_code == 200
        task = await _task(client, referral_id, engine)
        assert task.status == "accepted" and task.businessStatus.coding[0].code == "allocated"
        contacted = await client.post(
            f"/referrals/{referral_id}/contacts",
            headers=worker,
            json=first_contact_body(),
        )
        assert contacted.status_code == 200, contacted.text
        task = await _task(client, referral_id, engine)
        assert task.status == "in-progress" and task.businessStatus.coding[0].code == "contacted"
        closed = await client.post(f"/referrals/{referral_id}/close", json={"reason": "goals-met"}, headers=worker)
        assert closed.status_code == 200, closed.text
        task = await _task(client, referral_id, engine)
        assert task.status == "completed" and task.statusReason.coding[0].code == "goals-met"

        await eventually(lambda: len(kafka.keyed(referral_id)) >= 2, within=30, what="two GP record updates")

    updates = [m.data for m in kafka.keyed(referral_id)]
    assert [(u["change"], u["status"], u["snomed_codes"]) for u in updates] == [
        ("accepted", "accepted", ["871731000000106"]),
        ("closed", "completed", []),
    ]
    assert {u["request_id"] for u in updates} == {identifier}
    assert {(u["nhs_number"], u["practice_ods_code"], u["pcn_code"]) for u in updates} == {
        (nhs_number, PRACTICE, "U00001")
    }
    # Another referrer sees nothing of it (404, as for an id that does not exist).
    stranger = await client.get(f"/fhir/Task/{referral_id}", headers=token("referrer", subject="someone-else"))
    assert stranger.status_code == 404
    empty = await client.get(
        "/fhir/Task", params={"based-on": f"ServiceRequest/{referral_id}"}, headers=token("referrer", subject="x")
    )
    assert Bundle.model_validate(empty.json()).total == 0


async def test_a_system_with_client_credentials_refers_through_fhir(
    settings: Settings, keycloak: KeycloakRealm
) -> None:
    # The realm's linkwork-system client (an integration engine) signs in with its secret; its service account
    # is a referrer of no PCN, so the person's practice routes the referral (issue 16).
    with_keycloak = settings.model_copy(
        update={"jwks_url": keycloak.jwks_url, "jwt_issuer": keycloak.issuer, "jwt_audience": SERVICES_AUDIENCE}
    )
    system = {"Authorization": f"Bearer {keycloak.system_token()}"}
    async with running_app(build_app(with_keycloak, retry=FAST_RETRY)) as client:
        created = await post(
            client, service_request(new_request_id("emis-"), synthetic_nhs_number(random.Random())), system
        )
        assert created.status_code == 201, created.text
        referral_id = created.headers["location"].rsplit("/", 1)[-1]
        task = await _task(client, referral_id, system)
        assert task.status == "requested" and task.owner.identifier.value == "U00001"
        # A referrer, not a link worker: it cannot act on the referral it sent.
        accept = await client.post(f"/referrals/{referral_id}/accept", json={}, headers=system)
        assert accept.status_code == 403, accept.text
