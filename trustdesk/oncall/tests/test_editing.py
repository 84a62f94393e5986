"""Leads and admins create and edit rotations (members, layers, overrides, holidays) and
escalation policies (ordered typed steps); others get 403; errors name the field."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.test import Client

from trustdesk.accounts.models import TeamKind
from trustdesk.audit.models import AuditEvent
from trustdesk.oncall import schedule
from trustdesk.oncall.models import (
    EscalationPolicy,
    EscalationStep,
    LayerMember,
    Rotation,
    RotationLayer,
    StepKind,
)

from .factories import make_rotation, make_team

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{k}": v for k, v in row.items()})
    return data


@pytest.fixture
def team(im, im2):
    return make_team("emea-im", im, im2, kind=TeamKind.INCIDENT_MANAGEMENT)


def _rotation_post(team, **changes) -> dict:
    data = {
        "team": team.pk,
        "name": "EMEA primary",
        "tz": "Europe/Dublin",
        "starts_on": "2026-03-16",
        "shift_days": "7",
        "handoff_time": "09:00",
        "covers_from": "09:00",
        "covers_until": "17:00",
        "holiday_country": "ie",
        "holiday_subdiv": "",
        "holiday_fallback": "",
        **changes,
    }
    return data


def _names(im, im2) -> dict:
    return {"members": f"{im.username}, {im2.username}"}


def test_it_creates_a_rotation_with_members_a_weekend_layer_and_an_override(
    lead, im, im2, team
) -> None:
    data = _rotation_post(team, **_names(im, im2))
    data |= _formset(
        "layers",
        [
            {
                "name": "Weekend",
                "position": "1",
                "when": "days",
                "weekdays": ["6", "7"],
                "covers_from": "00:00",
                "covers_until": "00:00",
                "shift_days": "7",
                "members": im2.username,
            }
        ],
    )
    data |= _formset(
        "overrides",
        [{"user": im2.pk, "starts_at": "2026-03-24 10:00", "ends_at": "2026-03-24 12:00"}],
    )
    response = _client(lead).post("/oncall/rotations/new", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rotation = Rotation.objects.get(name="EMEA primary")
    assert rotation.holiday_country == "IE"
    assert [m.user for m in rotation.members.all()] == [im, im2]
    at = datetime(2026, 3, 28, 3, tzinfo=UTC)  # Saturday night: the weekend layer
    assert schedule.on_call(rotation, at) == im2
    assert schedule.on_call(rotation, datetime(2026, 3, 24, 11, tzinfo=UTC)) == im2
    assert AuditEvent.objects.filter(action="oncall.rotation.create").exists()


def test_it_edits_members_and_drops_a_layer(lead, im, im2, team) -> None:
    rotation = make_rotation(team, im, tz="Europe/Dublin")
    data = _rotation_post(team, members=f"{im2.username}\n{im.username}", holiday_country="")
    data |= _formset("layers", []) | _formset("overrides", [])
    assert _client(lead).post(f"/oncall/rotations/{rotation.pk}/edit", data).status_code == 302
    assert [m.user for m in rotation.members.all()] == [im2, im]
    assert AuditEvent.objects.filter(action="oncall.rotation.update").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tz": "Mars/Olympus"}, "Mars/Olympus is not an IANA time zone"),
        ({"holiday_country": "XX"}, "No holiday calendar for XX"),
        ({"holiday_subdiv": "ZZ"}, "IE has no subdivision ZZ"),
        ({"members": "ivan.im, nobody.here"}, "No active user called nobody.here"),
    ],
)
def test_it_names_the_bad_rotation_field(lead, im, im2, team, changes, message) -> None:
    data = _rotation_post(team, **_names(im, im2)) | changes
    data |= _formset("layers", []) | _formset("overrides", [])
    response = _client(lead).post("/oncall/rotations/new", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Rotation.objects.exists()


def test_it_refuses_a_layer_without_people_and_an_override_ending_first(
    lead, im, im2, team
) -> None:
    data = _rotation_post(team, **_names(im, im2))
    data |= _formset(
        "layers",
        [
            {
                "name": "Weekend",
                "position": "1",
                "when": "days",
                "covers_from": "00:00",
                "covers_until": "00:00",
                "shift_days": "7",
                "members": "",
            }
        ],
    )
    data |= _formset(
        "overrides",
        [{"user": im2.pk, "starts_at": "2026-03-24 12:00", "ends_at": "2026-03-24 10:00"}],
    )
    page = _client(lead).post("/oncall/rotations/new", data).content.decode()
    assert "A layer needs at least one person." in page
    assert "An override ends after it starts." in page


def test_it_refuses_rotation_editing_to_others(im, outsider, stakeholder, team) -> None:
    rotation = make_rotation(team, im)
    for user in (im, outsider, stakeholder):
        assert _client(user).get("/oncall/rotations/new").status_code == 403
        assert _client(user).post(f"/oncall/rotations/{rotation.pk}/edit", {}).status_code == 403
    assert Client().get("/oncall/rotations/new").status_code == 302  # to the login page


def _policy_post(steps: list[dict], **changes) -> dict:
    data = {"name": "SEV1 paging", "enabled": "on", "min_severity": "SEV1", "region": "", **changes}
    return data | _formset("steps", steps)


def test_it_creates_a_policy_with_ordered_typed_steps(admin, team, im) -> None:
    data = _policy_post(
        [
            {"position": "5", "kind": StepKind.NOTIFY_LEAD, "team": team.pk},
            {"position": "1", "kind": StepKind.NOTIFY_ONCALL, "team": team.pk},
            {"position": "3", "kind": StepKind.WAIT, "minutes": "10"},
        ],
        on_regulatory_clocks="on",
        region="EMEA",
    )
    response = _client(admin).post("/oncall/policies/new", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = EscalationPolicy.objects.get()
    assert (policy.on_regulatory_clocks, policy.region) == (True, "EMEA")
    assert [(s.position, s.kind) for s in policy.steps.all()] == [
        (0, StepKind.NOTIFY_ONCALL),
        (1, StepKind.WAIT),
        (2, StepKind.NOTIFY_LEAD),
    ]
    assert "Wait N minutes: 10 min" in _client(admin).get("/oncall/policies/").content.decode()


def test_it_reorders_steps_by_swapping_positions(lead, team) -> None:
    steps = [
        {"position": "0", "kind": StepKind.NOTIFY_ONCALL, "team": team.pk},
        {"position": "1", "kind": StepKind.NOTIFY_LEAD, "team": team.pk},
    ]
    _client(lead).post("/oncall/policies/new", _policy_post(steps))
    policy = EscalationPolicy.objects.get()
    ids = [s.pk for s in policy.steps.all()]
    swapped = [
        {"id": ids[0], "position": "1", "kind": StepKind.NOTIFY_ONCALL, "team": team.pk},
        {"id": ids[1], "position": "0", "kind": StepKind.NOTIFY_LEAD, "team": team.pk},
    ]
    data = _policy_post([]) | _formset("steps", swapped, initial=2)
    assert _client(lead).post(f"/oncall/policies/{policy.pk}/edit", data).status_code == 302
    assert [s.kind for s in policy.steps.all()] == [StepKind.NOTIFY_LEAD, StepKind.NOTIFY_ONCALL]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"position": "0", "kind": StepKind.NOTIFY_ONCALL}, "Choose the team whose on-call"),
        ({"position": "0", "kind": StepKind.NOTIFY_PERSON}, "Choose the person to notify."),
        ({"position": "0", "kind": StepKind.WAIT, "minutes": "0"}, "Wait at least one minute."),
        ({"position": "0", "kind": StepKind.REPEAT}, "Repeat at least once."),
        ({"position": "0", "kind": StepKind.NOTIFY_REGION}, "Choose the region"),
    ],
)
def test_it_names_the_missing_step_field(lead, step, message) -> None:
    response = _client(lead).post("/oncall/policies/new", _policy_post([step]))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not EscalationPolicy.objects.exists()


def test_it_refuses_two_steps_in_one_position(lead, team) -> None:
    steps = [
        {"position": "0", "kind": StepKind.NOTIFY_ONCALL, "team": team.pk},
        {"position": "0", "kind": StepKind.NOTIFY_LEAD, "team": team.pk},
    ]
    response = _client(lead).post("/oncall/policies/new", _policy_post(steps))
    assert response.status_code == 422
    assert "Another row already has this position." in response.content.decode()


def test_it_refuses_policy_editing_to_others_and_policies_to_outsiders(im, outsider) -> None:
    assert _client(im).get("/oncall/policies/").status_code == 200
    assert _client(im).post("/oncall/policies/new", _policy_post([])).status_code == 403
    assert _client(outsider).get("/oncall/policies/new").status_code == 403
    assert _client(outsider).get("/oncall/policies/").status_code == 404
    assert not EscalationPolicy.objects.exists()


def test_it_shows_the_current_rotation_and_policy_in_the_forms(lead, im, im2, team) -> None:
    rotation = make_rotation(team, im, im2, holiday_country="IE")
    layer = RotationLayer.objects.create(
        rotation=rotation,
        name="Holidays",
        position=3,
        when="holidays",
        covers_from=time(0),
        covers_until=time(0),
    )
    LayerMember.objects.create(layer=layer, user=im2, position=0)
    page = _client(lead).get(f"/oncall/rotations/{rotation.pk}/edit").content.decode()
    assert "ivan.im, isla.im" in page and 'value="Holidays"' in page and 'value="IE"' in page
    policy = EscalationPolicy.objects.create(name="Clocks", on_regulatory_clocks=True)
    EscalationStep.objects.create(policy=policy, position=0, kind=StepKind.WAIT, minutes=15)
    page = _client(lead).get(f"/oncall/policies/{policy.pk}/edit").content.decode()
    assert 'value="Clocks"' in page and 'value="15"' in page
