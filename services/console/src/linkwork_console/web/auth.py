"""Signing in and out through the OpenID Connect provider."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from linkwork_runtime.principal import Role

from linkwork_console.adapters.oidc import OidcClient, SignInFailed
from linkwork_console.web.deps import CsrfChecked, CurrentSession, Render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _oidc(request: Request) -> OidcClient:
    oidc: OidcClient = request.app.state.oidc
    return oidc


def _callback_uri(request: Request) -> str:
    return f"{request.app.state.settings.public_url.rstrip('/')}/auth/callback"


@router.get("/sign-in")
async def sign_in(
    request: Request, session: CurrentSession, pages: Render, next: Annotated[str | None, Query()] = None
) -> Response:
    try:
        started = await _oidc(request).authorization_request(_callback_uri(request))
    except Exception as error:  # the provider is down: say so instead of a stack trace
        log.warning("sign-in unavailable: %s", error)
        return pages.render(request, "error.html", 503, title="Sign-in is unavailable", detail="Try again shortly.")
    session.set(
        "oidc",
        {"state": started.state, "verifier": started.code_verifier, "nonce": started.nonce, "next": safe_next(next)},
    )
    return RedirectResponse(started.url, status_code=303)


def _profile(id_claims: dict[str, Any], access_token: str) -> dict[str, Any]:
    # The access token is read (not verified) only to show the right menus: it came straight from the
    # provider's token endpoint, and every service verifies it on each call anyway.
    access: dict[str, Any] = jwt.decode(access_token, options={"verify_signature": False})

    def claim(name: str) -> Any:
        return id_claims.get(name, access.get(name))

    # One linkwork role per person: a single `role` claim (development tokens) or the realm's `roles` list.
    role = claim("role")
    if role is None:
        roles = claim("roles") or []
        role = next((r for r in roles if r in {member.value for member in Role}), None)
    return {
        "sub": id_claims["sub"],
        "name": claim("name") or claim("preferred_username") or id_claims["sub"],
        "role": role,
        "pcn": claim("pcn"),
        "organisation": claim("org") or claim("organisation"),
        "icb": claim("icb"),
    }


@router.get("/auth/callback")
async def callback(
    request: Request,
    session: CurrentSession,
    pages: Render,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    pending = session.pop("oidc")
    if error or not code or not pending or state != pending.get("state"):
        log.info("sign-in callback refused: %s", "provider error" if error else "state missing or mismatched")
        return pages.render(
            request, "error.html", 400, title="Sign-in did not complete", detail="Start again from the home page."
        )
    try:
        tokens, claims = await _oidc(request).exchange(
            code, pending["verifier"], _callback_uri(request), pending["nonce"]
        )
    except SignInFailed as failure:
        log.warning("sign-in failed: %s", failure)
        return pages.render(
            request, "error.html", 400, title="Sign-in did not complete", detail="Start again from the home page."
        )
    session.rotate()
    session.set("user", _profile(claims, tokens.access_token))
    session.set("tokens", tokens.to_dict())
    return RedirectResponse(pending.get("next") or "/", status_code=303)


@router.post("/sign-out", dependencies=[CsrfChecked])
async def sign_out(request: Request, session: CurrentSession) -> Response:
    tokens = session.data.get("tokens") or {}
    session.end()
    back = f"{request.app.state.settings.public_url.rstrip('/')}/signed-out"
    try:
        url = await _oidc(request).end_session_url(tokens.get("id_token"), back)
    except Exception:  # the provider is down: the console's own session has ended, which is what matters here
        url = None
    return RedirectResponse(url or "/signed-out", status_code=303)


@router.get("/signed-out")
async def signed_out(request: Request, pages: Render) -> Response:
    return pages.render(request, "signed_out.html")
