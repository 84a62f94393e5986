"""The rules page: responders read, leads edit (audited), everyone else is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from trustdesk.audit.models import AuditEvent
from trustdesk.oncall.models import EngagementRule
from trustdesk.taxonomy.models import Category

from .factories import make_rule

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_responders_read_the_rules(im, stakeholder) -> None:
    make_rule("Legal on restricted", restricted="only", person=stakeholder, reason="Need-to-know")
    html = _client(im).get("/oncall/rules/").content.decode()
    assert "Legal on restricted" in html and "Restricted incidents only" in html
    assert "New rule" not in html


def test_outsiders_are_refused(outsider) -> None:
    assert _client(outsider).get("/oncall/rules/").status_code == 404
    assert _client(outsider).get("/oncall/rules/new").status_code == 403


def test_incident_managers_cannot_edit(im) -> None:
    assert _client(im).post("/oncall/rules/new", {"name": "x"}).status_code == 403


def test_a_lead_creates_a_rule_and_it_is_audited(lead, stakeholder) -> None:
    minors = Category.objects.get(code="STATEMENT_CATEGORY_PROTECTION_OF_MINORS")
    response = _client(lead).post(
        "/oncall/rules/new",
        {
            "name": "Child safety",
            "enabled": "on",
            "categories": [minors.pk],
            "restricted": "any",
            "person": stakeholder.pk,
            "role": "sme",
        },
    )
    assert response.status_code == 302
    rule = EngagementRule.objects.get()
    assert list(rule.categories.all()) == [minors]
    event = AuditEvent.objects.get(action="oncall.rule.create")
    assert event.after["categories"] == [minors.code]


def test_a_rule_without_conditions_or_people_is_refused(lead) -> None:
    response = _client(lead).post(
        "/oncall/rules/new", {"name": "All", "restricted": "any", "role": "sme"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Name a team or a person" in html and "at least one condition" in html
    assert not EngagementRule.objects.exists()


def test_a_lead_edits_a_rule(lead, stakeholder) -> None:
    rule = make_rule("Comms", text_contains="press", person=stakeholder)
    response = _client(lead).post(
        f"/oncall/rules/{rule.pk}/edit",
        {
            "name": "Comms",
            "text_contains": "press, journalist",
            "restricted": "any",
            "person": stakeholder.pk,
            "role": "liaison",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.text_contains, rule.enabled) == ("press, journalist", False)
    assert AuditEvent.objects.filter(action="oncall.rule.update").count() == 1
