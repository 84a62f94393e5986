"""Scorecards, reviews and coaching notes are private to the person, their leads and admins.
Another incident manager gets 404 as if there were nothing; stakeholders see no quality
pages at all."""

import pytest
from django.urls import reverse

from trustdesk.accounts.models import Membership, TeamKind
from trustdesk.accounts.tests.factories import TeamFactory

from .factories import site

pytestmark = pytest.mark.django_db

SCORECARD = reverse("quality:scorecard_for", args=["ivan.im"])


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_person_sees_their_scorecard_and_shared_notes_but_not_drafts(client, im, ivans_file):
    page = _get(client, im, reverse("quality:scorecard")).content.decode()
    assert "Log the reason for every severity change." in page
    assert "Talk about the overtime first." not in page
    assert "Cite the policy in every removal decision" in page
    assert reverse("quality:review", args=[ivans_file["review"].pk]) in page


def test_another_incident_manager_gets_404_on_a_colleagues_scorecard(client, im2, ivans_file):
    response = _get(client, im2, SCORECARD)
    assert response.status_code == 404
    assert "Log the reason" not in response.content.decode()


def test_another_incident_manager_gets_404_on_a_colleagues_review(client, im2, ivans_file):
    response = _get(client, im2, reverse("quality:review", args=[ivans_file["review"].pk]))
    assert response.status_code == 404


def test_another_incident_manager_cannot_write_coaching_notes(client, im2, im, ivans_file):
    client.force_login(im2)
    response = client.post(reverse("quality:add_note", args=["ivan.im"]), {"text": "Hi"})
    assert response.status_code == 404
    assert im.coaching_notes.count() == 2


def test_the_person_cannot_coach_themself(client, im, ivans_file):
    client.force_login(im)
    response = client.post(reverse("quality:add_note", args=["ivan.im"]), {"text": "Great job"})
    assert response.status_code == 403


def test_their_lead_sees_everything_including_drafts(client, ams_lead, ivans_file):
    page = _get(client, ams_lead, SCORECARD)
    assert page.status_code == 200
    assert "Talk about the overtime first." in page.content.decode()
    assert "Add a coaching note" in page.content.decode()


def test_a_lead_of_another_region_gets_404(client, lead, ivans_file):
    assert _get(client, lead, SCORECARD).status_code == 404


def test_an_admin_sees_it(client, admin, ivans_file):
    assert _get(client, admin, SCORECARD).status_code == 200


@pytest.mark.parametrize("who", ["stakeholder", "outsider", "auditor"])
@pytest.mark.parametrize(
    "url",
    [
        reverse("quality:home"),
        reverse("quality:scorecard"),
        SCORECARD,
        reverse("quality:team"),
        reverse("quality:calibration"),
    ],
)
def test_people_outside_incident_management_see_no_quality_pages(
    client, request, who, url, ivans_file
):
    response = _get(client, request.getfixturevalue(who), url)
    assert response.status_code == 403
    assert "Log the reason" not in response.content.decode()


def test_an_incident_manager_is_refused_the_team_and_calibration_pages(client, im2):
    assert _get(client, im2, reverse("quality:team")).status_code == 403
    assert _get(client, im2, reverse("quality:calibration")).status_code == 403


def test_anonymous_visitors_go_to_the_login_page(client, ivans_file):
    response = client.get(SCORECARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_leading_a_stakeholder_team_gives_no_sight_of_its_members_scorecards(
    client, im, im2, ivans_file
):
    legal = TeamFactory(slug="legal", kind=TeamKind.STAKEHOLDER)
    Membership.objects.create(team=legal, user=im)
    Membership.objects.create(team=legal, user=im2, is_lead=True)
    assert _get(client, im2, SCORECARD).status_code == 404


def test_leading_ivans_incident_management_team_does(client, im, im2, ivans_file):
    team = site("ams-im", "AMS")
    Membership.objects.create(team=team, user=im)
    Membership.objects.create(team=team, user=im2, is_lead=True)
    assert _get(client, im2, SCORECARD).status_code == 200
