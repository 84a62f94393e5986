"""Account changes that must be audited: API tokens."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from trustdesk.audit import services as audit
from trustdesk.lib.errors import Conflict, InvalidInput

from .models import ApiToken, User, hash_token
from .scopes import SCOPES, allowed_scopes


@transaction.atomic
def create_token(
    *,
    actor: User,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    scopes: Iterable[str] | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value. The raw value is shown once and
    never stored; only its SHA-256 is kept. ``scopes`` None means every scope the owner's
    role allows (scripts and tests); the token page always asks for an explicit choice."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput({"name": "Name the token after the integration that uses it."})
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput({"expires_at": "The expiry must be in the future."})
    chosen = sorted(allowed_scopes(user.role) if scopes is None else set(scopes))
    if not chosen:
        raise InvalidInput({"scopes": "Pick at least one scope."})
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise InvalidInput({"scopes": f"Unknown scope: {', '.join(unknown)}."})
    beyond = [s for s in chosen if s not in allowed_scopes(user.role)]
    if beyond:
        raise InvalidInput(
            {"scopes": f"Your role cannot grant: {', '.join(beyond)} (a token never outranks you)."}
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=expires_at,
        scopes=chosen,
    )
    audit.record(
        actor=actor,
        action="token.create",
        obj=token,
        after={
            "user": user.username,
            "name": token.name,
            "prefix": token.prefix,
            "scopes": chosen,
        },
    )
    return token, raw


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        raise Conflict("This token is already revoked.", field="token")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="token.revoke", obj=token, after={"prefix": token.prefix})
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user behind a raw token, or None (see ``find_active_token``)."""
    token = find_active_token(raw)
    return token.user if token is not None else None


def find_active_token(raw: str) -> ApiToken | None:
    """The active token of an active user for a raw value, or None. Updates last-used at
    most once a minute so a busy integration does not turn every read into a write."""
    if not raw or not raw.startswith("td_"):
        return None
    token = (
        ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(raw)).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
