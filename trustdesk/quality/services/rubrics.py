"""Publishing a new rubric version. Versions are never edited: a review keeps the version it
was scored with, and trends follow a criterion across versions by its key."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from trustdesk.accounts.models import Role, User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import InvalidInput
from trustdesk.quality.loader import clean_criteria
from trustdesk.quality.models import Criterion, Rubric, RubricVersion

from .common import clean_text


@transaction.atomic
def publish_version(
    *,
    actor: User | None,
    rubric: Rubric,
    criteria: list[dict[str, Any]],
    pass_mark: int,
    note: str,
) -> RubricVersion:
    """The rubric's next version. Reviews already assigned keep theirs; the next sampling
    run uses this one."""
    if actor is not None and actor.role not in (Role.ADMIN, Role.LEAD):
        raise PermissionDenied("Leads and admins publish rubric versions.")
    cleaned = clean_criteria(criteria)
    if not 0 <= int(pass_mark) <= 100:
        raise InvalidInput({"pass_mark": "A percentage from 0 to 100."})
    note = clean_text(note, field="note", max_length=2000, required=True)
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    number = (rubric.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = RubricVersion.objects.create(
        rubric=rubric, number=number, pass_mark=int(pass_mark), note=note, published_by=actor
    )
    Criterion.objects.bulk_create(
        Criterion(version=version, position=i, **row) for i, row in enumerate(cleaned)
    )
    audit.record(
        actor=actor,
        action="quality.rubric.publish",
        obj=version,
        after={"rubric": rubric.slug, "number": number, "criteria": [c["key"] for c in cleaned]},
    )
    return version
