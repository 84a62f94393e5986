"""Viewing preferences within the organisation's minimum, applied to evidence and text."""

import pytest
from django.urls import reverse

from trustdesk.intake.tests.factories import make_report, png_attachment
from trustdesk.taxonomy.models import Category
from trustdesk.wellbeing.models import OrgPolicy, ViewingPreference

VIOLENCE = "STATEMENT_CATEGORY_VIOLENCE"


@pytest.fixture
def group(db):
    return make_report(market="MX", label="violence", attachments=(png_attachment(),)).group


def _save(client, **data):
    fields = {"blur_level": 3, "greyscale": "on", "collapse_text": "on", **data}
    return client.post(reverse("wellbeing:preferences"), fields)


def test_it_applies_my_blur_preference_to_evidence(client, im, group):
    client.force_login(im)
    assert _save(client, category=VIOLENCE).status_code == 302
    html = client.get(reverse("intake:group", args=[group.pk])).content.decode()
    assert 'class="evidence wb-media wb-blur-3 wb-grey"' in html


def test_it_protects_by_default_without_a_preference(client, im, group):
    client.force_login(im)
    html = client.get(reverse("intake:group", args=[group.pk])).content.decode()
    assert "wb-media wb-blur-2 wb-grey" in html
    assert 'data-wb-start="/wellbeing/exposures/start"' in html


def test_it_refuses_less_than_the_organisation_minimum_naming_the_field(client, im):
    OrgPolicy.objects.create(
        category=Category.objects.get(code=VIOLENCE), min_blur_level=2, require_greyscale=True
    )
    client.force_login(im)
    answer = _save(client, category=VIOLENCE, blur_level=1)
    assert answer.status_code == 422
    assert "Blur strength" in answer.content.decode()
    assert not ViewingPreference.objects.exists()


def test_the_organisation_minimum_raises_a_weaker_default(client, im, group):
    OrgPolicy.objects.create(category=Category.objects.get(code=VIOLENCE), min_blur_level=3)
    client.force_login(im)
    _save(client, blur_level=1)  # my default for every category
    html = client.get(reverse("intake:group", args=[group.pk])).content.decode()
    assert "wb-media wb-blur-3" in html


def test_the_api_sets_and_reads_my_preference(api_for, im):
    client = api_for(im)
    answer = client.put(
        "/api/v1/wellbeing/me/preferences",
        {"category": VIOLENCE, "blur_level": 1, "greyscale": False},
        content_type="application/json",
    )
    assert answer.status_code == 200
    body = client.get(f"/api/v1/wellbeing/me/viewing?category={VIOLENCE}").json()
    assert (body["blur_level"], body["greyscale"]) == (1, False)


def test_the_api_names_an_unknown_category(api_for, im):
    answer = api_for(im).put(
        "/api/v1/wellbeing/me/preferences", {"category": "NOPE"}, content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "category"


def test_the_preferences_page_needs_a_login(client):
    assert client.get(reverse("wellbeing:preferences")).status_code == 302
