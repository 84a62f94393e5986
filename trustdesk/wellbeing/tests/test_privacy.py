"""Exposure is seen only by the person, the lead of their team and administrators: in the
personal view, the team view and the API alike."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from trustdesk.wellbeing.models import ExposureEvent

from .factories import make_exposure


@pytest.fixture
def exposure(im):
    return make_exposure(im, minutes=130, started_at=timezone.now() - timedelta(days=2))


def _person(api_for, viewer, person):
    return api_for(viewer).get(f"/api/v1/wellbeing/people/{person.username}/exposure")


def test_it_shows_me_my_exposure_by_category(client, im, exposure):
    client.force_login(im)
    page = client.get(reverse("wellbeing:mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Violence" in html
    assert "2 h 10 min" in html
    assert "wb-bar-10" in html


def test_it_does_not_show_me_someone_elses_exposure(client, im2, exposure):
    client.force_login(im2)
    html = client.get(reverse("wellbeing:mine")).content.decode()
    assert "2 h 10 min" not in html


def test_the_personal_view_needs_a_login(client):
    assert client.get(reverse("wellbeing:mine")).status_code == 302


def test_the_api_gives_me_my_own_figures(api_for, im, exposure):
    body = api_for(im).get("/api/v1/wellbeing/me/exposure").json()
    assert body["minutes_7d"] == 130
    assert body["categories"][0]["category"] == "STATEMENT_CATEGORY_VIOLENCE"


@pytest.mark.parametrize("viewer", ["im2", "outsider", "auditor", "stakeholder"])
def test_the_api_refuses_anyone_but_the_person_their_lead_and_admins(
    api_for, request, im, exposure, ams_team, viewer
):
    assert _person(api_for, request.getfixturevalue(viewer), im).status_code == 404


@pytest.mark.parametrize("viewer", ["im", "lead", "admin"])
def test_the_api_answers_the_person_their_lead_and_admins(
    api_for, request, im, exposure, ams_team, viewer
):
    answer = _person(api_for, request.getfixturevalue(viewer), im)
    assert answer.status_code == 200
    assert answer.json()["minutes_7d"] == 130


def test_a_lead_role_without_the_team_sees_nothing(api_for, lead, im, exposure):
    assert _person(api_for, lead, im).status_code == 404


def test_visible_to_is_the_one_rule(im, im2, lead, admin, auditor, exposure, ams_team):
    assert list(ExposureEvent.objects.visible_to(im)) == [exposure]
    assert list(ExposureEvent.objects.visible_to(lead)) == [exposure]
    assert list(ExposureEvent.objects.visible_to(admin)) == [exposure]
    assert not ExposureEvent.objects.visible_to(im2).exists()
    assert not ExposureEvent.objects.visible_to(auditor).exists()


def test_the_team_view_shows_the_lead_load_and_who_is_above_threshold(
    client, lead, im, exposure, ams_team, settings
):
    settings.WELLBEING_LEAD_THRESHOLD_MINUTES = 120
    client.force_login(lead)
    html = client.get(reverse("wellbeing:team")).content.decode()
    assert "IMs AMS" in html
    assert "2 h 10 min" in html
    assert im.display_name in html


def test_the_team_view_leaves_out_people_below_threshold(client, lead, im, exposure, ams_team):
    client.force_login(lead)
    html = client.get(reverse("wellbeing:team")).content.decode()
    assert "Nobody." in html


@pytest.mark.parametrize("viewer", ["im", "im2", "outsider", "auditor"])
def test_the_team_view_refuses_non_leads(client, request, ams_team, viewer):
    client.force_login(request.getfixturevalue(viewer))
    assert client.get(reverse("wellbeing:team")).status_code == 403


def test_the_team_api_refuses_another_teams_member(api_for, im, ams_team):
    assert api_for(im).get("/api/v1/wellbeing/teams/ims-ams/load").status_code == 403


def test_the_team_api_answers_the_lead(api_for, lead, exposure, ams_team):
    body = api_for(lead).get("/api/v1/wellbeing/teams/ims-ams/load").json()
    assert body["minutes_7d"] == 130
    assert body["above_threshold"] == []


def test_a_lead_saves_a_rotation_note(client, lead, ams_team):
    client.force_login(lead)
    answer = client.post(reverse("wellbeing:team"), {"team": "ims-ams", "text": "Ivan off CSE"})
    assert answer.status_code == 302
    assert "Ivan off CSE" in client.get(reverse("wellbeing:team")).content.decode()


def test_the_personal_view_prompts_a_break_after_the_configured_load(
    client, im, exposure, settings
):
    settings.WELLBEING_SWITCH_AFTER_MINUTES = 120
    client.force_login(im)
    html = client.get(reverse("wellbeing:mine")).content.decode()
    assert "Consider switching to another queue" in html
