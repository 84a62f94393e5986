"""/api/v1/incidents/{id}/tasks: who does what by when."""

from datetime import timedelta

import pytest
from django.utils import timezone

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.incidents import services
from trustdesk.incidents.models import EventKind, Task, TaskStatus
from trustdesk.incidents.tests.factories import make_incident


def _url(incident):
    return f"/api/v1/incidents/{incident.pk}/tasks"


def test_it_adds_a_task_with_an_owner_and_a_deadline(im, im2, incident):
    response = as_user(im).post(
        _url(incident),
        {"title": "Send takedown list", "owner": "isla.im", "due_at": "2026-11-25T18:00:00+09:00"},
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["owner"] == "isla.im"
    assert answer["status"] == "open"
    assert answer["created_by"] == "ivan.im"
    task = Task.objects.get(pk=answer["id"])
    assert task.due_at.isoformat() == "2026-11-25T09:00:00+00:00"
    assert incident.events.filter(kind=EventKind.TASK).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Call Ofcom", "due_at": "2026-11-25T18:00:00"}, "due_at"),
        ({"title": "Call Ofcom", "due_at": "tomorrow"}, "due_at"),
        ({"title": "Call Ofcom", "due_at": "9999-12-31T23:00:00-05:00"}, "due_at"),
        ({"title": "Call Ofcom", "owner": "ghost"}, "owner"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"owner": "isla.im"}, "title"),
    ],
)
def test_it_names_the_wrong_field_and_adds_nothing(im, im2, incident, body, field):
    response = as_user(im).post(_url(incident), body)
    assert response.status_code == 422, response.content
    assert error_fields(response) == [field]
    assert not Task.objects.exists()


def test_it_lists_the_tasks(im, im2, incident):
    services.create_task(actor=im, incident=incident, title="Brief comms", owner=im2)
    assert [(t["title"], t["owner"]) for t in as_user(im).get(_url(incident)).json()] == [
        ("Brief comms", "isla.im")
    ]


def test_finishing_a_task_stamps_it(im, incident):
    task = services.create_task(actor=im, incident=incident, title="Brief comms")
    response = as_user(im).patch(f"{_url(incident)}/{task.pk}", {"status": "done"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    assert response.json()["completed_at"] is not None
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_it_reassigns_and_unassigns(im, im2, incident):
    task = services.create_task(actor=im, incident=incident, title="Brief comms", owner=im)
    client = as_user(im)
    assert client.patch(f"{_url(incident)}/{task.pk}", {"owner": "isla.im"}).json()["owner"] == (
        "isla.im"
    )
    assert client.patch(f"{_url(incident)}/{task.pk}", {"owner": None}).json()["owner"] is None


def test_an_overdue_task_says_so(im, incident):
    task = services.create_task(
        actor=im, incident=incident, title="Reply to the court", due_at=timezone.now()
    )
    later = as_user(im).patch(
        f"{_url(incident)}/{task.pk}", {"due_at": (timezone.now() - timedelta(hours=1)).isoformat()}
    )
    assert later.json()["is_overdue"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "abandoned"}, "status"),
        ({"status": None}, "status"),
        ({"title": None}, "title"),
        ({"due_at": "2026-11-25T18:00:00"}, "due_at"),
        ({"owner": "ghost"}, "owner"),
        ({"incident": 4}, "incident"),
    ],
)
def test_it_names_the_wrong_field_of_a_change(im, incident, body, field):
    task = services.create_task(actor=im, incident=incident, title="Brief comms")
    response = as_user(im).patch(f"{_url(incident)}/{task.pk}", body)
    assert response.status_code == 422, response.content
    assert error_fields(response) == [field]
    task.refresh_from_db()
    assert (task.status, task.title) == (TaskStatus.OPEN, "Brief comms")


def test_a_task_of_another_incident_is_not_found_here(im, incident):
    other = make_incident(actor=im, title="Other")
    task = services.create_task(actor=im, incident=other, title="Not here")
    response = as_user(im).patch(f"{_url(incident)}/{task.pk}", {"status": "done"})
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_an_auditor_reads_tasks_but_changes_none(im, auditor, incident):
    task = services.create_task(actor=im, incident=incident, title="Brief comms")
    client = as_user(auditor)
    assert client.get(_url(incident)).status_code == 200
    assert client.post(_url(incident), {"title": "Audit"}).status_code == 403
    assert client.patch(f"{_url(incident)}/{task.pk}", {"status": "done"}).status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
