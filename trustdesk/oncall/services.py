"""Changing engagement rules (leads only; every change audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit

from .forms import EngagementRuleForm
from .models import EngagementRule


def _snapshot(rule: EngagementRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "categories": sorted(c.code for c in rule.categories.all()),
        "keywords": sorted(k.code for k in rule.keywords.all()),
        "markets": sorted(m.code for m in rule.markets.all()),
        "min_severity": rule.min_severity,
        "text_contains": rule.text_contains,
        "restricted": rule.restricted,
        "team": rule.team.slug if rule.team else None,
        "person": rule.person.username if rule.person else None,
        "role": rule.role,
    }


@transaction.atomic
def save_rule(*, actor: User, form: EngagementRuleForm) -> EngagementRule:
    """Create or update a rule from a valid form."""
    if not actor.sees_everything:
        raise PermissionDenied("Only leads edit engagement rules.")
    before = _snapshot(form.instance) if form.instance.pk else None
    rule: EngagementRule = form.save(commit=False)
    if rule.pk is None:
        rule.created_by = actor
    rule.updated_at = timezone.now()
    rule.save()
    form.save_m2m()
    audit.record(
        actor=actor,
        action="oncall.rule.update" if before else "oncall.rule.create",
        obj=rule,
        before=before,
        after=_snapshot(rule),
    )
    return rule
