"""The read-only SQL console, on whichever database the suite runs on. The console reads
through its own connection, so these tests commit their data (transactional)."""

import csv
import io
import time

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from trustdesk.analytics import sqlconsole
from trustdesk.audit.models import AuditEvent
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.intake.tests.factories import make_report

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/analytics/sql"
RUNAWAY = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"


@pytest.fixture(autouse=True)
def taxonomy(transactional_db):
    """Transactional tests empty every table, the migration-loaded taxonomy included."""
    from trustdesk.taxonomy.loader import load_taxonomy
    from trustdesk.taxonomy.models import Category, Keyword, Market

    load_taxonomy(Category, Keyword, Market)


@pytest.fixture
def incidents(im):
    open_one = make_incident(actor=im, title="Scam wave")
    hidden = make_incident(
        actor=im,
        title="Grooming ring escalated by NCMEC",
        category="STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        markets=("BR",),
    )
    assert hidden.restricted
    return open_one, hidden


def _run(client, user, sql: str):
    client.force_login(user)
    return client.post(URL, {"sql": sql})


def _error(response) -> str:
    assert response.status_code == 400
    return response.context["error"]


def test_it_runs_a_query_for_a_lead_and_shows_the_rows(client, lead, incidents):
    response = _run(client, lead, "SELECT ref, title FROM analytics_incidents ORDER BY id")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r[1] for r in rows] == ["Scam wave", "Grooming ring escalated by NCMEC"]
    assert rows[0][0] == f"INC-{incidents[0].pk}"


def test_it_leaves_out_restricted_incidents_the_auditor_may_not_see(client, auditor, incidents):
    response = _run(client, auditor, "SELECT title FROM analytics_incidents")
    assert response.status_code == 200
    assert response.context["rows"] == [["Scam wave"]]
    by_id = _run(client, auditor, f"SELECT * FROM analytics_incidents WHERE id = {incidents[1].pk}")
    assert by_id.context["rows"] == []


def test_restricted_rows_stay_out_through_joins_subqueries_and_aliases(client, auditor, incidents):
    sql = (
        "SELECT count(*) FROM (SELECT * FROM analytics_incidents x) AS sub "
        "WHERE sub.id IN (SELECT id FROM analytics_incidents) "
        "UNION ALL SELECT count(*) FROM analytics_tasks t JOIN analytics_incidents i "
        "ON i.id = t.incident_id"
    )
    response = _run(client, auditor, sql)
    assert response.status_code == 200
    assert response.context["rows"][0] == ["1"]


def test_reports_in_restricted_groups_are_left_out_for_the_auditor(client, auditor, lead):
    make_report(text="Routine scam report about a fake giveaway page", market="MX")
    make_report(
        text="Child grooming contact reported in direct messages",
        market="BR",
        category="STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    )
    sql = "SELECT count(*) FROM analytics_reports"
    assert _run(client, lead, sql).context["rows"] == [["2"]]
    assert _run(client, auditor, sql).context["rows"] == [["1"]]


def test_a_cte_may_not_shadow_a_view_to_reach_its_unfiltered_rows(client, auditor, incidents):
    sql = (
        "WITH analytics_incidents AS (SELECT * FROM analytics_incidents) "
        "SELECT * FROM analytics_incidents"
    )
    assert "may not be called analytics_incidents" in _error(_run(client, auditor, sql))


@pytest.mark.parametrize(
    "sql, words",
    [
        ("DELETE FROM analytics_incidents", "DELETE is not allowed"),
        ("INSERT INTO analytics_tasks (id) VALUES (1)", "INSERT is not allowed"),
        ("UPDATE analytics_incidents SET title = 'x'", "UPDATE is not allowed"),
        ("DROP VIEW analytics_incidents", "DROP is not allowed"),
        ("  -- sneaky\nCREATE TABLE x (id int)", "CREATE is not allowed"),
        ("SELECT * INTO copy FROM analytics_incidents", "INTO is not allowed"),
        ("SELECT 1; DELETE FROM analytics_incidents", "one statement"),
    ],
)
def test_it_refuses_writes_with_a_clear_message(client, lead, incidents, sql, words):
    assert words in _error(_run(client, lead, sql))
    assert _run(client, lead, "SELECT count(*) FROM analytics_incidents").context["rows"] == [["2"]]


@pytest.mark.parametrize(
    "sql, words",
    [
        ("PRAGMA table_info(intake_report)", "PRAGMA is not allowed"),
        ("ATTACH DATABASE '/tmp/x.db' AS x", "ATTACH is not allowed"),
        ("pragma writable_schema = 1", "PRAGMA is not allowed"),
    ],
)
def test_it_refuses_pragma_and_attach(client, lead, sql, words):
    assert words in _error(_run(client, lead, sql))


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM intake_report",
        "SELECT username, password FROM accounts_user",
        "SELECT * FROM analytics_incidents JOIN incidents_incident USING (id)",
        "SELECT * FROM sqlite_master",
        "SELECT * FROM pg_catalog.pg_user",
        "SELECT * FROM main.analytics_incidents",
    ],
)
def test_it_refuses_tables_that_are_not_analytics_views(client, lead, sql):
    message = _error(_run(client, lead, sql))
    assert "analytics view" in message and "analytics_incidents" in message


def test_it_refuses_server_functions(client, lead):
    assert "not allowed" in _error(_run(client, lead, "SELECT pg_read_file('/etc/passwd')"))


def test_a_runaway_query_stops_at_the_timeout(client, lead, monkeypatch):
    monkeypatch.setattr(sqlconsole, "TIMEOUT_SECONDS", 0.5)
    began = time.monotonic()
    message = _error(_run(client, lead, RUNAWAY))
    assert "ran longer than 0.5 s and was stopped" in message
    assert time.monotonic() - began < 5


def test_it_cuts_results_at_the_row_cap(client, lead, monkeypatch):
    monkeypatch.setattr(sqlconsole, "ROW_CAP", 3)
    sql = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n LIMIT 10"
    response = _run(client, lead, sql)
    assert response.context["result"].truncated
    assert response.context["rows"] == [["1"], ["2"], ["3"]]
    assert "cut at 3 rows" in response.content.decode()


def test_every_query_is_audited_run_or_refused(client, auditor, incidents):
    _run(client, auditor, "SELECT count(*) FROM analytics_incidents")
    _run(client, auditor, "SELECT * FROM intake_report")
    run = AuditEvent.objects.get(action="analytics.sql.run")
    refused = AuditEvent.objects.get(action="analytics.sql.refused")
    assert run.actor == auditor and run.after["sql"].startswith("SELECT count(*)")
    assert run.after["rows"] == 1
    assert "intake_report is not an analytics view" in refused.after["error"]


def test_it_downloads_results_as_csv(client, lead, incidents):
    client.force_login(lead)
    response = client.post(
        reverse("analytics:sql_csv"),
        {"sql": "SELECT id, title FROM analytics_incidents ORDER BY id"},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["id", "title"] and rows[1] == [str(incidents[0].pk), "Scam wave"]
    assert AuditEvent.objects.filter(action="analytics.sql.export").count() == 1


def test_it_downloads_results_as_xlsx_without_hidden_rows(client, auditor, incidents):
    client.force_login(auditor)
    response = client.post(
        reverse("analytics:sql_xlsx"), {"sql": "SELECT title FROM analytics_incidents"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row for row in sheet.iter_rows(values_only=True)] == [("title",), ("Scam wave",)]


def test_the_console_page_lists_the_views(client, auditor):
    client.force_login(auditor)
    response = client.get(URL)
    assert response.status_code == 200
    for name in sqlconsole.VIEWS:
        assert name in response.content.decode()


def test_an_outsider_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"sql": "SELECT 1"}).status_code == 403
    assert client.post(reverse("analytics:sql_csv"), {"sql": "SELECT 1"}).status_code == 403


def test_an_incident_manager_is_refused(client, im):
    client.force_login(im)
    assert client.get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def test_an_empty_query_names_the_field(client, lead):
    client.force_login(lead)
    assert _error(client.post(URL, {"sql": ""})) == "Query: Write a SELECT query."


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite authorizer")
def test_the_sqlite_authorizer_refuses_tables_even_if_the_parser_missed_them():
    for sql in ("SELECT * FROM intake_report", "SELECT * FROM sqlite_master"):
        with pytest.raises(sqlconsole.ConsoleError, match="database refused"):
            sqlconsole._execute(sql, 10, 1.0)
    with pytest.raises(sqlconsole.ConsoleError, match="database refused"):
        sqlconsole._execute("SELECT sqlite_version()", 10, 1.0)


def test_the_database_refuses_a_write_even_if_the_parser_missed_it():
    with pytest.raises(sqlconsole.ConsoleError, match="refused"):
        sqlconsole._execute("DELETE FROM incidents_task", 10, 1.0)


def test_the_database_stops_a_runaway_query_by_itself():
    began = time.monotonic()
    with pytest.raises(sqlconsole.ConsoleError, match=r"ran longer than 0\.5 s"):
        sqlconsole._execute(RUNAWAY, 10, 0.5)
    assert time.monotonic() - began < 5
