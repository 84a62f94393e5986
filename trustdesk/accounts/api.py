"""API authentication (bearer tokens and the browser session) and ``GET /api/v1/me``."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from .models import User
from .scopes import effective_scopes, scope_for
from .services import find_active_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer td_…``: a personal API token (see docs/api.md). The token must
    hold the scope the operation declares (trustdesk.accounts.scopes), and its owner's role
    must still allow that scope: otherwise 403 naming the scope."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = find_active_token(token.strip())
        if found is None:
            return None
        match = request.resolver_match
        needed = scope_for(request.method or "GET", match.route if match else "")
        if needed is None:
            raise PermissionDenied(
                "This operation declares no token scope, so API tokens cannot call it."
            )
        if needed not in effective_scopes(found.user.role, found.scopes):
            raise PermissionDenied(
                f"This token lacks the scope '{needed}' (or its owner's role no longer allows it)."
            )
        # Handlers, services and the audit log all speak of request.user.
        request.user = found.user
        return found.user


class SessionAuth(NinjaSessionAuth):
    """The logged-in browser session, for the UI's own scripts. CSRF is enforced, as with
    ``ninja.security.django_auth``; the check runs only once a session user is found, so an
    anonymous request is told to authenticate (401) rather than that its CSRF token is
    missing (403)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


def request_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (every route requires authentication)."""
    return cast(User, request.user)


router = Router(tags=["accounts"])


class TeamOut(Schema):
    slug: str
    name: str
    kind: str
    region: str


class PermissionsOut(Schema):
    sees_everything: bool
    is_responder: bool


class MeOut(Schema):
    username: str
    display_name: str
    email: str
    role: str
    region: str
    tz: str
    title: str
    teams: list[TeamOut]
    permissions: PermissionsOut


@router.get("/me", response=MeOut, summary="The user the request is authenticated as")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request_user(request)
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "region": user.region,
        "tz": user.tz,
        "title": user.title,
        "teams": list(user.teams.all()),
        "permissions": {
            "sees_everything": user.sees_everything,
            "is_responder": user.is_responder,
        },
    }
