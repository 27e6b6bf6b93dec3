"""The committed realm export holds what linkwork's sign-in relies on: roles, clients, claims, demo users."""

from __future__ import annotations

import json
from typing import Any

import pytest
from linkwork_runtime.principal import Role
from linkwork_stack import paths
from linkwork_stack.keycloak import (
    CLI_CLIENT,
    CONSOLE_CLIENT,
    DEMO_PASSWORD,
    DEMO_USERS,
    REALM,
    SERVICES_AUDIENCE,
    SYSTEM_CLIENT,
)

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(paths.KEYCLOAK_REALM.read_text())
    return data


def _client(realm: dict[str, Any], client_id: str) -> dict[str, Any]:
    return next(client for client in realm["clients"] if client["clientId"] == client_id)


def _scope(realm: dict[str, Any], name: str) -> dict[str, Any]:
    return next(scope for scope in realm["clientScopes"] if scope["name"] == name)


def test_realm_roles_are_exactly_the_linkwork_roles(realm: dict[str, Any]) -> None:
    assert realm["realm"] == REALM
    assert {role["name"] for role in realm["roles"]["realm"]} == {role.value for role in Role}


def test_console_is_confidential_with_code_flow_pkce_and_logout_redirects(realm: dict[str, Any]) -> None:
    console = _client(realm, CONSOLE_CLIENT)
    assert console["publicClient"] is False and console["secret"]
    assert console["standardFlowEnabled"] and not console["implicitFlowEnabled"]
    assert not console["directAccessGrantsEnabled"]
    assert console["attributes"]["pkce.code.challenge.method"] == "S256"
    for host in ("127.0.0.1", "localhost"):
        assert f"http://{host}:8005/*" in console["redirectUris"]
        assert f"http://{host}:8005/*" in console["attributes"]["post.logout.redirect.uris"].split("##")
    assert {"linkwork-claims", "linkwork-services"} <= set(console["defaultClientScopes"])


def test_services_system_and_cli_clients(realm: dict[str, Any]) -> None:
    services = _client(realm, SERVICES_AUDIENCE)
    assert not (services["standardFlowEnabled"] or services["directAccessGrantsEnabled"])
    system = _client(realm, SYSTEM_CLIENT)
    assert system["serviceAccountsEnabled"] and not system["publicClient"]
    assert "linkwork-services" in system["defaultClientScopes"]
    cli = _client(realm, CLI_CLIENT)
    assert cli["publicClient"] and cli["directAccessGrantsEnabled"] and not cli["standardFlowEnabled"]
    # Optional, so a test can ask for a token without the audience and see the services refuse it.
    assert "linkwork-services" in cli["optionalClientScopes"]
    assert "linkwork-services" not in cli["defaultClientScopes"]


def test_claim_mappers_give_the_names_the_services_read(realm: dict[str, Any]) -> None:
    mappers = {m["name"]: m for m in _scope(realm, "linkwork-claims")["protocolMappers"]}
    roles = mappers["linkwork roles"]
    assert roles["protocolMapper"] == "oidc-usermodel-realm-role-mapper"
    assert roles["config"]["claim.name"] == "roles" and roles["config"]["multivalued"] == "true"
    attributes = {
        m["config"]["user.attribute"]: m["config"]["claim.name"]
        for m in mappers.values()
        if m["protocolMapper"] == "oidc-usermodel-attribute-mapper"
    }
    # linkwork_runtime.auth reads `pcn`, `org` and `icb`.
    assert attributes == {"pcn": "pcn", "organisation": "org", "icb": "icb"}
    for mapper in mappers.values():
        assert mapper["config"]["access.token.claim"] == "true"
    audience = _scope(realm, "linkwork-services")["protocolMappers"][0]
    assert audience["protocolMapper"] == "oidc-audience-mapper"
    assert audience["config"]["included.client.audience"] == SERVICES_AUDIENCE
    assert audience["config"]["access.token.claim"] == "true"


def test_user_profile_declares_the_linkwork_attributes(realm: dict[str, Any]) -> None:
    # Keycloak drops attributes its user profile does not declare, so the mappers would find nothing.
    provider = realm["components"]["org.keycloak.userprofile.UserProfileProvider"][0]
    profile = json.loads(provider["config"]["kc.user.profile.config"][0])
    assert {"pcn", "organisation", "icb"} <= {attribute["name"] for attribute in profile["attributes"]}


def test_the_system_client_s_service_account_is_a_referrer_of_no_pcn(realm: dict[str, Any]) -> None:
    # Client credentials (an integration engine) may POST /fhir/ServiceRequest; its referrals are routed by
    # the person's practice, as for a hospital serving many PCNs, so the account names no PCN (issue 16).
    (account,) = [user for user in realm["users"] if user.get("serviceAccountClientId") == SYSTEM_CLIENT]
    assert set(account["realmRoles"]) & {role.value for role in Role} == {Role.REFERRER.value}
    assert "pcn" not in account.get("attributes", {})
    assert "credentials" not in account  # it signs in with the client's secret only


def test_demo_users_one_per_role_and_two_pcns(realm: dict[str, Any]) -> None:
    users = {user["username"]: user for user in realm["users"] if "serviceAccountClientId" not in user}
    assert set(users) == {demo.username for demo in DEMO_USERS}
    for demo in DEMO_USERS:
        user = users[demo.username]
        linkwork_roles = set(user["realmRoles"]) & {role.value for role in Role}
        assert linkwork_roles == {demo.role}
        assert user["attributes"].get("pcn") == ([demo.pcn] if demo.pcn else None)
        assert user["attributes"].get("organisation") == ([demo.organisation] if demo.organisation else None)
        assert user["credentials"] == [{"type": "password", "value": DEMO_PASSWORD, "temporary": False}]
        assert user["enabled"] and user["email"] and user["firstName"] and user["lastName"]
    assert {demo.role for demo in DEMO_USERS} == {role.value for role in Role}
    workers = [demo for demo in DEMO_USERS if demo.role == Role.LINK_WORKER]
    assert sorted(demo.pcn or "" for demo in workers) == ["U00001", "U00001", "U00002"]
