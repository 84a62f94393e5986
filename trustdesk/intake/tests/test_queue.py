import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import make_report

pytestmark = pytest.mark.django_db


def _queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/triage/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_queue_shows_groups_with_counts_markets_and_reasons(client, im):
    make_report(market="BR", label="dangerous_challenge", url="https://v.example/1")
    make_report(market="AR", url="https://v.example/1")
    client.force_login(im)
    _, body = _queries(client)
    assert '<td class="num">2</td>' in body
    assert '<span class="tag">BR</span> <span class="tag">AR</span>' in body
    assert "SEV2: serious harm category" in body
    assert 'data-action="open"' in body


def test_the_queue_costs_the_same_queries_for_many_groups(client, im):
    client.force_login(im)
    for n in range(3):
        make_report(
            market="MX",
            label="scam",
            text=f"group {n} words alpha beta",
            url=f"https://v.example/{n}",
        )
    few, _ = _queries(client)
    for n in range(3, 30):
        make_report(
            market="BR",
            label="hate",
            text=f"group {n} words gamma delta",
            url=f"https://v.example/{n}",
        )
    many, body = _queries(client)
    assert body.count("data-group-row") == 30
    assert many == few
