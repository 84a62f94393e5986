"""Similar past incidents on an open incident: ranked by category, markets and words, with
their lessons and open action items; only published ones the reader may see."""

import pytest
from django.urls import reverse

from trustdesk.incidents.tests.factories import make_incident
from trustdesk.postmortems import services
from trustdesk.postmortems.search import similar
from trustdesk.postmortems.tests.factories import make_action_item, make_postmortem

pytestmark = pytest.mark.django_db

VIOLENCE = "STATEMENT_CATEGORY_VIOLENCE"
SECURITY = "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"


def _published(author, reviewer, lessons="", **kwargs):
    pm = make_postmortem(actor=author, **kwargs)
    services.update(actor=author, postmortem=pm, lessons=lessons)
    services.set_reviewers(actor=author, postmortem=pm, reviewers=[reviewer])
    services.transition(actor=author, postmortem=pm, to="in_review")
    services.decide(actor=reviewer, postmortem=pm, decision="approved")
    return services.transition(actor=author, postmortem=pm, to="published")


@pytest.fixture
def past(im, lead):
    return {
        "same_all": _published(
            im,
            lead,
            "Hash-match livestream re-uploads.",
            title="Livestream of attack re-uploaded",
            category=VIOLENCE,
            markets=("DE",),
        ),
        "same_words": _published(
            im,
            lead,
            "Faster vendor escalation.",
            title="Livestream attack clips on a partner app",
            category=SECURITY,
            markets=("BR",),
        ),
        "same_category": _published(
            im,
            lead,
            "Review the threats queue hourly.",
            title="Threats against a journalist",
            category=VIOLENCE,
            markets=("JP",),
        ),
        "unrelated": _published(
            im,
            lead,
            "Update the scam keyword list.",
            title="Crypto giveaway scam wave",
            category=SECURITY,
            markets=("IN",),
        ),
    }


@pytest.fixture
def current(im):
    return make_incident(
        actor=im,
        title="Livestream of an attack spreading",
        summary="Users re-upload the attack livestream.",
        category=VIOLENCE,
        markets=("DE",),
    )


def test_it_ranks_by_category_markets_and_words(im, past, current):
    # Category, market and words beat category alone, which beats a few shared words.
    matches = similar(current, im)
    ranked = [m.postmortem.pk for m in matches]
    assert ranked == [past["same_all"].pk, past["same_category"].pk, past["same_words"].pk]
    assert past["unrelated"].pk not in ranked
    top = matches[0]
    assert top.same_category and top.shared_markets == ["DE"]
    assert "livestream" in top.shared_words


def test_drafts_are_not_suggested(im, current):
    draft = make_postmortem(
        actor=im, title="Livestream of attack", category=VIOLENCE, markets=("DE",)
    )
    assert draft.pk not in [m.postmortem.pk for m in similar(current, im)]


def test_restricted_ones_are_left_out_for_a_non_member(im, im2, lead, current):
    hidden = _published(
        im,
        lead,
        "x",
        title="Livestream of attack on a child",
        category=VIOLENCE,
        markets=("DE",),
        restricted=True,
    )
    assert hidden.pk in [m.postmortem.pk for m in similar(current, im)]
    assert hidden.pk not in [m.postmortem.pk for m in similar(current, im2)]


def test_the_panel_shows_lessons_and_open_action_items(client, im, past, current):
    make_action_item(
        actor=im, postmortem=past["same_all"], description="Perceptual hashing for re-uploads"
    )
    done = make_action_item(actor=im, postmortem=past["same_all"], description="Old done item")
    services.update_action_item(actor=im, item=done, status="done")
    client.force_login(im)
    response = client.get(reverse("postmortems:incident_panel", args=[current.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hash-match livestream re-uploads." in page
    assert "Perceptual hashing for re-uploads" in page
    assert "Old done item" not in page
    assert "Crypto giveaway" not in page


def test_the_panel_is_404_for_an_incident_the_reader_cannot_see(client, outsider, current):
    client.force_login(outsider)
    url = reverse("postmortems:incident_panel", args=[current.pk])
    assert client.get(url).status_code == 404


def test_the_incident_page_loads_the_panel(client, im, current):
    client.force_login(im)
    page = client.get(reverse("incidents:detail", args=[current.pk])).content.decode()
    assert f'hx-get="{reverse("postmortems:incident_panel", args=[current.pk])}"' in page
