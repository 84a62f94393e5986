"""Helpers the post-mortem services share: input cleaning, the incident's timeline note,
the search text kept with each post-mortem."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from trustdesk.accounts.models import User
from trustdesk.incidents import services as incident_services
from trustdesk.lib.errors import InvalidInput
from trustdesk.lib.timefmt import zone

from ..models import PostMortem

TEXT_MAX = 20000


def clean_text(
    value: str | None, *, field: str, max_length: int = TEXT_MAX, required: bool = False
) -> str:
    """Strip, and refuse what the database would choke on: NUL bytes, over-long values."""
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput({field: "This field is required."})
    if "\x00" in value:
        raise InvalidInput({field: "Contains a NUL character."})
    if len(value) > max_length:
        raise InvalidInput({field: f"At most {max_length:,} characters."})
    return value


def clean_tz(value: str, *, field: str = "tz") -> str:
    value = (value or "").strip()
    if not value or zone(value).key != value:
        raise InvalidInput({field: f"Unknown time zone {value!r}; use an IANA name."})
    return value


def link(pm: PostMortem, anchor: str = "") -> str:
    return reverse("postmortems:detail", args=[pm.pk]) + (f"#{anchor}" if anchor else "")


def incident_note(*, actor: User | None, pm: PostMortem, text: str) -> None:
    """Mirror a key step on the incident's timeline (like the regulatory app does), so the
    incident team sees it where they look. A system actor leaves only the audit event."""
    if actor is None:
        return
    incident_services.add_note(actor=actor, incident=pm.incident, text=f"{pm.ref}: {text}")


def show_utc(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def refresh_search_text(pm: PostMortem) -> None:
    """What search matches on, lower-cased once here so every database compares alike."""
    incident = pm.incident
    parts = [
        pm.ref,
        pm.title,
        incident.ref,
        incident.title,
        incident.category.name,
        pm.summary,
        pm.impact_notes,
        pm.went_well,
        pm.went_poorly,
        pm.got_lucky,
        pm.root_cause,
        pm.lessons,
        *pm.five_whys,
        *(f"{m.code} {m.name}" for m in incident.markets.all()),
        *(
            f"{link.factor.name} {link.factor.code} {link.note}"
            for link in pm.factor_links.select_related("factor")
        ),
        *(item.description for item in pm.action_items.all()),
    ]
    text = "\n".join(part for part in parts if part).lower()
    PostMortem.objects.filter(pk=pm.pk).update(search_text=text)
    pm.search_text = text
