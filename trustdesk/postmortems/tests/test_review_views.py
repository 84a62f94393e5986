"""The review panel and the workflow over HTTP: who may press which button."""

import pytest
from django.urls import reverse

from trustdesk.accounts.models import Role
from trustdesk.accounts.services import create_token
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.postmortems import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rita.reviewer", role=Role.LEAD)


@pytest.fixture
def in_review(pm, im, reviewer):
    services.set_reviewers(actor=im, postmortem=pm, reviewers=[reviewer])
    return services.transition(actor=im, postmortem=pm, to="in_review")


def _decide(client, pm, decision="approved", **extra):
    return client.post(reverse("postmortems:decide", args=[pm.pk]), {"decision": decision, **extra})


def test_a_reviewer_approves_from_the_page(client, in_review, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("postmortems:detail", args=[in_review.pk])).content.decode()
    assert 'value="approved"' in page
    assert _decide(client, in_review).status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == "approved"


def test_the_author_gets_no_approve_button_and_a_403(client, in_review, im):
    client.force_login(im)
    page = client.get(reverse("postmortems:detail", args=[in_review.pk])).content.decode()
    assert 'value="approved"' not in page
    assert "named reviewers decide" in page
    assert _decide(client, in_review).status_code == 403


def test_an_auditor_reads_but_cannot_move_it(client, in_review, auditor):
    client.force_login(auditor)
    assert client.get(reverse("postmortems:detail", args=[in_review.pk])).status_code == 200
    url = reverse("postmortems:transition", args=[in_review.pk])
    assert client.post(url, {"to": "draft"}).status_code == 403


def test_an_outsider_gets_404_everywhere(client, in_review, outsider):
    client.force_login(outsider)
    for name in ("detail", "print", "markdown"):
        assert client.get(reverse(f"postmortems:{name}", args=[in_review.pk])).status_code == 404
    assert _decide(client, in_review).status_code == 404


def test_an_illegal_move_over_htmx_says_what_is_allowed(client, pm, im):
    client.force_login(im)
    url = reverse("postmortems:transition", args=[pm.pk])
    response = client.post(url, {"to": "published"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Allowed: in_review" in response.content.decode()


def test_the_api_answers_409_with_the_allowed_moves(client, pm, im):
    _, raw = create_token(actor=im, user=im, name="test")
    response = client.post(
        f"/api/v1/postmortems/{pm.pk}/transitions",
        {"to": "published"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 409
    assert response.json()["allowed"] == ["in_review"]


def test_the_api_refuses_the_author_approving(client, in_review, im):
    _, raw = create_token(actor=im, user=im, name="test")
    response = client.post(
        f"/api/v1/postmortems/{in_review.pk}/reviews",
        {"decision": "approved"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403
    assert "Authors cannot approve" in response.json()["detail"]
