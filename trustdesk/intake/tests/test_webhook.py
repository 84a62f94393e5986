"""Signed detection-system webhooks over HTTP: good, bad, stale and replayed deliveries."""

import json
import time

import pytest
import time_machine

from trustdesk.intake.channels import sign
from trustdesk.intake.models import DeadLetter, Report, ReporterType

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-the-hive-detector"
URL = "/api/v1/reports/webhook/hive"


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.INTAKE_WEBHOOK_SECRETS = [f"hive={SECRET}"]


def _body(delivery_id="d-1", **report):
    fields = {"label": "toxicity", "market": "DE", "text": "Coordinated slurs under a live"}
    fields.update(report)
    return json.dumps({"delivery_id": delivery_id, "report": fields}).encode()


def _deliver(client, body, *, timestamp=None, secret=SECRET, signature=None):
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(
        URL,
        body,
        content_type="application/json",
        HTTP_X_TRUSTDESK_TIMESTAMP=ts,
        HTTP_X_TRUSTDESK_SIGNATURE=signature or sign(secret, ts, body),
    )


def test_a_good_signature_creates_a_detection_report(client):
    response = _deliver(client, _body())
    assert response.status_code == 201
    report = Report.objects.get()
    assert report.channel == "webhook"
    assert report.reporter_type == ReporterType.DETECTION
    assert report.external_id == "d-1"
    assert report.category.code == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert report.raw["source"] == "hive"


def test_a_bad_signature_is_refused_and_nothing_is_stored(client):
    response = _deliver(client, _body(), secret="not-the-secret-at-all")
    assert response.status_code == 401
    assert response.json()["detail"] == "Bad signature."
    assert not Report.objects.exists()
    assert not DeadLetter.objects.exists()


def test_a_body_changed_after_signing_is_refused(client):
    ts = str(int(time.time()))
    signature = sign(SECRET, ts, _body())
    response = _deliver(client, _body(text="tampered"), timestamp=ts, signature=signature)
    assert response.status_code == 401


def test_a_stale_delivery_is_refused(client):
    with time_machine.travel("2026-11-25 12:00:00Z", tick=False):
        stale = int(time.time()) - 301
        response = _deliver(client, _body(), timestamp=stale)
        assert response.status_code == 401
        assert "Stale delivery" in response.json()["detail"]
        fresh = _deliver(client, _body(), timestamp=int(time.time()) - 299)
        assert fresh.status_code == 201


def test_a_replayed_delivery_is_refused_and_points_at_the_first_report(client):
    first = _deliver(client, _body("d-9"))
    replay = _deliver(client, _body("d-9"))
    assert replay.status_code == 409
    assert replay.json()["report"] == first.json()["id"]
    assert Report.objects.count() == 1


def test_an_unknown_source_is_refused(client):
    response = client.post(
        "/api/v1/reports/webhook/nobody", _body(), content_type="application/json"
    )
    assert response.status_code == 404


def test_an_authentic_but_unreadable_delivery_is_kept_as_a_dead_letter(client):
    body = json.dumps({"delivery_id": "d-5", "report": {"market": "ZZZ"}}).encode()
    response = _deliver(client, body)
    assert response.status_code == 202
    dead = DeadLetter.objects.get(pk=response.json()["dead_letter"])
    assert bytes(dead.raw) == body
    assert dead.source == "hive"
    assert not Report.objects.exists()


def test_a_rotated_secret_is_accepted_alongside_the_old_one(client, settings):
    settings.INTAKE_WEBHOOK_SECRETS = [f"hive={SECRET}", "hive=the-new-secret-after-rotation"]
    assert _deliver(client, _body("a"), secret="the-new-secret-after-rotation").status_code == 201
    assert _deliver(client, _body("b")).status_code == 201
