"""Request dependencies of the console's pages: the session, the signed-in user (refreshing their token when
it is about to run out), CSRF checks on every form, and page rendering."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from linkwork_runtime.principal import Role

from linkwork_console.adapters.oidc import OidcClient, SignInFailed, Tokens
from linkwork_console.adapters.services import Services
from linkwork_console.adapters.sessions import Session


class SignInRequired(Exception):
    """No (longer a) signed-in session: the handler sends the browser to sign in, then back to `next`."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfFailed(Exception):
    pass


def get_session(request: Request) -> Session:
    session: Session = request.state.session
    return session


CurrentSession = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class User:
    subject: str
    name: str
    role: Role | None
    pcn: str | None
    organisation: str | None
    icb: str | None
    token: str

    @property
    def works_cases(self) -> bool:
        return self.role in (Role.LINK_WORKER, Role.PCN_ADMIN)

    @property
    def curates(self) -> bool:
        return self.role is Role.CURATOR

    @property
    def sees_reports(self) -> bool:
        return self.role in (Role.PCN_ADMIN, Role.COMMISSIONER)


def _here(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


async def signed_in_user(request: Request, session: CurrentSession) -> User:
    profile = session.data.get("user")
    stored = session.data.get("tokens")
    if not profile or not stored:
        raise SignInRequired(_here(request) if request.method == "GET" else "/")
    tokens = Tokens.from_dict(stored)
    if not tokens.fresh(time.time()):
        oidc: OidcClient = request.app.state.oidc
        try:
            tokens = await oidc.refresh(tokens)
        except SignInFailed as error:
            session.end()
            raise SignInRequired(_here(request) if request.method == "GET" else "/") from error
        session.set("tokens", tokens.to_dict())
    role = profile.get("role")
    return User(
        subject=profile["sub"],
        name=profile.get("name") or profile["sub"],
        role=Role(role) if role in Role.__members__.values() else None,
        pcn=profile.get("pcn"),
        organisation=profile.get("organisation"),
        icb=profile.get("icb"),
        token=tokens.access_token,
    )


SignedIn = Annotated[User, Depends(signed_in_user)]


async def check_csrf(request: Request, session: CurrentSession) -> None:
    """Every state-changing form posts the session's token back; a cross-site form cannot know it."""
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, session.csrf_token):
        raise CsrfFailed()


CsrfChecked = Depends(check_csrf)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


Upstream = Annotated[Services, Depends(get_services)]


class Pages:
    """Renders templates with what every page needs: the session's CSRF token and the signed-in user."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment

    def render(
        self, request: Request, template: str, status_code: int = 200, user: User | None = None, **context: Any
    ) -> HTMLResponse:
        session: Session = request.state.session
        profile = session.data.get("user")
        html = self.environment.get_template(template).render(
            request=request,
            # A callable, so only a page with a form keeps an anonymous session alive.
            csrf_token=lambda: session.csrf_token,
            user=user,
            signed_in_name=(profile or {}).get("name"),
            path=request.url.path,
            cspNonce=request.state.csp_nonce,
            **context,
        )
        return HTMLResponse(html, status_code=status_code)


def get_pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


Render = Annotated[Pages, Depends(get_pages)]


def sign_in_location(next_path: str) -> str:
    return f"/sign-in?next={quote(next_path, safe='')}"
