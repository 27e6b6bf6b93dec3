"""FHIR R4 (UK Core shapes) to and from the referral workflow: ServiceRequest in, Task out, OperationOutcome.

A social prescribing ServiceRequest becomes the same `referral-requested` data an integration engine would
send as an event, so both arrive by one path and are checked by one set of rules (the contract model).
The Task is the HL7 Gravity SDOH Clinical Care referral Task: `status` is the Gravity status, `businessStatus`
linkwork's finer link-worker step, `statusReason` why it was rejected or how it ended.

Resources are checked against FHIR with PyPI `fhir.resources`, R4B subpackage: R4B changes nothing in
ServiceRequest, Task, Patient, Consent, Bundle, OperationOutcome or CapabilityStatement from R4 (4.0.1), the
version UK Core is built on, which is what the CapabilityStatement declares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task
from linkwork_contracts.codes import ClosureReason, ReferralSource, ReferralStatus, SnomedConcept
from linkwork_contracts.events import ReferralRequestedV1
from pydantic import ValidationError

from linkwork_referral.domain.referral import Referral

FHIR_JSON = "application/fhir+json"
FHIR_VERSION = "4.0.1"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE = "https://fhir.nhs.uk/Id/ods-organization-code"
SNOMED = "http://snomed.info/sct"
NEED_SYSTEM = "urn:linkwork:codesystem:need"
SOURCE_SYSTEM = "urn:linkwork:codesystem:referral-source"
STAGE_SYSTEM = "urn:linkwork:codesystem:link-worker-stage"
CLOSURE_SYSTEM = "urn:linkwork:codesystem:closure-reason"
CONSENT_EXTENSION = "urn:linkwork:extension:consent-to-refer"
TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code"
SECURITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/restful-security-service"

# Where a contract field comes from in the ServiceRequest, so an OperationOutcome points at the FHIR element.
_FHIR_PATHS: dict[str, str] = {
    "request_id": "ServiceRequest.identifier",
    "requested_at": "ServiceRequest.authoredOn",
    "source": "ServiceRequest.category",
    "urgency": "ServiceRequest.priority",
    "referrer": "ServiceRequest.requester",
    "practice_ods_code": "Patient.generalPractitioner",
    "person.nhs_number": "Patient.identifier",
    "person.given_name": "Patient.name.given",
    "person.family_name": "Patient.name.family",
    "person.date_of_birth": "Patient.birthDate",
    "person.sex": "Patient.gender",
    "person.address_lines": "Patient.address.line",
    "person.postcode": "Patient.address.postalCode",
    "person.phone": "Patient.telecom",
    "person.email": "Patient.telecom",
    "person": "Patient",
    "needs": "ServiceRequest.reasonCode",
    "reason": "ServiceRequest.note",
    "consent_to_refer": "ServiceRequest.supportingInfo",
    "consent_recorded_at": "Consent.dateTime",
}


class FhirError(Exception):
    """A request FHIR clients get back as an OperationOutcome; never echoes a value from the input."""

    def __init__(self, status: int, code: str, issues: Sequence[tuple[str, str | None]]) -> None:
        self.status, self.code, self.issues = status, code, list(issues)
        super().__init__("; ".join(text for text, _ in self.issues))


def operation_outcome(code: str, issues: Iterable[tuple[str, str | None]], severity: str = "error") -> dict[str, Any]:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": severity, "code": code, "diagnostics": text, **({"expression": [path]} if path else {})}
            for text, path in issues
        ],
    }
    OperationOutcome.model_validate(outcome)  # what we send is valid FHIR too
    return outcome


@dataclass(frozen=True)
class ParsedRequest:
    request: ReferralRequestedV1
    general_practice: str | None


def parse_service_request(body: Any, now: datetime) -> ParsedRequest:
    """A social prescribing referral from a ServiceRequest (Patient contained) or a transaction Bundle."""
    if not isinstance(body, dict):
        raise FhirError(400, "structure", [("the body must be a JSON object: a ServiceRequest or a Bundle", None)])
    kind = body.get("resourceType")
    if kind == "Bundle":
        service_request, resources = _from_bundle(body)
    elif kind == "ServiceRequest":
        service_request = body
        resources = {f"#{r.get('id')}": r for r in body.get("contained") or () if isinstance(r, dict)}
    else:
        raise FhirError(400, "structure", [("resourceType must be ServiceRequest or Bundle", "resourceType")])
    _validate(ServiceRequest, service_request, "ServiceRequest")
    codes = {(c.get("system"), c.get("code")) for c in (service_request.get("code") or {}).get("coding") or ()}
    if (SNOMED, SnomedConcept.REFERRAL_TO_SOCIAL_PRESCRIBING.value) not in codes:
        message = f"code must carry SNOMED CT {SnomedConcept.REFERRAL_TO_SOCIAL_PRESCRIBING.value}"
        raise FhirError(422, "business-rule", [(message + " (Referral to social prescribing service)", "code")])
    if service_request.get("status") != "active" or service_request.get("intent") not in ("order", "original-order"):
        raise FhirError(422, "business-rule", [("status must be active and intent order", "ServiceRequest.status")])
    patient = _resolved(resources, service_request.get("subject"), "Patient", "ServiceRequest.subject")
    _validate_resource(patient, "Patient")
    identifiers = [i for i in service_request.get("identifier") or () if isinstance(i, dict) and i.get("value")]
    if not identifiers:
        raise FhirError(422, "required", [("identifier is required: it is the idempotency key", "identifier")])
    requester = service_request.get("requester") or {}
    requester_ods = _identifier(requester.get("identifier"), ODS_CODE)
    if requester.get("reference") and requester_ods is None:
        referenced = _resolved(resources, requester, None, "ServiceRequest.requester")
        requester_ods = _ods_of(referenced)
    practice = next(
        (
            ods
            for gp in patient.get("generalPractitioner") or ()
            if (ods := _identifier(gp.get("identifier"), ODS_CODE))
        ),
        None,
    )
    source = _coded(service_request.get("category"), SOURCE_SYSTEM) or ReferralSource.GP_PRACTICE.value
    if source != ReferralSource.SELF_REFERRAL.value and requester_ods is None:
        raise FhirError(422, "required", [(f"requester needs an identifier in {ODS_CODE}", "requester")])
    consent_given, consent_at = _consent(service_request, resources)
    name: dict[str, Any] = next(iter(patient.get("name") or ()), {})
    address: dict[str, Any] = next(iter(patient.get("address") or ()), {})
    telecom = {t.get("system"): t.get("value") for t in patient.get("telecom") or () if isinstance(t, dict)}
    data: dict[str, Any] = {
        "request_id": identifiers[0]["value"],
        "requested_at": service_request.get("authoredOn") or now.isoformat(),
        "source": source,
        "urgency": "urgent" if service_request.get("priority") in ("urgent", "asap", "stat") else "routine",
        "referrer": None
        if requester_ods is None
        # The contract needs a name and a role; a FHIR requester given by ODS code alone has neither.
        else {
            "name": requester.get("display") or f"organisation {requester_ods}",
            "role": "referrer",
            "organisation_ods_code": requester_ods,
        },
        "practice_ods_code": practice,
        "person": {
            "nhs_number": _identifier(patient.get("identifier"), NHS_NUMBER),
            "given_name": " ".join(name.get("given") or ()) or None,
            "family_name": name.get("family"),
            "date_of_birth": patient.get("birthDate"),
            "sex": patient.get("gender"),
            "address_lines": list(address.get("line") or ()),
            "postcode": address.get("postalCode"),
            "phone": telecom.get("phone"),
            "email": telecom.get("email"),
        },
        "needs": [
            code for concept in service_request.get("reasonCode") or () if (code := _coded([concept], NEED_SYSTEM))
        ],
        "reason": " ".join(n.get("text", "") for n in service_request.get("note") or () if isinstance(n, dict)) or None,
        "consent_to_refer": consent_given,
        "consent_recorded_at": consent_at or service_request.get("authoredOn") or now.isoformat(),
    }
    try:
        request = ReferralRequestedV1.model_validate(data)
    except ValidationError as error:
        raise FhirError(422, "invariant", _contract_issues(error)) from None
    return ParsedRequest(request, practice)


def _from_bundle(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    if body.get("type") not in ("transaction", "collection"):
        raise FhirError(400, "structure", [("a Bundle must be of type transaction", "Bundle.type")])
    _validate(Bundle, body, "Bundle")
    resources: dict[str, dict[str, Any]] = {}
    requests = []
    for entry in body.get("entry") or ():
        resource = entry.get("resource") or {}
        if entry.get("fullUrl"):
            resources[entry["fullUrl"]] = resource
        if resource.get("resourceType") and resource.get("id"):
            resources[f"{resource['resourceType']}/{resource['id']}"] = resource
        if resource.get("resourceType") == "ServiceRequest":
            requests.append(resource)
    if len(requests) != 1:
        raise FhirError(422, "business-rule", [("the Bundle must hold exactly one ServiceRequest", "Bundle.entry")])
    return requests[0], resources


def _resolved(resources: Mapping[str, dict[str, Any]], reference: Any, kind: str | None, path: str) -> dict[str, Any]:
    target = reference.get("reference") if isinstance(reference, dict) else None
    resource = resources.get(target) if isinstance(target, str) else None
    if resource is None or (kind is not None and resource.get("resourceType") != kind):
        what = kind or "resource"
        raise FhirError(422, "required", [(f"{path} must reference a contained or bundled {what}", path)])
    return resource


def _validate(model: Any, resource: dict[str, Any], path: str) -> None:
    try:
        model.model_validate(resource)
    except ValidationError as error:
        issues: list[tuple[str, str | None]] = []
        for e in error.errors()[:20]:
            where = path + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in e["loc"])
            issues.append((f"{where}: {e['type']}", where))  # the rule, never the value
        raise FhirError(400, "structure", issues) from None


def _validate_resource(resource: dict[str, Any], kind: str) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    _validate(get_fhir_model_class(kind), resource, kind)


def _identifier(identifiers: Any, system: str) -> str | None:
    items = identifiers if isinstance(identifiers, list) else [identifiers]
    for item in items:
        if isinstance(item, dict) and item.get("system") == system and isinstance(item.get("value"), str):
            return str(item["value"])
    return None


def _ods_of(resource: dict[str, Any]) -> str | None:
    if resource.get("resourceType") == "Organization":
        return _identifier(resource.get("identifier"), ODS_CODE)
    organisation = resource.get("organization")
    return _identifier(organisation.get("identifier"), ODS_CODE) if isinstance(organisation, dict) else None


def _coded(concepts: Any, system: str) -> str | None:
    for concept in concepts or ():
        for coding in (concept or {}).get("coding") or ():
            if coding.get("system") == system and isinstance(coding.get("code"), str):
                return str(coding["code"])
    return None


def _consent(service_request: dict[str, Any], resources: Mapping[str, dict[str, Any]]) -> tuple[bool, str | None]:
    """Consent to refer: an active Consent in supportingInfo, or linkwork's boolean extension."""
    for extension in service_request.get("extension") or ():
        if extension.get("url") == CONSENT_EXTENSION:
            return extension.get("valueBoolean") is True, None
    for info in service_request.get("supportingInfo") or ():
        consent = resources.get(info.get("reference", "")) if isinstance(info, dict) else None
        if consent and consent.get("resourceType") == "Consent":
            _validate_resource(consent, "Consent")
            return consent.get("status") == "active", consent.get("dateTime")
    return False, None


def _contract_issues(error: ValidationError) -> list[tuple[str, str | None]]:
    issues = []
    for problem in error.errors()[:20]:
        location = ".".join(str(part) for part in problem["loc"])
        path = _FHIR_PATHS.get(location) or _FHIR_PATHS.get(str(problem["loc"][0])) if problem["loc"] else None
        # The rule, never the value: pydantic's message can quote the input.
        issues.append((f"{path or location or 'ServiceRequest'}: {problem['type']} ({location or 'request'})", path))
    return issues


def task_for(referral: Referral, base: str) -> dict[str, Any]:
    """The Gravity referral Task of a referral: one per referral, with the referral's id."""
    status = referral.status
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(referral.id),
        "meta": {"lastUpdated": _instant(referral.updated_at or referral.created_at)},
        "basedOn": [{"reference": f"ServiceRequest/{referral.id}"}],
        "focus": {"reference": f"ServiceRequest/{referral.id}"},
        "status": status.value,
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE_SYSTEM, "code": "fulfill"}]},
        "authoredOn": _instant(referral.created_at),
        "lastModified": _instant(referral.updated_at or referral.created_at),
        "owner": {"identifier": {"system": ODS_CODE, "value": referral.pcn}},
    }
    if referral.request_id:
        task["identifier"] = [{"system": f"{base}/ServiceRequest", "value": referral.request_id}]
    if referral.person.nhs_number:
        task["for"] = {"identifier": {"system": NHS_NUMBER, "value": referral.person.nhs_number}}
    if referral.referrer.organisation:
        task["requester"] = {"identifier": {"system": ODS_CODE, "value": referral.referrer.organisation}}
    if referral.stage is not None:
        task["businessStatus"] = {
            "coding": [{"system": STAGE_SYSTEM, "code": referral.stage.value}],
            "text": referral.stage.value.replace("-", " "),
        }
    closure = referral.closure
    if status is ReferralStatus.REJECTED:
        # The link worker's free-text reason stays in linkwork: it may say more about the person than needed.
        task["statusReason"] = {"text": "Not accepted by the PCN's social prescribing link worker service"}
    elif closure is not None and closure.reason is not None:
        task["statusReason"] = {
            "coding": [{"system": CLOSURE_SYSTEM, "code": closure.reason.value}],
            "text": _CLOSURE_TEXT[closure.reason],
        }
    Task.model_validate(task)
    return task


_CLOSURE_TEXT = {
    ClosureReason.GOALS_MET: "Goals met",
    ClosureReason.DECLINED: "Social prescribing declined",
    ClosureReason.DID_NOT_ENGAGE: "Did not engage",
    ClosureReason.MOVED_AWAY: "Moved away",
    ClosureReason.REFERRED_ON: "Referred on",
    ClosureReason.DECEASED: "Deceased",
    ClosureReason.OTHER: "Other",
}


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in resources],
    }
    Bundle.model_validate(bundle)
    return bundle


def service_request_for(referral: Referral) -> dict[str, Any]:
    """The stored request, as much as its sender needs to see it again (no contained Patient details)."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(referral.id),
        "status": "completed" if referral.closure is not None else "active",
        "intent": "order",
        "code": {"coding": [{"system": SNOMED, "code": SnomedConcept.REFERRAL_TO_SOCIAL_PRESCRIBING.value}]},
        "subject": {"identifier": {"system": NHS_NUMBER, "value": referral.person.nhs_number}}
        if referral.person.nhs_number
        else {"display": "person without an NHS number"},
        "authoredOn": _instant(referral.created_at),
    }
    if referral.request_id:
        resource["identifier"] = [{"value": referral.request_id}]
    ServiceRequest.model_validate(resource)
    return resource


def capability_statement(now: datetime) -> dict[str, Any]:
    statement = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": _instant(now),
        "kind": "instance",
        "software": {"name": "linkwork referral service"},
        "implementation": {"description": "linkwork social prescribing referrals (HL7 Gravity referral Task)"},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ]
                        }
                    ],
                    "description": "Bearer token of a referrer (people) or of a system client (client credentials).",
                },
                "resource": [
                    {
                        "type": "ServiceRequest",
                        "interaction": [{"code": "create"}, {"code": "read"}],
                        "conditionalCreate": False,
                    },
                    {
                        "type": "Task",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [{"name": "based-on", "type": "reference"}],
                    },
                ],
            }
        ],
    }
    CapabilityStatement.model_validate(statement)
    return statement


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
