"""Searching past post-mortems: words, factors, markets, categories; never what the reader
may not see."""

import pytest
from django.urls import reverse

from trustdesk.accounts.services import create_token
from trustdesk.postmortems import services
from trustdesk.postmortems.search import Filters, search
from trustdesk.postmortems.tests.factories import factor, make_postmortem

pytestmark = pytest.mark.django_db


def _publish(pm, author, reviewer):
    services.set_reviewers(actor=author, postmortem=pm, reviewers=[reviewer])
    services.transition(actor=author, postmortem=pm, to="in_review")
    services.decide(actor=reviewer, postmortem=pm, decision="approved")
    return services.transition(actor=author, postmortem=pm, to="published")


@pytest.fixture
def livestream(im, lead):
    pm = make_postmortem(
        actor=im,
        title="Livestreamed shooting re-uploaded",
        markets=("DE", "AT"),
        category="STATEMENT_CATEGORY_VIOLENCE",
    )
    services.update(actor=im, postmortem=pm, lessons="Hash-match re-uploads within minutes.")
    services.add_factor(actor=im, postmortem=pm, factor=factor("detection-gap"))
    return _publish(pm, im, lead)


@pytest.fixture
def challenge(im):
    pm = make_postmortem(actor=im, title="Blackout challenge among teens", markets=("MX",))
    services.add_factor(actor=im, postmortem=pm, factor=factor("regional-coverage"))
    return pm


@pytest.fixture
def grooming(im, lead, restricted_pm):
    services.update(
        actor=im, postmortem=restricted_pm, lessons="Hash-match known grooming scripts."
    )
    return _publish(restricted_pm, im, lead)


def _found(user, **filters):
    return list(search(user, Filters(**filters)).values_list("pk", flat=True))


def test_every_word_must_match_in_any_order(im, livestream, challenge):
    assert _found(im, q="re-uploads hash") == [livestream.pk]
    assert _found(im, q="teens blackout") == [challenge.pk]
    assert _found(im, q="blackout hash") == []


def test_words_match_their_plural_and_case(im, livestream):
    assert _found(im, q="LIVESTREAMS") == [livestream.pk]


def test_filters_by_factor_market_category_and_status(im, livestream, challenge):
    assert _found(im, factor="regional-coverage") == [challenge.pk]
    assert _found(im, market="at") == [livestream.pk]
    assert _found(im, category="STATEMENT_CATEGORY_VIOLENCE") == [livestream.pk]
    assert _found(im, status="published") == [livestream.pk]


def test_a_restricted_published_postmortem_never_appears_for_a_non_member(
    im2, stakeholder, livestream, grooming
):
    for reader in (im2, stakeholder):
        assert grooming.pk not in _found(reader)
        assert _found(reader, q="grooming") == []
    assert _found(im2) == [livestream.pk]


def test_a_member_and_a_lead_find_it(im, lead, grooming):
    assert _found(im, q="grooming") == [grooming.pk]
    assert _found(lead, q="grooming") == [grooming.pk]


def test_the_page_lists_only_what_the_reader_may_see(client, im2, livestream, grooming):
    client.force_login(im2)
    page = client.get(reverse("postmortems:index"), {"q": "hash"}).content.decode()
    assert livestream.title in page
    assert "grooming" not in page.lower()


def test_the_api_search_follows_the_same_rule(client, im2, livestream, grooming):
    _, raw = create_token(actor=im2, user=im2, name="search")
    response = client.get("/api/v1/postmortems", {"q": "hash"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["items"]] == [livestream.pk]
    assert response.json()["count"] == 1


def test_edits_to_the_write_up_are_searchable(im):
    pm = make_postmortem(actor=im)
    services.update(actor=im, postmortem=pm, root_cause="Vendor queue misrouted Portuguese")
    assert _found(im, q="portuguese vendor") == [pm.pk]
