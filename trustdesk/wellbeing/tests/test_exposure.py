"""Revealing evidence or expanding sensitive text records one exposure event; the page's
end beacon closes it with how long it stayed revealed; the sweep closes forgotten ones."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from trustdesk.audit.models import AuditEvent
from trustdesk.intake.models import Attachment
from trustdesk.intake.tests.factories import make_report, png_attachment
from trustdesk.taxonomy.models import Category
from trustdesk.wellbeing import services
from trustdesk.wellbeing.models import ExposureEvent
from trustdesk.wellbeing.tasks import sweep_exposures

from .factories import make_exposure


@pytest.fixture
def attachment(db):
    report = make_report(market="MX", label="violence", attachments=(png_attachment(),))
    return Attachment.objects.get(report=report)


def _reveal(client, attachment):
    return client.post(
        reverse("intake:evidence_reveal", args=[attachment.pk]), HTTP_ACCEPT="application/json"
    )


def test_it_records_one_exposure_with_its_duration_when_a_reveal_ends(client, im, attachment):
    client.force_login(im)
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        answer = _reveal(client, attachment)
    assert answer.status_code == 200
    end_url = answer.json()["exposure"]["end_url"]
    with time_machine.travel(start + timedelta(seconds=95), tick=False):
        assert client.post(end_url).status_code == 204
        assert client.post(end_url).status_code == 204  # a late duplicate beacon

    event = ExposureEvent.objects.get()
    assert event.user == im
    assert event.category.code == "STATEMENT_CATEGORY_VIOLENCE"
    assert event.kind == "media"
    assert event.started_at == start
    assert event.revealed_duration == timedelta(seconds=95)
    assert not event.capped


def test_it_keeps_no_content_reference_and_stays_out_of_the_audit_log(client, im, attachment):
    client.force_login(im)
    _reveal(client, attachment)
    fields = {f.name for f in ExposureEvent._meta.get_fields()}
    assert fields == {
        "id",
        "user",
        "category",
        "kind",
        "started_at",
        "ended_at",
        "revealed_duration",
        "capped",
    }
    assert not AuditEvent.objects.filter(action__startswith="wellbeing.").exists()


def test_it_refuses_to_end_someone_elses_exposure(client, im, im2, attachment):
    client.force_login(im)
    end_url = _reveal(client, attachment).json()["exposure"]["end_url"]
    client.force_login(im2)
    assert client.post(end_url).status_code == 404
    assert ExposureEvent.objects.get().ended_at is None


def test_it_caps_an_overlong_reveal(client, im, attachment, settings):
    settings.WELLBEING_MAX_LOOK_MINUTES = 30
    client.force_login(im)
    start = timezone.now() + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        end_url = _reveal(client, attachment).json()["exposure"]["end_url"]
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        client.post(end_url)
    event = ExposureEvent.objects.get()
    assert event.revealed_duration == timedelta(minutes=30)
    assert event.capped


def test_it_starts_a_text_exposure_for_a_known_category(client, im):
    client.force_login(im)
    answer = client.post(
        reverse("wellbeing:start"),
        {"category": "STATEMENT_CATEGORY_SELF_HARM", "kind": "text"},
    )
    assert answer.status_code == 201
    event = ExposureEvent.objects.get()
    assert (event.kind, event.category.code) == ("text", "STATEMENT_CATEGORY_SELF_HARM")


def test_it_names_the_field_when_the_category_is_unknown(client, im):
    client.force_login(im)
    answer = client.post(reverse("wellbeing:start"), {"category": "NOPE", "kind": "text"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "category"
    assert not ExposureEvent.objects.exists()


def test_it_refuses_anonymous_beacons(client, im):
    event = make_exposure(im, started_at=timezone.now())
    assert client.post(reverse("wellbeing:end", args=[event.pk])).status_code == 302


def test_the_sweep_closes_forgotten_events_for_the_capped_duration(im, settings):
    settings.WELLBEING_MAX_LOOK_MINUTES = 30
    now = timezone.now()
    stale = services.start_exposure(
        user=im,
        category=make_exposure(im, started_at=now).category,
        kind="media",
        at=now - timedelta(hours=2),
    )
    fresh = services.start_exposure(user=im, category=stale.category, kind="media", at=now)
    assert services.close_stale(now=now) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.revealed_duration == timedelta(minutes=30) and stale.capped
    assert fresh.ended_at is None


def test_the_purge_deletes_events_past_the_wellbeing_retention(im, settings):
    settings.WELLBEING_RETENTION_DAYS = 90
    now = timezone.now()
    old = make_exposure(im, started_at=now - timedelta(days=91))
    kept = make_exposure(im, started_at=now - timedelta(days=89))
    assert services.purge_expired(now=now) == 1
    assert list(ExposureEvent.objects.all()) == [kept]
    assert not ExposureEvent.objects.filter(pk=old.pk).exists()


def test_the_scheduled_task_closes_and_purges(im, settings):
    settings.WELLBEING_MAX_LOOK_MINUTES = 30
    now = timezone.now()
    make_exposure(im, started_at=now - timedelta(days=200))
    services.start_exposure(
        user=im,
        category=Category.objects.get(code="STATEMENT_CATEGORY_VIOLENCE"),
        kind="text",
        at=now - timedelta(hours=1),
    )
    assert sweep_exposures.call() == {"closed": 1, "purged": 1}
    assert ExposureEvent.objects.get().revealed_duration == timedelta(minutes=30)


def test_the_user_menu_links_to_my_wellbeing(client, im):
    client.force_login(im)
    html = client.get(reverse("incidents:queue")).content.decode()
    assert f'href="{reverse("wellbeing:mine")}"' in html
