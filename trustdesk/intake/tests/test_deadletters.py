import json

import pytest

from trustdesk.audit.models import AuditEvent
from trustdesk.intake import services
from trustdesk.intake.models import Channel, DeadLetter, Report
from trustdesk.lib.errors import InvalidInput

pytestmark = pytest.mark.django_db

GOOD = json.dumps({"external_id": "x-1", "market": "MX", "text": "Scam giveaway spreading fast"})


def _dead(raw=b'{"market": "MX", "text": "Scam giveaway"', channel=Channel.API, lead=None):
    return services.keep_dead_letter(channel=channel, raw=raw, error="Not JSON", source="bridge")


def test_a_dead_letter_replays_after_a_correction(lead):
    dead = _dead()
    result = services.replay_dead_letter(actor=lead, dead_letter=dead, raw=GOOD.encode())
    dead.refresh_from_db()
    assert dead.report == result.report
    assert dead.replayed_by == lead
    assert result.report.market.code == "MX"
    assert AuditEvent.objects.filter(action="intake.dead_letter.replay").exists()


def test_a_failed_replay_is_counted_and_the_letter_kept(lead):
    dead = _dead()
    with pytest.raises(InvalidInput):
        services.replay_dead_letter(actor=lead, dead_letter=dead)
    dead.refresh_from_db()
    assert dead.attempts == 2
    assert dead.replayed_at is None
    assert not Report.objects.exists()


def test_a_letter_replays_once(lead):
    dead = _dead()
    services.replay_dead_letter(actor=lead, dead_letter=dead, raw=GOOD.encode())
    with pytest.raises(Exception, match="Already replayed"):
        services.replay_dead_letter(actor=lead, dead_letter=dead, raw=GOOD.encode())
    assert Report.objects.count() == 1


def test_leads_see_and_replay_dead_letters_in_the_ui(client, lead):
    dead = _dead()
    client.force_login(lead)
    listing = client.get("/triage/dead-letters/")
    assert f"DL-{dead.pk}" in listing.content.decode()
    page = client.get(f"/triage/dead-letters/{dead.pk}/")
    assert "Scam giveaway" in page.content.decode()
    response = client.post(f"/triage/dead-letters/{dead.pk}/", {"payload": GOOD})
    assert response.status_code == 302
    assert Report.objects.get().external_id == "x-1"


def test_an_unfixed_replay_shows_the_error(client, lead):
    dead = _dead()
    client.force_login(lead)
    response = client.post(f"/triage/dead-letters/{dead.pk}/", {"payload": dead.raw_text})
    assert response.status_code == 422
    assert "Not JSON" in response.content.decode()


@pytest.mark.parametrize("persona", ["im", "stakeholder", "outsider"])
def test_only_leads_see_dead_letters(client, persona, request):
    dead = _dead()
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/triage/dead-letters/").status_code == 403
    assert client.get(f"/triage/dead-letters/{dead.pk}/").status_code == 403
    assert DeadLetter.objects.visible_to(request.getfixturevalue(persona)).count() == 0
