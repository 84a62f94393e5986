"""Writing playbooks: every save is a new version; nothing already written changes.

``save_version`` validates the whole draft first, so a bad step never leaves half a version
behind, and names the field that is wrong (``steps.2.role``, ``templates.0.key``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import Conflict, InvalidInput
from trustdesk.markets import rules as market_rules
from trustdesk.taxonomy.models import Category, Keyword, Market
from trustdesk.taxonomy.severity import Severity

from .models import Anchor, Playbook, PlaybookVersion, SourceType, Step, StepRole

# A year either side of the anchor: anything further is a typo in the unit.
MAX_OFFSET_MINUTES = 366 * 24 * 60
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@dataclass
class StepDraft:
    title: str
    role: str
    offset_minutes: int
    anchor: str = Anchor.INCIDENT_START
    body: str = ""
    key: str = ""
    condition: dict[str, list[str]] = field(default_factory=dict)
    template_keys: list[str] = field(default_factory=list)


@dataclass
class Draft:
    title: str
    steps: list[StepDraft]
    summary: str = ""
    categories: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    source_types: list[str] = field(default_factory=list)
    auto_apply: bool = True
    stakeholders: list[str] = field(default_factory=list)
    templates: list[dict[str, str]] = field(default_factory=list)
    rule_codes: list[str] = field(default_factory=list)
    change_note: str = ""


def can_edit_library(user: User) -> bool:
    return bool(getattr(user, "sees_everything", False))


def _text(value: str, field_name: str, max_length: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput({field_name: "This field is required."})
    if "\x00" in value:
        raise InvalidInput({field_name: "Contains a NUL character."})
    if len(value) > max_length:
        raise InvalidInput({field_name: f"At most {max_length:,} characters."})
    return value


def _known(values: list[str], allowed: set[str], field_name: str) -> list[str]:
    cleaned = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    unknown = [v for v in cleaned if v not in allowed]
    if unknown:
        raise InvalidInput({field_name: f"Unknown: {', '.join(unknown)}."})
    return cleaned


def _criteria(draft: Draft) -> dict[str, list[str]]:
    return {
        "categories": _known(
            draft.categories, set(Category.objects.values_list("code", flat=True)), "categories"
        ),
        "keywords": _known(
            draft.keywords, set(Keyword.objects.values_list("code", flat=True)), "keywords"
        ),
        "markets": _known(
            [m.upper() for m in draft.markets],
            set(Market.objects.values_list("code", flat=True)),
            "markets",
        ),
        "severities": _known(draft.severities, set(Severity.values), "severities"),
        "source_types": _known(draft.source_types, set(SourceType.values), "source_types"),
    }


def _rule_codes(codes: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    if cleaned and market_rules.pack_loaded():
        known = {r.code for r in market_rules.by_codes(cleaned, timezone.now().date())}
        unknown = [c for c in cleaned if c not in known]
        if unknown:
            raise InvalidInput({"rule_codes": f"Not in the regime pack: {', '.join(unknown)}."})
    return cleaned


def _templates(draft: Draft) -> list[dict[str, str]]:
    cleaned = []
    seen: set[str] = set()
    for i, raw in enumerate(draft.templates):
        title = _text(raw.get("title", ""), f"templates.{i}.title", 200, required=True)
        key = (raw.get("key") or "").strip() or slugify(title)[:60]
        if not _KEY.match(key) or key in seen:
            raise InvalidInput({f"templates.{i}.key": "Use a unique key of a-z, 0-9 and -."})
        seen.add(key)
        body = _text(raw.get("body", ""), f"templates.{i}.body", 20000, required=True)
        cleaned.append({"key": key, "title": title, "body": body})
    return cleaned


def _step(
    i: int, raw: StepDraft, template_keys: set[str], used: set[str], reserved: set[str]
) -> dict[str, Any]:
    where = f"steps.{i}"
    title = _text(raw.title, f"{where}.title", 200, required=True)
    if raw.role not in StepRole.values:
        raise InvalidInput({f"{where}.role": f"One of {', '.join(StepRole.values)}."})
    if raw.anchor not in Anchor.values:
        raise InvalidInput({f"{where}.anchor": f"One of {', '.join(Anchor.values)}."})
    offset = int(raw.offset_minutes)
    if abs(offset) > MAX_OFFSET_MINUTES:
        raise InvalidInput({f"{where}.offset_minutes": "At most a year from the anchor."})
    if raw.anchor == Anchor.INCIDENT_START and offset < 0:
        raise InvalidInput({f"{where}.offset_minutes": "A step cannot be due before the start."})
    key = (raw.key or "").strip()
    if key and (not _KEY.match(key) or key in used):
        raise InvalidInput({f"{where}.key": "Use a unique key of a-z, 0-9 and -."})
    if not key:
        # A new step: a key from its title, kept by every later version of the step.
        key = slugify(title)[:55] or "step"
        while key in used or key in reserved:
            key = f"{key[:50]}-{i + 1}"
    used.add(key)
    missing = [k for k in raw.template_keys if k not in template_keys]
    if missing:
        raise InvalidInput({f"{where}.template_keys": f"No template {', '.join(missing)}."})
    condition = {
        "markets": _known(
            [m.upper() for m in raw.condition.get("markets", [])],
            set(Market.objects.values_list("code", flat=True)),
            f"{where}.condition.markets",
        ),
        "severities": _known(
            raw.condition.get("severities", []),
            set(Severity.values),
            f"{where}.condition.severities",
        ),
        "source_types": _known(
            raw.condition.get("source_types", []),
            set(SourceType.values),
            f"{where}.condition.source_types",
        ),
    }
    return {
        "key": key,
        "order": i + 1,
        "title": title,
        "body": _text(raw.body, f"{where}.body", 20000),
        "role": raw.role,
        "anchor": raw.anchor,
        "offset_minutes": offset,
        "condition": {k: v for k, v in condition.items() if v},
        "template_keys": list(dict.fromkeys(raw.template_keys)),
    }


def _clean(draft: Draft) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    fields: dict[str, Any] = {
        "title": _text(draft.title, "title", 200, required=True),
        "summary": _text(draft.summary, "summary", 20000),
        **_criteria(draft),
        "auto_apply": bool(draft.auto_apply),
        "stakeholders": [_text(s, "stakeholders", 200) for s in draft.stakeholders if s.strip()],
        "templates": _templates(draft),
        "rule_codes": _rule_codes(draft.rule_codes),
        "change_note": _text(draft.change_note, "change_note", 300),
    }
    if not draft.steps:
        raise InvalidInput({"steps": "A playbook needs at least one step."})
    keys = {t["key"] for t in fields["templates"]}
    used: set[str] = set()
    reserved = {raw.key.strip() for raw in draft.steps if raw.key and raw.key.strip()}
    steps = [_step(i, raw, keys, used, reserved) for i, raw in enumerate(draft.steps)]
    return fields, steps


def _new_slug(title: str) -> str:
    base = slugify(title)[:70] or "playbook"
    slug, n = base, 2
    while Playbook.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def save_version(
    *,
    actor: User | None,
    draft: Draft,
    playbook: Playbook | None = None,
    slug: str = "",
    from_pack: bool = False,
) -> PlaybookVersion:
    """Write ``draft`` as the next version of ``playbook`` (or of a new playbook) and make
    it current. Checklists already on incidents keep the version they were made from."""
    fields, steps = _clean(draft)
    if playbook is None:
        playbook = Playbook.objects.create(
            slug=slug or _new_slug(fields["title"]), created_by=actor, from_pack=from_pack
        )
    else:
        playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
        if playbook.versions.count() and not fields["change_note"]:
            raise InvalidInput({"change_note": "Say what changed and why, for the history."})
    number = (playbook.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlaybookVersion.objects.create(
        playbook=playbook, number=number, created_by=actor, **fields
    )
    Step.objects.bulk_create(Step(version=version, **step) for step in steps)
    playbook.current = version
    playbook.save(update_fields=["current"])
    audit.record(
        actor=actor,
        action="playbook.version.create",
        obj=playbook,
        after={
            "version": number,
            "title": fields["title"],
            "steps": len(steps),
            "change_note": fields["change_note"],
        },
    )
    return version


@transaction.atomic
def set_archived(*, actor: User, playbook: Playbook, archived: bool) -> Playbook:
    """Archived playbooks stop matching; checklists already made from them stay."""
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    if (playbook.archived_at is not None) == archived:
        raise Conflict("Already archived." if archived else "Not archived.", field="archived")
    playbook.archived_at = timezone.now() if archived else None
    playbook.save(update_fields=["archived_at"])
    audit.record(
        actor=actor,
        action="playbook.archive" if archived else "playbook.restore",
        obj=playbook,
    )
    return playbook


def draft_from(version: PlaybookVersion) -> Draft:
    """A version as a draft, to edit into the next one."""
    return Draft(
        title=version.title,
        summary=version.summary,
        categories=list(version.categories),
        keywords=list(version.keywords),
        markets=list(version.markets),
        severities=list(version.severities),
        source_types=list(version.source_types),
        auto_apply=version.auto_apply,
        stakeholders=list(version.stakeholders),
        templates=[dict(t) for t in version.templates],
        rule_codes=list(version.rule_codes),
        steps=[
            StepDraft(
                key=s.key,
                title=s.title,
                body=s.body,
                role=s.role,
                anchor=s.anchor,
                offset_minutes=s.offset_minutes,
                condition={k: list(v) for k, v in (s.condition or {}).items()},
                template_keys=list(s.template_keys),
            )
            for s in version.steps.order_by("order")
        ],
    )
