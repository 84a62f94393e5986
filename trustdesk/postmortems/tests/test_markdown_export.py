"""The Markdown export."""

import pytest
from django.urls import reverse

from trustdesk.postmortems import services
from trustdesk.postmortems.tests.factories import factor, make_action_item

pytestmark = pytest.mark.django_db


def _markdown(client, user, pm):
    client.force_login(user)
    response = client.get(reverse("postmortems:markdown", args=[pm.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    return response.content.decode()


def test_it_has_every_section_with_the_facts(client, im, pm):
    services.update(
        actor=im,
        postmortem=pm,
        lessons="Keep the hashtag list current.",
        five_whys=["The challenge spread", "No keyword covered it"],
        reach=1_250_000,
        reach_source="analytics dashboard",
    )
    link = services.add_factor(
        actor=im, postmortem=pm, factor=factor("detection-gap"), is_root_cause=True
    )
    make_action_item(actor=im, postmortem=pm, factor=link)
    text = _markdown(client, im, pm)
    assert text.startswith(f"# {pm.title}\n")
    for heading in ("## Summary", "## Impact", "## Durations", "## Timeline", "## Lessons"):
        assert f"\n{heading}\n" in text
    assert "- Reach: 1,250,000 (analytics dashboard)" in text
    assert "| Time to resolve |" in text
    assert "| resolved - reported |" in text
    assert f"- **Incident:** {pm.incident.ref} {pm.incident.title}" in text
    assert "**Detection gap** (root cause)" in text
    assert "1. The challenge spread\n2. No keyword covered it" in text
    assert "## Action items: 0 of 1 done (0%)" in text
    assert "Status Reported → Triaged" in text


def test_what_people_wrote_cannot_become_html_or_break_tables(client, im, pm):
    services.update(actor=im, postmortem=pm, summary="<script>alert(1)</script>")
    make_action_item(actor=im, postmortem=pm, description="Split | the queue")
    text = _markdown(client, im, pm)
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Split \\| the queue" in text


def test_a_restricted_incident_export_is_marked(client, im, restricted_pm):
    assert "> **RESTRICTED · need-to-know.**" in _markdown(client, im, restricted_pm)


def test_a_restricted_incident_export_is_404_for_a_non_member(client, restricted_pm, stakeholder):
    client.force_login(stakeholder)
    url = reverse("postmortems:markdown", args=[restricted_pm.pk])
    assert client.get(url).status_code == 404
