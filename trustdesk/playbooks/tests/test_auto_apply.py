"""A new incident gets the matching auto-applying playbooks once its creation commits."""

from datetime import timedelta

import pytest

from trustdesk.incidents.tests.factories import make_incident
from trustdesk.playbooks import services
from trustdesk.playbooks.models import AppliedPlaybook
from trustdesk.regulatory.tests.factories import make_request
from trustdesk.taxonomy.models import Category

from .conftest import NOW
from .factories import make_playbook, step

pytestmark = pytest.mark.django_db

PUBLIC_SECURITY = "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"


def test_matching_playbooks_are_applied_when_the_incident_is_created(
    im, frozen, django_capture_on_commit_callbacks
):
    make_playbook(title="Challenge", categories=[PUBLIC_SECURITY])
    make_playbook(title="Mexico", markets=["MX"])
    make_playbook(title="Brazil", markets=["BR"])
    make_playbook(title="By hand", categories=[PUBLIC_SECURITY], auto_apply=False)
    with django_capture_on_commit_callbacks(execute=True):
        incident = make_incident(actor=im, markets=("MX",))
    applied = AppliedPlaybook.objects.filter(incident=incident)
    assert sorted(a.version.title for a in applied) == ["Challenge", "Mexico"]
    assert all(a.automatic and a.applied_by == im for a in applied)
    assert incident.tasks.count() == 4
    assert [m.version.title for m in services.suggestions(incident)] == ["By hand"]


def test_nothing_is_applied_if_the_creating_transaction_rolls_back(im, frozen):
    make_playbook(categories=[PUBLIC_SECURITY])
    make_incident(actor=im)  # the test's transaction never commits: the hook never runs
    assert not AppliedPlaybook.objects.exists()


def test_a_request_that_opens_an_incident_matches_on_its_source_and_clock(
    im, frozen, django_capture_on_commit_callbacks
):
    make_playbook(
        title="eSafety notice",
        markets=["AU"],
        source_types=["authority_order"],
        steps=[
            step("Log it", offset=30),
            step("Remove it", offset=-120, anchor="regulatory_clock"),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = make_request(
            actor=im,
            rule="AU-OSA-S109",
            received_at=NOW - timedelta(minutes=5),
            create_incident=True,
            incident_category=Category.objects.get(code=PUBLIC_SECURITY),
        )
    applied = AppliedPlaybook.objects.get(incident=request.incident)
    assert applied.match_reasons == ["market Australia", "source Court or authority order"]
    remove = applied.runs.get(step__key="remove-it")
    assert remove.task.due_at == request.due_at - timedelta(hours=2)


def test_a_closed_incident_is_left_alone(im, frozen, django_capture_on_commit_callbacks):
    make_playbook(categories=[PUBLIC_SECURITY])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        incident = make_incident(actor=im)
    from trustdesk.incidents import services as incident_services

    incident_services.transition(actor=im, incident=incident, to="declined", reason="duplicate")
    for callback in callbacks:
        callback()
    assert not AppliedPlaybook.objects.filter(incident=incident).exists()
