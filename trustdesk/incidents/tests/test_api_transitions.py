"""POST /transitions and GET /allowed-transitions: the lifecycle table, enforced over HTTP."""

from collections import deque

import pytest

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.incidents import services
from trustdesk.incidents.lifecycle import REASON_REQUIRED, STAMP_FIELDS, TRANSITIONS, Status
from trustdesk.incidents.models import EventKind
from trustdesk.incidents.tests.factories import make_incident

LEGAL = [(current, target) for current, targets in TRANSITIONS.items() for target in targets]
ILLEGAL = [
    (current, next(s for s in Status if s not in TRANSITIONS[current])) for current in Status
]


def _url(incident):
    return f"/api/v1/incidents/{incident.pk}/transitions"


def _path_to(status):
    """The shortest run of legal moves from reported to ``status``."""
    paths = {Status.REPORTED: []}
    queue = deque([Status.REPORTED])
    while queue:
        current = queue.popleft()
        for target in TRANSITIONS[current]:
            if target not in paths:
                paths[target] = [*paths[current], target]
                queue.append(target)
    return paths[status]


def _move(incident, *, actor, target, merge_target):
    return services.transition(
        actor=actor,
        incident=incident,
        to=target,
        reason="setting the scene" if target in REASON_REQUIRED else "",
        merged_into=merge_target if target == Status.MERGED else None,
    )


def _incident_in(status, *, actor):
    incident = make_incident(actor=actor)
    merge_target = make_incident(actor=actor, title="The main incident")
    for step in _path_to(status):
        incident = _move(incident, actor=actor, target=step, merge_target=merge_target)
    return incident, merge_target


@pytest.mark.parametrize(("current", "target"), LEGAL, ids=[f"{c}->{t}" for c, t in LEGAL])
def test_every_legal_transition_succeeds(im, current, target):
    incident, merge_target = _incident_in(current, actor=im)
    body = {"to": target.value}
    if target in REASON_REQUIRED:
        body["reason"] = "Duplicate of the main incident"
    if target == Status.MERGED:
        body["merged_into"] = merge_target.pk
    response = as_user(im).post(_url(incident), body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == target.value
    assert answer[STAMP_FIELDS[target]] is not None
    assert answer["allowed_transitions"] == [s.value for s in TRANSITIONS[target]]
    incident.refresh_from_db()
    assert incident.status == target
    assert incident.events.filter(kind=EventKind.STATUS_CHANGE, data__to=target.value).exists()


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=[f"{c}->{t}" for c, t in ILLEGAL])
def test_an_illegal_transition_is_a_409_listing_the_allowed_ones(im, current, target):
    incident, _ = _incident_in(current, actor=im)
    response = as_user(im).post(_url(incident), {"to": target.value, "reason": "because"})
    assert response.status_code == 409, response.content
    answer = response.json()
    assert answer["current"] == current.value
    assert answer["allowed"] == [s.value for s in TRANSITIONS[current]]
    assert error_fields(response) == ["to"]
    incident.refresh_from_db()
    assert incident.status == current


def test_the_first_acknowledgement_is_stamped_and_kept_on_reentry(im):
    incident = make_incident(actor=im)
    client = as_user(im)
    first = client.post(_url(incident), {"to": "triaged"}).json()["triaged_at"]
    client.post(_url(incident), {"to": "declined", "reason": "not ours"})
    again = client.post(_url(incident), {"to": "triaged"}).json()
    assert again["status"] == "triaged"
    assert again["triaged_at"] == first


def test_declining_needs_a_reason(im, incident):
    response = as_user(im).post(_url(incident), {"to": "declined"})
    assert response.status_code == 422
    assert error_fields(response) == ["reason"]


def test_an_unknown_status_is_a_422_naming_to(im, incident):
    response = as_user(im).post(_url(incident), {"to": "panicking"})
    assert response.status_code == 422
    assert error_fields(response) == ["to"]


def test_a_merge_names_its_target(im, incident):
    response = as_user(im).post(_url(incident), {"to": "merged", "reason": "duplicate"})
    assert response.status_code == 422
    assert error_fields(response) == ["merged_into"]


def test_it_merges_into_another_incident(im, incident):
    main = make_incident(actor=im, title="Main")
    response = as_user(im).post(
        _url(incident), {"to": "merged", "reason": "duplicate", "merged_into": main.pk}
    )
    assert response.status_code == 200
    assert response.json()["merged_into"] == main.pk


def test_it_refuses_to_merge_into_an_incident_the_user_cannot_see(im, im2, restricted_incident):
    mine = make_incident(actor=im2)
    response = as_user(im2).post(
        _url(mine), {"to": "merged", "reason": "duplicate", "merged_into": restricted_incident.pk}
    )
    assert response.status_code == 422
    assert error_fields(response) == ["merged_into"]
    assert "you can see" in response.json()["detail"]


def test_it_refuses_a_merge_target_for_another_move(im, incident):
    main = make_incident(actor=im, title="Main")
    response = as_user(im).post(_url(incident), {"to": "triaged", "merged_into": main.pk})
    assert response.status_code == 422
    assert error_fields(response) == ["merged_into"]
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED


def test_it_lists_the_allowed_transitions_with_labels(im, incident):
    response = as_user(im).get(f"/api/v1/incidents/{incident.pk}/allowed-transitions")
    assert response.json() == {
        "current": "reported",
        "can_transition": True,
        "allowed": [
            {"status": "triaged", "label": "Acknowledge", "reason_required": False},
            {"status": "declined", "label": "Decline", "reason_required": True},
            {"status": "merged", "label": "Merge", "reason_required": True},
        ],
    }


def test_an_auditor_sees_the_moves_but_may_not_make_them(auditor, incident):
    client = as_user(auditor)
    allowed = client.get(f"/api/v1/incidents/{incident.pk}/allowed-transitions").json()
    assert allowed["can_transition"] is False
    assert client.post(_url(incident), {"to": "triaged"}).status_code == 403
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED
