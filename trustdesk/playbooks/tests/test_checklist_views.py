"""The checklist panel and its actions follow the incident's visibility and edit rights."""

import pytest
from django.urls import reverse

from trustdesk.incidents.models import TaskStatus
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.playbooks import services

from .factories import make_playbook

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def applied(im, frozen):
    return services.apply_playbook(
        actor=im, incident=make_incident(actor=im), version=make_playbook(title="Challenge")
    )


@pytest.fixture
def restricted_applied(im, restricted_incident, frozen):
    version = make_playbook(title="CSAM", categories=["STATEMENT_CATEGORY_PROTECTION_OF_MINORS"])
    return services.apply_playbook(actor=im, incident=restricted_incident, version=version)


def panel_url(incident_id: int) -> str:
    return reverse("playbooks:checklist", args=[incident_id])


def test_the_panel_shows_the_steps_and_adherence(client, im, applied):
    client.force_login(im)
    response = client.get(panel_url(applied.incident_id), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Challenge" in body and "Size the trend" in body
    assert "0 of 2 done" in body
    assert "<html" not in body


def test_without_htmx_it_is_a_page(client, im, applied):
    client.force_login(im)
    response = client.get(panel_url(applied.incident_id))
    assert b"<html" in response.content and b"Size the trend" in response.content


def test_an_outsider_gets_404_for_a_restricted_incidents_checklist(
    client, outsider, im2, restricted_applied
):
    for user in (outsider, im2):
        client.force_login(user)
        assert client.get(panel_url(restricted_applied.incident_id), **HTMX).status_code == 404
        run = restricted_applied.runs.first()
        url = reverse("playbooks:done", args=[restricted_applied.incident_id, run.pk])
        assert client.post(url, **HTMX).status_code == 404
    run.task.refresh_from_db()
    assert run.task.status == TaskStatus.OPEN


def test_someone_on_the_list_sees_the_restricted_checklist(client, lead, restricted_applied):
    client.force_login(lead)
    response = client.get(panel_url(restricted_applied.incident_id), **HTMX)
    assert response.status_code == 200 and b"CSAM" in response.content


def test_the_anonymous_are_sent_to_log_in(client, applied):
    response = client.get(panel_url(applied.incident_id))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_ticking_a_step_answers_with_the_panel_tasks_and_timeline(client, im, applied):
    client.force_login(im)
    run = applied.runs.order_by("step__order").first()
    response = client.post(reverse("playbooks:done", args=[applied.incident_id, run.pk]), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 of 2 done" in body
    assert 'id="panel-tasks"' in body and 'id="panel-timeline"' in body
    run.task.refresh_from_db()
    assert run.task.status == TaskStatus.DONE


def test_skipping_without_a_reason_is_a_422_naming_it(client, im, applied):
    client.force_login(im)
    run = applied.runs.order_by("step__order").first()
    url = reverse("playbooks:skip", args=[applied.incident_id, run.pk])
    response = client.post(url, {"reason": " "}, **HTMX)
    assert response.status_code == 422
    assert "Say why this step is skipped." in response.content.decode()
    run.task.refresh_from_db()
    assert run.task.status == TaskStatus.OPEN
    response = client.post(url, {"reason": "No press interest"}, **HTMX)
    assert response.status_code == 200 and "1 skipped" in response.content.decode()


def test_a_stakeholder_who_can_see_but_not_edit_gets_403(client, im, stakeholder, applied):
    from trustdesk.incidents import services as incident_services

    incident_services.add_participant(
        actor=im, incident=applied.incident, user=stakeholder, role="legal"
    )
    client.force_login(stakeholder)
    response = client.get(panel_url(applied.incident_id), **HTMX)
    assert response.status_code == 200 and b"Done:" not in response.content
    run = applied.runs.first()
    assert (
        client.post(
            reverse("playbooks:done", args=[applied.incident_id, run.pk]), **HTMX
        ).status_code
        == 403
    )


def test_a_suggested_playbook_can_be_applied_by_hand(client, im, frozen):
    incident = make_incident(actor=im)
    version = make_playbook(title="By hand", auto_apply=False)
    client.force_login(im)
    assert b"Suggested playbooks" in client.get(panel_url(incident.pk), **HTMX).content
    response = client.post(
        reverse("playbooks:apply", args=[incident.pk]), {"playbook": version.playbook_id}, **HTMX
    )
    assert response.status_code == 200
    assert incident.playbooks.get().version == version


def test_the_post_mortem_view_of_adherence(client, im, outsider, applied):
    url = reverse("playbooks:incident_adherence", args=[applied.incident_id])
    client.force_login(im)
    assert b"Size the trend" in client.get(url, **HTMX).content
    client.force_login(outsider)
    assert client.get(url, **HTMX).status_code == 404


def test_checklist_rows_follow_the_incidents_visibility(
    im, im2, outsider, lead, restricted_applied
):
    from trustdesk.playbooks.models import AppliedPlaybook, StepRun

    for user, visible in ((outsider, False), (im2, False), (im, True), (lead, True)):
        assert AppliedPlaybook.objects.visible_to(user).exists() is visible
        assert StepRun.objects.visible_to(user).exists() is visible
