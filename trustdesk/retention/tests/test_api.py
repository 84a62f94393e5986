import pytest

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.audit.models import AuditEvent
from trustdesk.retention.models import LegalHold

pytestmark = pytest.mark.django_db


def test_it_lets_an_admin_place_and_release_a_hold_on_an_incident(admin, incident):
    api = as_user(admin)
    placed = api.post(
        "/api/v1/retention/holds",
        {"scope": "incident", "incident_id": incident.pk, "reason": "Litigation 24-117"},
    )
    assert placed.status_code == 201, placed.json()
    assert placed.json()["target"] == incident.ref
    assert placed.json()["active"] is True
    released = api.post(
        f"/api/v1/retention/holds/{placed.json()['id']}/release", {"reason": "Settled"}
    )
    assert released.status_code == 200
    assert released.json()["active"] is False
    actions = list(AuditEvent.objects.filter(action__startswith="retention.hold"))
    assert [e.action for e in actions] == ["retention.hold.place", "retention.hold.release"]


def test_it_refuses_an_incident_manager(im, incident):
    response = as_user(im).post(
        "/api/v1/retention/holds",
        {"scope": "incident", "incident_id": incident.pk, "reason": "Mine"},
    )
    assert response.status_code == 403
    assert not LegalHold.objects.exists()


def test_it_refuses_an_outsider_to_read(outsider):
    assert as_user(outsider).get("/api/v1/retention/holds").status_code == 403


def test_it_names_the_missing_target(admin):
    response = as_user(admin).post(
        "/api/v1/retention/holds", {"scope": "incident", "reason": "Litigation"}
    )
    assert response.status_code == 422
    assert error_fields(response) == ["incident"]


def test_it_does_not_hold_an_incident_that_does_not_exist(admin):
    response = as_user(admin).post(
        "/api/v1/retention/holds",
        {"scope": "incident", "incident_id": 999999, "reason": "Litigation"},
    )
    assert response.status_code == 422
    assert error_fields(response) == ["incident_id"]


def test_only_an_admin_changes_a_policy(admin, lead):
    refused = as_user(lead).client.put(
        "/api/v1/retention/policies/reports", {"keep_days": 30}, content_type="application/json"
    )
    assert refused.status_code == 403
    response = as_user(admin).client.put(
        "/api/v1/retention/policies/reports", {"keep_days": 30}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"data_class": "reports", "keep_days": 30, "overridden": True}


def test_the_audit_log_policy_cannot_be_shortened(admin):
    response = as_user(admin).client.put(
        "/api/v1/retention/policies/audit", {"keep_days": 30}, content_type="application/json"
    )
    assert response.status_code == 422
    assert error_fields(response) == ["data_class"]


def test_an_admin_reads_policies_and_runs(admin):
    api = as_user(admin)
    policies = api.get("/api/v1/retention/policies").json()
    assert {"data_class": "audit", "keep_days": None, "overridden": False} in policies
    assert api.get("/api/v1/retention/runs").status_code == 200
