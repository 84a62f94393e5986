import json

import pytest

from trustdesk.intake.models import IdempotencyRecord, Report, ReportGroup

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports"


def _post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def _report(n=0, **fields):
    return {
        "external_id": f"ext-{n}",
        "market": "BR",
        "label": "dangerous_challenge",
        "text": f"Blackout challenge video number {n} going around schools in São Paulo",
        "content": [{"url": f"https://video.example/watch/{n}"}],
        **fields,
    }


def test_a_single_report_is_created_with_its_group(api):
    response = _post(api, URL, _report(1))
    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert report.market.code == "BR"
    assert report.category.code == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
    assert report.raw["external_id"] == "ext-1"
    assert body["group"] == report.group_id
    assert report.group.region == "AMS"


def test_the_same_external_id_twice_returns_the_first_report(api):
    first = _post(api, URL, _report(1)).json()
    again = _post(api, URL, _report(1, text="Edited text, same id"))
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert again.json()["id"] == first["id"]
    assert Report.objects.count() == 1


def test_an_idempotency_key_replay_returns_the_first_answer(api):
    first = _post(api, URL, _report(1, external_id=""), HTTP_IDEMPOTENCY_KEY="k-1")
    again = _post(api, URL, _report(1, external_id=""), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def test_an_idempotency_key_reused_for_another_body_is_refused(api):
    _post(api, URL, _report(1), HTTP_IDEMPOTENCY_KEY="k-1")
    response = _post(api, URL, _report(2), HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Report.objects.count() == 1


def test_a_wrong_field_is_named_and_nothing_is_stored(api):
    response = _post(api, URL, _report(1, market="XX"))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "market", "message": "Unknown market 'XX'; use an ISO country code."}
    ]
    assert not Report.objects.exists()


def test_a_bad_nested_field_is_named_by_its_path(api):
    response = _post(api, URL, _report(1, content=[{"url": "ftp://files.example/x"}]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "content.0.url"


def test_a_body_that_is_not_json_is_kept_as_a_dead_letter(api):
    from trustdesk.intake.models import DeadLetter

    response = api.post(URL, b"{not json", content_type="application/json")
    assert response.status_code == 422
    dead = DeadLetter.objects.get()
    assert bytes(dead.raw) == b"{not json"
    assert f"dead letter {dead.pk}" in response.json()["errors"][0]["message"]


def test_a_batch_answers_per_item(api):
    reports = [_report(1), _report(2, market="XX"), _report(1), _report(3)]
    response = _post(api, URL + "/batch", {"reports": reports})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "invalid", "duplicate", "created"]
    assert results[1]["errors"][0]["field"] == "market"
    assert results[2]["id"] == results[0]["id"]
    assert response.json()["counts"] == {"created": 2, "duplicate": 1, "invalid": 1}
    assert Report.objects.count() == 2


def test_a_batch_of_1000_is_accepted_and_1001_refused(api):
    reports = [_report(n) for n in range(1001)]
    too_many = _post(api, URL + "/batch", {"reports": reports})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "reports"
    assert not Report.objects.exists()
    response = _post(api, URL + "/batch", {"reports": reports[:1000]})
    assert response.json()["counts"]["created"] == 1000
    assert Report.objects.count() == 1000


def test_a_batch_replayed_with_its_idempotency_key_stores_nothing_twice(api):
    body = {"reports": [_report(1, external_id=""), _report(2, external_id="")]}
    first = _post(api, URL + "/batch", body, HTTP_IDEMPOTENCY_KEY="batch-7")
    again = _post(api, URL + "/batch", body, HTTP_IDEMPOTENCY_KEY="batch-7")
    assert again.json() == first.json()
    assert Report.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1


def test_without_a_token_the_api_refuses(client):
    response = _post(client, URL, _report(1))
    assert response.status_code == 401
    assert not Report.objects.exists()


def test_an_auditor_cannot_submit(auditor_api):
    response = _post(auditor_api, URL, _report(1))
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_the_queue_lists_visible_open_groups(api):
    _post(api, URL, _report(1))
    groups = api.get(URL + "/groups").json()["groups"]
    assert len(groups) == 1
    assert groups[0]["markets"] == ["BR"]
    assert groups[0]["severity_reasons"]
    assert ReportGroup.objects.get().pk == groups[0]["id"]


def test_a_group_lists_its_reports_with_evidence_described_not_embedded(api, im):
    from .factories import make_report, png_attachment

    report = make_report(market="MX", url="https://v.example/7", attachments=(png_attachment(),))
    body = api.get(f"{URL}/groups/{report.group_id}").json()
    (listed,) = body["report_list"]
    assert listed["ref"] == report.ref
    assert listed["content"][0]["url"] == "https://v.example/7"
    assert listed["attachments"][0]["sha256"] == report.attachments.get().evidence.sha256
    assert "data_base64" not in str(body)


def test_a_group_outside_ones_sight_is_404(api, im2):
    from django.test import Client

    from trustdesk.accounts.services import create_token

    from .factories import make_report

    group = make_report(market="BR", label="grooming", text="Adult messaging kids").group
    _, raw = create_token(actor=im2, user=im2, name="apac")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"{URL}/groups/{group.pk}")
    assert response.status_code == 404
