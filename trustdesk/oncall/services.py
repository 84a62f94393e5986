"""Changing engagement rules (leads only; every change audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import BaseInlineFormSet
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit

from .forms import EngagementRuleForm, PolicyForm, RotationForm
from .models import (
    EngagementRule,
    EscalationPolicy,
    EscalationStep,
    LayerMember,
    Rotation,
    RotationLayer,
    RotationMember,
)


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
        "source_types": sorted(rule.source_types),
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


def _check_editor(actor: User, what: str) -> None:
    if not actor.sees_everything:
        raise PermissionDenied(f"Only leads and admins edit {what}.")


def _rotation_snapshot(rotation: Rotation) -> dict[str, Any]:
    return {
        "team": rotation.team.slug,
        "name": rotation.name,
        "tz": rotation.tz,
        "starts_on": str(rotation.starts_on),
        "shift_days": rotation.shift_days,
        "handoff_time": str(rotation.handoff_time),
        "covers": f"{rotation.covers_from}-{rotation.covers_until}",
        "holidays": f"{rotation.holiday_country}-{rotation.holiday_subdiv}".strip("-"),
        "holiday_fallback": rotation.holiday_fallback.username
        if rotation.holiday_fallback
        else None,
        "members": [m.user.username for m in rotation.members.select_related("user")],
        "layers": [
            {
                "name": layer.name,
                "position": layer.position,
                "when": layer.when,
                "weekdays": layer.weekdays,
                "covers": f"{layer.covers_from}-{layer.covers_until}",
                "members": [m.user.username for m in layer.members.select_related("user")],
            }
            for layer in rotation.layers.all()
        ],
        "overrides": [
            [o.user.username, o.starts_at.isoformat(), o.ends_at.isoformat()]
            for o in rotation.overrides.select_related("user")
        ],
    }


def _set_members(model: type[Any], parent: dict[str, Any], people: list[User]) -> None:
    model.objects.filter(**parent).delete()
    model.objects.bulk_create(
        [model(user=person, position=n, **parent) for n, person in enumerate(people)]
    )


def _kept(formset: Any) -> list[Any]:
    """The formset's filled-in, not deleted forms, by the position they were given."""
    forms = [
        f
        for f in formset.forms
        if f.cleaned_data
        and not f.cleaned_data.get("DELETE")
        and (f.has_changed() or f.instance.pk)
    ]
    return sorted(forms, key=lambda f: f.cleaned_data.get("position", 0))


@transaction.atomic
def save_rotation(
    *,
    actor: User,
    form: RotationForm,
    layers: BaseInlineFormSet[Any, Any, Any],
    overrides: BaseInlineFormSet[Any, Any, Any],
) -> Rotation:
    """Create or update a rotation with its members, layers and overrides (valid forms).
    Layers are written afresh, so positions can be swapped freely."""
    _check_editor(actor, "rotations")
    before = _rotation_snapshot(form.instance) if form.instance.pk else None
    rotation: Rotation = form.save()
    _set_members(RotationMember, {"rotation": rotation}, form.cleaned_data["members"])
    rotation.layers.all().delete()
    for layer_form in _kept(layers):
        data = {k: v for k, v in layer_form.cleaned_data.items() if k in _LAYER_FIELDS}
        layer = RotationLayer.objects.create(rotation=rotation, **data)
        _set_members(LayerMember, {"layer": layer}, layer_form.cleaned_data["members"])
    overrides.instance = rotation
    overrides.save()
    audit.record(
        actor=actor,
        action="oncall.rotation.update" if before else "oncall.rotation.create",
        obj=rotation,
        before=before,
        after=_rotation_snapshot(rotation),
    )
    return rotation


_LAYER_FIELDS = (
    "name",
    "position",
    "when",
    "weekdays",
    "covers_from",
    "covers_until",
    "shift_days",
)
_STEP_FIELDS = ("kind", "team", "person", "region", "minutes", "times")


def _policy_snapshot(policy: EscalationPolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "enabled": policy.enabled,
        "min_severity": policy.min_severity,
        "on_regulatory_clocks": policy.on_regulatory_clocks,
        "region": policy.region,
        "steps": [
            [s.position, s.kind, s.team_id, s.person_id, s.region, s.minutes, s.times]
            for s in policy.steps.all()
        ],
    }


@transaction.atomic
def save_policy(
    *, actor: User, form: PolicyForm, steps: BaseInlineFormSet[Any, Any, Any]
) -> EscalationPolicy:
    """Create or update an escalation policy and its ordered steps (valid forms). Steps are
    written afresh and renumbered 0, 1, 2... in the order of the positions given."""
    _check_editor(actor, "escalation policies")
    before = _policy_snapshot(form.instance) if form.instance.pk else None
    policy: EscalationPolicy = form.save()
    kept = _kept(steps)
    policy.steps.all().delete()
    EscalationStep.objects.bulk_create(
        [
            EscalationStep(
                policy=policy,
                position=n,
                **{k: v for k, v in f.cleaned_data.items() if k in _STEP_FIELDS},
            )
            for n, f in enumerate(kept)
        ]
    )
    audit.record(
        actor=actor,
        action="oncall.policy.update" if before else "oncall.policy.create",
        obj=policy,
        before=before,
        after=_policy_snapshot(policy),
    )
    return policy
