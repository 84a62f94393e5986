"""Administrators' edits to the regime pack. An edit never changes a version in place: it
adds the next version and moves the rule to it, so requests computed with the old text keep
it (and the loader will not overwrite the edit without ``--overwrite-local``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import InvalidInput

from .clock import ClockError, ClockKind, ClockSpec, Closure
from .models import Authority, Rule, RuleVersion, VersionSource
from .regimes import VERSION_FIELDS

EDITABLE = (*VERSION_FIELDS, "authority")


def check(rule: Rule, values: dict[str, Any]) -> None:
    """Refuse a text whose dates, keeping period, authority or clock do not hold together."""
    start, end = values.get("effective_from"), values.get("effective_to")
    if start and end and end <= start:
        raise InvalidInput({"effective_to": "Must be after the start date."})
    if values.get("keep_count") and not values.get("keep_unit"):
        raise InvalidInput({"keep_unit": "Say days, months or years."})
    authority: Authority | None = values.get("authority")
    if authority is not None and authority.jurisdiction_id != rule.jurisdiction_id:
        raise InvalidInput({"authority": "Choose an authority of the rule's jurisdiction."})
    try:
        closures = tuple(Closure(**c) for c in values.get("closures") or [])
        ClockSpec(
            kind=ClockKind(values["clock_kind"]),
            duration=int(values["duration"]),
            tz=values.get("tz") or rule.jurisdiction.tz,
            holiday_country=values.get("holiday_country") or rule.jurisdiction.holiday_country,
            holiday_subdiv=values.get("holiday_subdiv") or "",
            closures=closures,
        )
    except (ClockError, TypeError, KeyError, ValueError) as exc:
        raise InvalidInput({"clock_kind": f"The clock cannot be computed: {exc}"}) from None


@transaction.atomic
def save_version(
    *, actor: User, rule: Rule, values: dict[str, Any], change_note: str
) -> RuleVersion:
    """Make ``values`` the rule's current text as a new version (unless nothing changed)."""
    rule = Rule.objects.select_for_update().select_related("jurisdiction").get(pk=rule.pk)
    current = rule.current
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput({sorted(unknown)[0]: "This field is not part of a rule's text."})
    merged = {name: getattr(current, name) for name in EDITABLE} if current else {}
    merged.update(values)
    if current is not None and all(merged[n] == getattr(current, n) for n in EDITABLE):
        return current
    if not (change_note or "").strip():
        raise InvalidInput({"change_note": "Say what changed and on what source."})
    check(rule, merged)
    version = RuleVersion.objects.create(
        rule=rule,
        number=(current.number if current else 0) + 1,
        source=VersionSource.ADMIN,
        created_by=actor,
        change_note=change_note.strip()[:300],
        **merged,
    )
    rule.current = version
    rule.save(update_fields=["current"])
    changed = [n for n in EDITABLE if current is None or merged[n] != getattr(current, n)]
    audit.record(
        actor=actor,
        action="regulatory.rule.revise",
        obj=rule,
        before={n: str(getattr(current, n)) for n in changed} if current else None,
        after={**{n: str(merged[n]) for n in changed}, "version": version.number},
    )
    return version
