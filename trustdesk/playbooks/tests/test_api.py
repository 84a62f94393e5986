"""``/api/v1/playbooks`` and ``/api/v1/checklists``."""

import pytest

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.playbooks import services

from .factories import make_playbook

pytestmark = pytest.mark.django_db


def test_the_library_and_one_playbook(outsider):
    version = make_playbook(title="Challenge")
    api = as_user(outsider)
    listed = api.get("/api/v1/playbooks").json()
    assert [p["title"] for p in listed] == ["Challenge"]
    one = api.get(f"/api/v1/playbooks/{version.playbook_id}").json()
    assert [s["key"] for s in one["version"]["steps"]] == ["size-the-trend", "brief-policy"]


def test_match(im):
    make_playbook(title="Brazil", markets=["BR"])
    found = as_user(im).get("/api/v1/playbooks/match", {"markets": ["br"]}).json()
    assert [(m["title"], m["reasons"]) for m in found] == [("Brazil", ["market Brazil"])]


def test_apply_tick_and_skip_through_the_api(im, frozen):
    version = make_playbook()
    incident = make_incident(actor=im)
    api = as_user(im)
    response = api.post(
        f"/api/v1/checklists/{incident.pk}/playbooks", {"playbook": version.playbook.slug}
    )
    assert response.status_code == 201
    first, second = response.json()["steps"]
    base = f"/api/v1/checklists/{incident.pk}/steps"
    assert api.post(f"{base}/{first['id']}/done").json()["status"] == "done"
    refused = api.post(f"{base}/{second['id']}/skip", {"reason": ""})
    assert refused.status_code == 422 and error_fields(refused) == ["reason"]
    skipped = api.post(f"{base}/{second['id']}/skip", {"reason": "Not needed"}).json()
    assert (skipped["status"], skipped["skip_reason"]) == ("skipped", "Not needed")
    again = api.post(
        f"/api/v1/checklists/{incident.pk}/playbooks", {"playbook": version.playbook.slug}
    )
    assert again.status_code == 409


def test_checklists_of_restricted_incidents_are_404_to_outsiders(
    im, outsider, restricted_incident, frozen
):
    services.apply_playbook(actor=im, incident=restricted_incident, version=make_playbook())
    api = as_user(outsider)
    assert api.get(f"/api/v1/checklists/{restricted_incident.pk}").status_code == 404
    assert as_user(im).get(f"/api/v1/checklists/{restricted_incident.pk}").status_code == 200


def test_adherence_is_for_leads(im, lead):
    assert as_user(im).get("/api/v1/playbooks/adherence").status_code == 403
    assert as_user(lead).get("/api/v1/playbooks/adherence").status_code == 200
