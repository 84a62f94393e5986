"""Changing market profiles and risk events; the calendar feed's secret.

Every function runs in one transaction and writes its audit event with the change. A profile
save also keeps a ``ProfileRevision``: the whole profile as saved, and what changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from trustdesk.accounts.models import Membership, Role, TeamKind, User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import InvalidInput
from trustdesk.taxonomy.models import Market

from .models import (
    AuthorityContact,
    AuthorityKind,
    CalendarFeed,
    Channel,
    Expert,
    MarketProfile,
    Partner,
    PartnerKind,
    ProfileRevision,
    RiskEvent,
    RiskKind,
    RiskNote,
)

TEXT_FIELDS = ("overview", "regulatory_notes", "language_notes")
LABELS = {
    "overview": "Overview",
    "regulatory_notes": "How the law works here",
    "language_notes": "Language notes",
    "authorities": "Authorities",
    "partners": "Trusted partners",
    "risks": "Typical risks",
    "experts": "Internal experts",
}
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "authorities": (
        "name",
        "kind",
        "channel",
        "address",
        "hours",
        "notes",
        "regulatory_code",
        "unverified",
    ),
    "partners": ("name", "kind", "contact", "notes", "unverified"),
    "risks": ("title", "description"),
    "experts": ("username", "name", "expertise", "languages"),
}
_ROW_MODELS: dict[str, Any] = {
    "authorities": AuthorityContact,
    "partners": Partner,
    "risks": RiskNote,
    "experts": Expert,
}
_CHOICES = {
    ("authorities", "kind"): set(AuthorityKind.values),
    ("authorities", "channel"): set(Channel.values),
    ("partners", "kind"): set(PartnerKind.values),
}
_REQUIRED: dict[str, set[str]] = {
    "authorities": {"name", "kind", "channel"},
    "partners": {"name", "kind"},
    "risks": {"title"},
    "experts": {"expertise"},
}
_FEED_SALT = "trustdesk.markets.calendar-feed"


def can_edit_profiles(user: User) -> bool:
    """The team keeps profiles up to date: incident managers, leads and admins."""
    return bool(getattr(user, "is_responder", False))


def can_edit_calendar(user: User) -> bool:
    return bool(getattr(user, "sees_everything", False))


@dataclass
class ProfileDraft:
    overview: str = ""
    regulatory_notes: str = ""
    language_notes: str = ""
    authorities: list[dict[str, Any]] = field(default_factory=list)
    partners: list[dict[str, Any]] = field(default_factory=list)
    risks: list[dict[str, Any]] = field(default_factory=list)
    experts: list[dict[str, Any]] = field(default_factory=list)


def _label(row: dict[str, Any]) -> str:
    return str(row.get("name") or row.get("title") or row.get("username") or "?")


def snapshot(profile: MarketProfile) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(profile, name) for name in TEXT_FIELDS}
    for kind, names in ROW_FIELDS.items():
        rows = []
        for row in getattr(profile, kind).all():
            values = {n: getattr(row, n) for n in names if n != "username"}
            if kind == "experts":
                values["username"] = row.user.username if row.user else ""
            rows.append(values)
        data[kind] = rows
    return data


def snapshot_empty() -> dict[str, Any]:
    return {**dict.fromkeys(TEXT_FIELDS, ""), **{kind: [] for kind in ROW_FIELDS}}


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed, as a person reads it: a line diff of each text, rows added, removed
    or changed by name."""
    changes: list[dict[str, Any]] = []
    for name in TEXT_FIELDS:
        old, new = before.get(name, ""), after.get(name, "")
        if old != new:
            lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
            # Without the ---/+++/@@ header lines: the page says which text it is.
            body = [line for line in list(lines)[2:] if not line.startswith("@@")]
            changes.append({"field": name, "label": LABELS[name], "diff": body})
    for kind in ROW_FIELDS:
        old_rows = {_label(r): r for r in before.get(kind, [])}
        new_rows = {_label(r): r for r in after.get(kind, [])}
        added = [k for k in new_rows if k not in old_rows]
        removed = [k for k in old_rows if k not in new_rows]
        changed = [k for k in new_rows if k in old_rows and new_rows[k] != old_rows[k]]
        if added or removed or changed:
            changes.append(
                {
                    "field": kind,
                    "label": LABELS[kind],
                    "added": added,
                    "removed": removed,
                    "changed": changed,
                }
            )
    return changes


def _clean_text(value: Any, where: str, max_length: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput({where: "This field is required."})
    if "\x00" in text:
        raise InvalidInput({where: "Contains a NUL character."})
    if len(text) > max_length:
        raise InvalidInput({where: f"At most {max_length:,} characters."})
    return text


def _clean_rows(kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    model = _ROW_MODELS[kind]
    cleaned = []
    for i, raw in enumerate(rows):
        row: dict[str, Any] = {}
        for name in ROW_FIELDS[kind]:
            where = f"{kind}.{i}.{name}"
            if name == "unverified":
                row[name] = bool(raw.get(name))
                continue
            limit = model._meta.get_field(name).max_length if name != "username" else 150
            required = name in _REQUIRED[kind]
            row[name] = _clean_text(raw.get(name), where, limit or 20000, required=required)
            allowed = _CHOICES.get((kind, name))
            if allowed is not None and row[name] not in allowed:
                raise InvalidInput({where: f"One of {', '.join(sorted(allowed))}."})
        if kind == "experts":
            row["user"] = _expert_user(row.pop("username"), f"{kind}.{i}.username")
            if row["user"] is None and not row["name"]:
                raise InvalidInput({f"{kind}.{i}.name": "Name a user or a person."})
        cleaned.append(row)
    return cleaned


def _expert_user(username: str, where: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput({where: f"No active user {username!r}."})
    return user


@transaction.atomic
def save_profile(
    *, actor: User | None, market: Market, draft: ProfileDraft, note: str = ""
) -> MarketProfile:
    """Replace the market's profile with ``draft``. Saving an unchanged profile writes
    nothing; a change adds a revision and an audit event."""
    texts = {name: _clean_text(getattr(draft, name), name, 20000) for name in TEXT_FIELDS}
    rows = {kind: _clean_rows(kind, getattr(draft, kind)) for kind in ROW_FIELDS}
    note = _clean_text(note, "note", 300)
    profile, created = MarketProfile.objects.select_for_update().get_or_create(market=market)
    before = snapshot(profile)
    for name, value in texts.items():
        setattr(profile, name, value)
    for kind, model in _ROW_MODELS.items():
        getattr(profile, kind).all().delete()
        model.objects.bulk_create(
            model(profile=profile, order=i, **row) for i, row in enumerate(rows[kind])
        )
    after = snapshot(profile)
    changes = diff(before, after)
    if not changes and not created:
        return profile
    number = profile.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    profile.version = number + 1
    profile.updated_at = timezone.now()
    profile.updated_by = actor
    profile.save()
    ProfileRevision.objects.create(
        profile=profile,
        number=profile.version,
        snapshot=after,
        changes=[] if created else changes,
        note=note,
        created_by=actor,
        created_at=profile.updated_at,
    )
    audit.record(
        actor=actor,
        action="markets.profile.update",
        obj=profile,
        before={c["field"]: before.get(c["field"]) for c in changes},
        after={c["field"]: after.get(c["field"]) for c in changes},
    )
    return profile


def draft_of(profile: MarketProfile | None) -> ProfileDraft:
    if profile is None:
        return ProfileDraft()
    data = snapshot(profile)
    return ProfileDraft(**data)


def region_leads(region: str) -> list[User]:
    """The region's leads: leads of its incident-management team, and leads whose region it
    is; every active lead when the region has none, so no reminder goes to nobody."""
    leads = User.objects.filter(is_active=True, role=Role.LEAD)
    in_team = Membership.objects.filter(
        is_lead=True, team__kind=TeamKind.INCIDENT_MANAGEMENT, team__region=region
    ).values("user")
    found = (leads.filter(pk__in=in_team) | leads.filter(region=region)).distinct()
    return list((found if found.exists() else leads).order_by("username"))


# --- risk events ---------------------------------------------------------------------------


@dataclass
class EventDraft:
    market: Market
    title: str
    kind: str
    starts_on: date
    ends_on: date | None = None
    notes: str = ""
    remind_days_before: list[int] = field(default_factory=lambda: [14, 3])
    unconfirmed: bool = False
    source: str = ""


def _clean_event(draft: EventDraft) -> dict[str, Any]:
    if draft.kind not in RiskKind.values:
        raise InvalidInput({"kind": f"One of {', '.join(RiskKind.values)}."})
    ends_on = draft.ends_on or draft.starts_on
    if ends_on < draft.starts_on:
        raise InvalidInput({"ends_on": "Must be on or after the first day."})
    if (ends_on - draft.starts_on).days > 366:
        raise InvalidInput({"ends_on": "A risk period is at most a year long."})
    days = sorted(set(draft.remind_days_before), reverse=True)
    if any(d < 0 or d > 365 for d in days):
        raise InvalidInput({"remind_days_before": "Days between 0 and 365."})
    return {
        "market": draft.market,
        "title": _clean_text(draft.title, "title", 200, required=True),
        "kind": draft.kind,
        "starts_on": draft.starts_on,
        "ends_on": ends_on,
        "notes": _clean_text(draft.notes, "notes", 20000),
        "remind_days_before": days,
        "unconfirmed": bool(draft.unconfirmed),
        "source": _clean_text(draft.source, "source", 300),
    }


def _event_snapshot(event: RiskEvent) -> dict[str, Any]:
    return {
        "market": event.market.code,
        "title": event.title,
        "kind": event.kind,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "remind_days_before": event.remind_days_before,
        "unconfirmed": event.unconfirmed,
    }


@transaction.atomic
def create_event(*, actor: User | None, draft: EventDraft, pack_key: str = "") -> RiskEvent:
    event = RiskEvent.objects.create(created_by=actor, pack_key=pack_key, **_clean_event(draft))
    audit.record(
        actor=actor, action="markets.risk_event.create", obj=event, after=_event_snapshot(event)
    )
    return event


@transaction.atomic
def update_event(*, actor: User, event: RiskEvent, draft: EventDraft) -> RiskEvent:
    """A reminder already sent is not sent again when the date moves: its key names the
    event and the days before. Reminders not yet due follow the new date."""
    event = RiskEvent.objects.select_for_update().get(pk=event.pk)
    before = _event_snapshot(event)
    for name, value in _clean_event(draft).items():
        setattr(event, name, value)
    event.save()
    after = _event_snapshot(event)
    if before != after:
        audit.record(
            actor=actor, action="markets.risk_event.update", obj=event, before=before, after=after
        )
    return event


@transaction.atomic
def delete_event(*, actor: User, event: RiskEvent) -> None:
    audit.record(
        actor=actor, action="markets.risk_event.delete", obj=event, before=_event_snapshot(event)
    )
    event.delete()


# --- the calendar feed's secret ------------------------------------------------------------


def feed_token(user: User) -> str:
    """The token for the user's feed URL: their id and their current feed key, signed."""
    feed, _ = CalendarFeed.objects.get_or_create(
        user=user, defaults={"key": CalendarFeed.new_key()}
    )
    return signing.Signer(salt=_FEED_SALT).sign_object([user.pk, feed.key], compress=False)


@transaction.atomic
def reset_feed(*, actor: User) -> str:
    """A new secret: every URL handed out before stops working."""
    CalendarFeed.objects.update_or_create(user=actor, defaults={"key": CalendarFeed.new_key()})
    audit.record(actor=actor, action="markets.calendar_feed.reset", obj=actor)
    return feed_token(actor)


def user_for_token(token: str) -> User | None:
    """The active user the token was made for, if it is still their current one."""
    try:
        user_id, key = signing.Signer(salt=_FEED_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    feed = CalendarFeed.objects.select_related("user").filter(user_id=user_id).first()
    if feed is None or not feed.user.is_active or not constant_time_compare(feed.key, str(key)):
        return None
    return feed.user
