"""The library is read by everyone active; leads and admins write it (a new version)."""

import pytest
from django.urls import reverse

from trustdesk.playbooks.models import Playbook

from .factories import make_playbook, step

pytestmark = pytest.mark.django_db


def test_everyone_active_reads_the_library(client, outsider):
    version = make_playbook(title="Challenge")
    client.force_login(outsider)
    assert b"Challenge" in client.get(reverse("playbooks:library")).content
    response = client.get(reverse("playbooks:detail", args=[version.playbook_id]))
    assert response.status_code == 200 and b"Size the trend" in response.content


def test_the_match_preview_lists_the_playbooks_that_would_apply(client, im):
    make_playbook(title="Brazil", markets=["BR"])
    make_playbook(title="Australia", markets=["AU"])
    client.force_login(im)
    response = client.get(reverse("playbooks:library"), {"markets": ["BR"], "severity": "SEV2"})
    assert b"1 would apply" in response.content
    assert b"market Brazil" in response.content


def test_markdown_is_rendered_without_scripts(client, im):
    version = make_playbook(steps=[step("Do it", body="**Now** <script>alert(1)</script>")])
    client.force_login(im)
    body = client.get(reverse("playbooks:detail", args=[version.playbook_id])).content.decode()
    assert "<strong>Now</strong>" in body and "<script>alert" not in body


def test_incident_managers_cannot_edit(client, im):
    version = make_playbook()
    client.force_login(im)
    assert client.get(reverse("playbooks:edit", args=[version.playbook_id])).status_code == 403
    assert client.get(reverse("playbooks:create")).status_code == 403


def _post_data(**overrides):
    data = {
        "title": "Hate-speech surge",
        "summary": "Measure first.",
        "categories": ["STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"],
        "auto_apply": "on",
        "stakeholders": "Policy\nComms",
        "rule_codes": "",
        "change_note": "",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-title": "Size the surge",
        "steps-0-role": "commander",
        "steps-0-amount": "1",
        "steps-0-unit": "h",
        "steps-0-timing": "start_after",
        "steps-0-ORDER": "1",
        "steps-1-title": "Confirm to the authority",
        "steps-1-role": "legal",
        "steps-1-amount": "30",
        "steps-1-unit": "m",
        "steps-1-timing": "clock_before",
        "steps-1-markets": "de, fr",
        "steps-1-templates": "note",
        "steps-1-ORDER": "2",
        "templates-TOTAL_FORMS": "1",
        "templates-INITIAL_FORMS": "0",
        "templates-0-key": "note",
        "templates-0-title": "Reviewer note",
        "templates-0-body": "Event in {markets}.",
    }
    data.update(overrides)
    return data


def test_a_lead_writes_a_playbook_in_the_editor(client, lead):
    client.force_login(lead)
    response = client.post(reverse("playbooks:create"), _post_data())
    playbook = Playbook.objects.get()
    assert response.status_code == 302
    version = playbook.current
    assert version.stakeholders == ["Policy", "Comms"]
    first, second = version.steps.order_by("order")
    assert (first.offset_minutes, first.anchor) == (60, "incident_start")
    assert (second.offset_minutes, second.anchor) == (-30, "regulatory_clock")
    assert second.condition == {"markets": ["DE", "FR"]} and second.template_keys == ["note"]


def test_editing_saves_a_new_version(client, lead):
    version = make_playbook(actor=lead)
    client.force_login(lead)
    url = reverse("playbooks:edit", args=[version.playbook_id])
    assert client.get(url).status_code == 200
    response = client.post(url, _post_data(change_note="Rewritten after the review"))
    assert response.status_code == 302
    assert version.playbook.versions.count() == 2


def test_a_bad_edit_is_a_422_and_writes_nothing(client, lead):
    version = make_playbook(actor=lead)
    client.force_login(lead)
    url = reverse("playbooks:edit", args=[version.playbook_id])
    response = client.post(url, _post_data(change_note=""))
    assert response.status_code == 422
    assert b"Say what changed and why" in response.content
    assert version.playbook.versions.count() == 1


def test_add_a_step_keeps_what_was_typed(client, lead):
    client.force_login(lead)
    response = client.post(reverse("playbooks:create"), {**_post_data(), "add_steps": "1"})
    assert response.status_code == 200
    assert b'name="steps-2-title"' in response.content
    assert b"Size the surge" in response.content
    assert not Playbook.objects.exists()


def test_adherence_is_for_leads(client, im, lead):
    client.force_login(im)
    assert client.get(reverse("playbooks:adherence")).status_code == 403
    client.force_login(lead)
    assert client.get(reverse("playbooks:adherence")).status_code == 200
