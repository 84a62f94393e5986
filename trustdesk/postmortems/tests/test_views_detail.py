"""The post-mortem page: writing it section by section over HTMX, and who may."""

import pytest
from django.urls import reverse

from trustdesk.incidents import services as incident_services
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.postmortems import services
from trustdesk.postmortems.tests.factories import factor

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(client, pm):
    response = client.get(reverse("postmortems:detail", args=[pm.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_filled_in_facts(client, im, pm):
    client.force_login(im)
    page = _page(client, pm)
    assert pm.title in page
    assert "Time to resolve" in page
    assert "Status Investigating → Mitigating" in page
    assert "SEV1/SEV2 incident" in page


@pytest.mark.parametrize("persona", ["outsider", "stakeholder"])
def test_it_is_404_for_those_who_cannot_see_the_incident(client, request, persona, pm):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("postmortems:detail", args=[pm.pk])).status_code == 404


def test_a_restricted_incident_postmortem_is_404_off_the_list(client, im2, restricted_pm):
    client.force_login(im2)
    assert client.get(reverse("postmortems:detail", args=[restricted_pm.pk])).status_code == 404


def test_saving_a_section_swaps_it_and_flags_blaming_words(client, im, pm):
    client.force_login(im)
    url = reverse("postmortems:save_section", args=[pm.pk, "analysis"])
    response = client.post(
        url,
        {"went_poorly": "The vendor should have escalated; a careless miss.", "went_well": ""},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="section-analysis"' in body and 'hx-swap-oob="true"' in body
    assert "“should have”" in body and "“careless”" in body
    pm.refresh_from_db()
    assert pm.went_poorly.startswith("The vendor should have escalated")


def test_five_whys_are_saved_in_order_without_blanks(client, im, pm):
    client.force_login(im)
    url = reverse("postmortems:save_section", args=[pm.pk, "whys"])
    data = {"why_1": "Reports spiked", "why_2": "", "why_3": "No one watched the queue"}
    assert client.post(url, data, **HTMX).status_code == 200
    pm.refresh_from_db()
    assert pm.five_whys == ["Reports spiked", "No one watched the queue"]


def test_a_bad_figure_is_a_422_naming_the_field(client, im, pm):
    client.force_login(im)
    url = reverse("postmortems:save_section", args=[pm.pk, "impact"])
    response = client.post(url, {"reach": "-5"}, **HTMX)
    assert response.status_code == 422
    assert "Reach (views or impressions)" in response.content.decode()


def test_an_unknown_section_is_404(client, im, pm):
    client.force_login(im)
    url = reverse("postmortems:save_section", args=[pm.pk, "nonsense"])
    assert client.post(url, {}).status_code == 404


def test_the_timeline_selection_and_zone_are_saved(client, im, pm):
    note = incident_services.add_note(actor=im, incident=pm.incident, text="Late context")
    client.force_login(im)
    chosen = [*pm.timeline_event_ids[:2], note.pk]
    url = reverse("postmortems:save_timeline", args=[pm.pk])
    response = client.post(url, {"event_ids": chosen, "tz": "Asia/Tokyo"}, **HTMX)
    assert response.status_code == 200
    pm.refresh_from_db()
    assert pm.timeline_event_ids == sorted(chosen)
    assert pm.tz == "Asia/Tokyo"
    assert "JST" in response.content.decode()


def test_factors_and_action_items_are_added(client, im, pm):
    client.force_login(im)
    url = reverse("postmortems:add_factor", args=[pm.pk])
    detection = factor("detection-gap")
    client.post(url, {"factor": detection.pk, "note": "New slang", "is_root_cause": "on"}, **HTMX)
    link = pm.factor_links.get()
    assert link.is_root_cause
    url = reverse("postmortems:add_action", args=[pm.pk])
    response = client.post(
        url,
        {
            "description": "Add slang to keyword list",
            "owner": im.pk,
            "due_on": "2099-01-31",
            "priority": "high",
            "factor": link.pk,
            "ticket_url": "https://tickets.example/TS-1",
        },
        **HTMX,
    )
    assert response.status_code == 422  # five years at most
    response = client.post(
        url,
        {
            "description": "Add slang to keyword list",
            "owner": im.pk,
            "due_on": pm.created_at.date().isoformat(),
            "priority": "high",
            "factor": link.pk,
            "ticket_url": "https://tickets.example/TS-1",
        },
        **HTMX,
    )
    assert response.status_code == 200
    item = pm.action_items.get()
    assert item.factor == link and item.priority == "high"
    assert "0 of 1 done" in response.content.decode()


def test_an_owner_who_is_a_stakeholder_may_close_their_item(client, im, stakeholder, pm):
    incident_services.add_participant(
        actor=im, incident=pm.incident, user=stakeholder, role="legal"
    )
    item = services.create_action_item(
        actor=im,
        postmortem=pm,
        description="Legal review",
        owner=stakeholder,
        due_on=pm.created_at.date(),
    )
    client.force_login(stakeholder)
    url = reverse("postmortems:action_status", args=[pm.pk, item.pk])
    assert client.post(url, {"status": "done"}, **HTMX).status_code == 200
    item.refresh_from_db()
    assert item.status == "done" and item.completed_at is not None
    # ...but not change the write-up.
    section = reverse("postmortems:save_section", args=[pm.pk, "summary"])
    assert client.post(section, {"title": "Mine now"}).status_code == 403


def test_an_approved_postmortem_shows_text_read_only(client, im, lead, pm):
    services.update(actor=im, postmortem=pm, lessons="Watch the hashtags.")
    services.set_reviewers(actor=im, postmortem=pm, reviewers=[lead])
    services.transition(actor=im, postmortem=pm, to="in_review")
    services.decide(actor=lead, postmortem=pm, decision="approved")
    client.force_login(im)
    page = _page(client, pm)
    assert "Watch the hashtags." in page
    assert 'name="lessons"' not in page
    url = reverse("postmortems:save_section", args=[pm.pk, "lessons"])
    assert client.post(url, {"lessons": "Changed"}).status_code == 403


def test_comments_are_added(client, stakeholder, im, pm):
    incident_services.add_participant(actor=im, incident=pm.incident, user=stakeholder, role="sme")
    client.force_login(stakeholder)
    url = reverse("postmortems:comment", args=[pm.pk])
    response = client.post(url, {"text": "Legal agrees with the timeline."}, **HTMX)
    assert response.status_code == 200
    assert pm.comments.get().author == stakeholder


def test_the_print_page_is_the_whole_document(client, im, pm):
    client.force_login(im)
    page = client.get(reverse("postmortems:print", args=[pm.pk])).content.decode()
    assert "<h2>Timeline</h2>" in page
    assert "postmortems-print.css" in page
    assert "<style" not in page and "onclick" not in page


def test_a_lead_requires_one_from_the_incident_panel(client, lead, im):
    incident = make_incident(actor=im, severity="SEV3")
    client.force_login(lead)
    panel = reverse("postmortems:incident_panel", args=[incident.pk])
    assert "Require a post-mortem" in client.get(panel).content.decode()
    url = reverse("postmortems:require", args=[incident.pk])
    response = client.post(url, {"reason": "New pattern"}, **HTMX)
    assert "A post-mortem will open when it is resolved." in response.content.decode()
    client.force_login(im)
    assert client.post(url, {"reason": "Me too"}, **HTMX).status_code == 403
