"""Every profile save keeps a revision with what changed, and an audit event."""

import pytest
from django.urls import reverse

from trustdesk.audit.models import AuditEvent
from trustdesk.lib.errors import InvalidInput
from trustdesk.markets import services
from trustdesk.markets.models import ProfileRevision
from trustdesk.taxonomy.models import Market

pytestmark = pytest.mark.django_db

TSE = {"name": "TSE", "kind": "electoral", "channel": "portal", "address": "https://tse.jus.br"}


def save(actor, **fields):
    return services.save_profile(
        actor=actor,
        market=Market.objects.get(code="BR"),
        draft=services.ProfileDraft(**fields),
        note=fields.pop("n", ""),
    )


def test_each_save_is_a_revision_with_its_changes(im, lead):
    profile = save(im, overview="Big market.", authorities=[TSE])
    assert profile.version == 1
    profile = save(
        lead,
        overview="Big market.\nActive courts.",
        authorities=[
            {**TSE, "hours": "24/7 in elections"},
            {"name": "ANPD", "kind": "data_protection", "channel": "portal"},
        ],
    )
    assert profile.version == 2 and profile.updated_by == lead
    latest = profile.revisions.first()
    assert latest.number == 2 and latest.created_by == lead
    changes = {c["field"]: c for c in latest.changes}
    assert changes["overview"]["diff"][-1] == "+Active courts."
    assert changes["authorities"]["added"] == ["ANPD"]
    assert changes["authorities"]["changed"] == ["TSE"]
    assert latest.snapshot["authorities"][0]["hours"] == "24/7 in elections"
    assert AuditEvent.objects.filter(action="markets.profile.update").count() == 2


def test_saving_an_unchanged_profile_writes_nothing(im):
    save(im, overview="Same")
    save(im, overview="Same")
    assert ProfileRevision.objects.count() == 1


def test_a_bad_row_is_refused_naming_it(im):
    with pytest.raises(InvalidInput) as raised:
        save(im, authorities=[{**TSE, "channel": "pigeon"}])
    assert raised.value.field == "authorities.0.channel"
    assert not ProfileRevision.objects.exists()


def test_the_history_page_shows_who_changed_what(client, im, outsider):
    save(im, overview="One", risks=[{"title": "Election disinformation"}])
    save(
        im,
        overview="Two",
        risks=[{"title": "Election disinformation"}, {"title": "School threats"}],
    )
    client.force_login(outsider)
    body = client.get(reverse("markets:history", args=["BR"])).content.decode()
    assert "Version 2" in body and "Added: School threats" in body


def test_the_editor_saves_through_the_form(client, im, stakeholder):
    client.force_login(stakeholder)
    assert client.get(reverse("markets:edit", args=["MX"])).status_code == 403
    client.force_login(im)
    data = {"overview": "Mexico.", "regulatory_notes": "", "language_notes": "", "note": "start"}
    for kind in ("authorities", "partners", "risks", "experts"):
        data |= {f"{kind}-TOTAL_FORMS": "1", f"{kind}-INITIAL_FORMS": "0"}
    data |= {
        "authorities-0-name": "INE",
        "authorities-0-kind": "electoral",
        "authorities-0-channel": "portal",
        "authorities-0-address": "https://www.ine.mx",
    }
    response = client.post(reverse("markets:edit", args=["MX"]), data)
    assert response.status_code == 302
    page = client.get(reverse("markets:profile", args=["MX"])).content.decode()
    assert "INE" in page and "Mexico." in page
