"""The API describes itself: /api/openapi.json and a docs page that works under our CSP."""

import json
import re

from django.test import Client

EXPECTED_PATHS = {
    "/api/v1/me": {"get"},
    "/api/v1/incidents": {"get", "post"},
    "/api/v1/incidents/{incident_id}": {"get", "patch"},
    "/api/v1/incidents/{incident_id}/transitions": {"post"},
    "/api/v1/incidents/{incident_id}/allowed-transitions": {"get"},
    "/api/v1/incidents/{incident_id}/participants": {"get", "post"},
    "/api/v1/incidents/{incident_id}/participants/{participant_id}": {"delete"},
    "/api/v1/incidents/{incident_id}/timeline": {"get", "post"},
    "/api/v1/incidents/{incident_id}/timeline/{event_id}/pin": {"post"},
    "/api/v1/incidents/{incident_id}/tasks": {"get", "post"},
    "/api/v1/incidents/{incident_id}/tasks/{task_id}": {"patch"},
    "/api/v1/taxonomy/categories": {"get"},
    "/api/v1/taxonomy/markets": {"get"},
    "/api/v1/taxonomy/severities": {"get"},
}


def test_the_openapi_document_lists_the_incident_core_paths(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = {path: set(ops) for path, ops in document["paths"].items()}
    # Other apps add their own routers; these are the incident core's.
    assert {path: paths.get(path) for path in EXPECTED_PATHS} == EXPECTED_PATHS


def test_the_openapi_document_describes_auth_and_errors(db):
    document = Client().get("/api/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    create = document["paths"]["/api/v1/incidents"]["post"]
    assert {"201", "401", "403", "422"} <= set(create["responses"])
    assert "ErrorOut" in json.dumps(create["responses"]["422"])


def test_the_docs_page_loads_local_assets_and_no_inline_script(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts, "the page should load Swagger UI"
    for attributes in scripts:
        # Executable scripts come from our own static files; JSON data blocks do not execute.
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes
    assert "cdn" not in html.lower()


def test_the_docs_page_keeps_the_site_csp(db):
    policy = Client().get("/api/docs")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in policy
