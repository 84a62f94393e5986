"""The permission matrix: every URL pattern and every API operation, as every persona.

The expected outcomes live in ``tests/permission_matrix.py`` (one line per URL name or
operation; see docs/security.md, "Permission matrix"). This test

- fails naming any URL pattern or API operation that has no line there (a new endpoint must
  be added on purpose, with the outcome its author intends);
- requests each one as anonymous, outsider, stakeholder, auditor, incident manager, lead
  and admin: GET for pages (a POST with an empty body when the page only takes POST), and
  the declared method for API operations (an empty JSON body for writes), with URL
  arguments pointing at a *restricted incident none of the non-leads is on* and, for other
  objects, at an id that does not exist;
- checks the outcome against the line, and independently of the data file that nothing
  answers 5xx, that anonymous users never get a 2xx outside the public pages, and that no
  one off the need-to-know list gets a 2xx for the restricted incident.

When you add or change endpoints, regenerate a proposal with
``TRUSTDESK_MATRIX_WRITE=1 python -m pytest tests/test_permission_matrix.py`` and review
the diff of tests/permission_matrix.py line by line before keeping it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.api import api
from trustdesk.incidents.tests.factories import make_incident

from . import permission_matrix as matrix

PERSONAS = matrix.PERSONAS
MISSING_ID = 999_999
# Pages an anonymous visitor may load.
PUBLIC = {"login", "admin:login", "api-1:openapi-json", "api-1:openapi-view"}
# Personas who are not on the restricted incident's need-to-know list.
NOT_ON_LIST = ("outsider", "stakeholder", "auditor", "incident_manager")
DATA_FILE = Path(__file__).with_name("permission_matrix.py")


# --- What exists ------------------------------------------------------------------------------


def url_patterns() -> Iterator[tuple[str, str, URLPattern]]:
    """(name, route, pattern) for every URL pattern, admin and API included."""

    def walk(resolver: URLResolver, prefix: str, ns: str) -> Iterator[tuple[str, str, URLPattern]]:
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                inner = f"{ns}{item.namespace}:" if item.namespace else ns
                yield from walk(item, prefix + str(item.pattern), inner)
            else:
                name = f"{ns}{item.name}" if item.name else f"<unnamed {prefix}{item.pattern}>"
                yield name, prefix + str(item.pattern), item

    yield from walk(get_resolver(), "", "")


def api_operations() -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    ]


def is_api_route(name: str) -> bool:
    """API routes are checked per operation (method + path), not per URL name."""
    return name.startswith("api-1:") and name not in PUBLIC


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def world(db) -> dict[str, Any]:
    lead = UserFactory(username="lena.lead", role=Role.LEAD)
    users = {
        "outsider": UserFactory(username="otto.outsider", role=Role.STAKEHOLDER),
        "stakeholder": UserFactory(username="sam.legal", role=Role.STAKEHOLDER),
        "auditor": UserFactory(username="aud.itor", role=Role.AUDITOR),
        "incident_manager": UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER),
        "lead": lead,
        "admin": UserFactory(
            username="ada.admin", role=Role.ADMIN, is_staff=True, is_superuser=True
        ),
    }
    other_im = UserFactory(username="isla.im", role=Role.INCIDENT_MANAGER)
    # The stakeholder is on an ordinary incident, so "engaged somewhere" is exercised.
    make_incident(actor=lead)
    restricted = make_incident(
        actor=lead,
        title="Grooming ring escalated by NCMEC",
        category="STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        severity="SEV1",
        markets=("BR",),
    )
    assert restricted.restricted
    return {"users": users, "restricted": restricted, "other_im": other_im}


_CLIENTS: dict[str, Client] = {}


def _client(world: dict[str, Any], persona: str, fresh: bool = False) -> Client:
    """The persona's signed-in client; ``fresh`` signs in again (after a POST, which may
    have been a sign-out). An exception in a view is a 500 here, not a test crash."""
    if fresh or persona not in _CLIENTS:
        client = Client(raise_request_exception=False)
        if persona != "anonymous":
            client.force_login(world["users"][persona])
        _CLIENTS[persona] = client
    return _CLIENTS[persona]


# --- Filling in URL arguments -----------------------------------------------------------------


def _incident_arg(route: str, kwarg: str) -> bool:
    return kwarg == "incident_id" or bool(re.search(rf"incidents/<(int:)?{kwarg}>", route))


def page_kwargs(name: str, route: str, pattern: URLPattern, world: dict[str, Any]) -> dict:
    values: dict[str, Any] = {}
    for kwarg in pattern.pattern.regex.groupindex:
        if _incident_arg(route, kwarg):
            values[kwarg] = world["restricted"].pk
        elif kwarg == "username":
            values[kwarg] = world["other_im"].username
        elif kwarg == "code":
            values[kwarg] = "BR"
        elif kwarg == "region":
            values[kwarg] = "EMEA"
        elif kwarg == "key":
            values[kwarg] = "summary"
        elif kwarg == "app_label":
            values[kwarg] = "accounts"
        elif kwarg == "object_id" and name.startswith("admin:incidents_incident_"):
            values[kwarg] = str(world["restricted"].pk)
        elif kwarg in ("url", "path"):
            values[kwarg] = "nothing-here"
        else:
            values[kwarg] = MISSING_ID
    return values


def api_path(path: str, world: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        param = match.group(1)
        if "incident" in param:
            return str(world["restricted"].pk)
        return {"username": world["other_im"].username, "code": "BR", "source": "generic"}.get(
            param, str(MISSING_ID)
        )

    return re.sub(r"\{(\w+)\}", fill, path)


# --- Outcomes ---------------------------------------------------------------------------------


def outcome(response: Any) -> int | str:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return "admin-login"
        if location.startswith("/login/"):
            return "login"
        return "redirect"
    return int(response.status_code)


def visit_page(world: dict[str, Any], persona: str, url: str, method: str) -> Any:
    if method == "GET":
        return _client(world, persona).get(url)
    response = _client(world, persona).post(url, {})
    _client(world, persona, fresh=True)
    return response


def run_pages(world: dict[str, Any]) -> dict[str, tuple]:
    actual: dict[str, tuple] = {}
    for name, route, pattern in url_patterns():
        if is_api_route(name) or name in actual:
            continue
        if name.startswith("<unnamed"):
            url = "/" + route
        else:
            url = reverse(name, kwargs=page_kwargs(name, route, pattern, world))
        method = "GET"
        results: list[int | str] = []
        for persona in PERSONAS:
            response = visit_page(world, persona, url, method)
            if response.status_code == 405 and method == "GET":
                # A POST-only view: every persona is asked with an empty POST instead.
                method, results = "POST", []
                for earlier in PERSONAS[: PERSONAS.index(persona) + 1]:
                    results.append(outcome(visit_page(world, earlier, url, method)))
                continue
            results.append(outcome(response))
        actual[name] = (method, url, *results)
    return actual


def run_api(world: dict[str, Any]) -> dict[str, tuple]:
    actual: dict[str, tuple] = {}
    for operation in api_operations():
        method, path = operation.split(" ", 1)
        url = api_path(path, world)
        results: list[int | str] = []
        for persona in PERSONAS:
            client = _client(world, persona)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.generic(method, url, "{}", content_type="application/json")
                _client(world, persona, fresh=True)
            results.append(outcome(response))
        actual[operation] = (url, *results)
    return actual


# --- The tests --------------------------------------------------------------------------------


def test_every_url_pattern_has_an_entry():
    names = {name for name, _, _ in url_patterns() if not is_api_route(name)}
    missing = sorted(names - set(matrix.PAGES))
    stale = sorted(set(matrix.PAGES) - names)
    assert missing == [], f"URL patterns missing from tests/permission_matrix.py: {missing}"
    assert stale == [], f"Entries for URL patterns that no longer exist: {stale}"


def test_every_api_operation_has_an_entry():
    operations = set(api_operations())
    missing = sorted(operations - set(matrix.API))
    stale = sorted(set(matrix.API) - operations)
    assert missing == [], f"API operations missing from tests/permission_matrix.py: {missing}"
    assert stale == [], f"Entries for API operations that no longer exist: {stale}"


def _check(kind: str, actual: dict[str, tuple], expected: dict[str, tuple], skip: int) -> list[str]:
    problems = []
    for key, row in actual.items():
        results = dict(zip(PERSONAS, row[skip:], strict=True))
        uses_restricted = "/" in str(row[skip - 1]) and _mentions_restricted(row[skip - 1])
        for persona, got in results.items():
            if isinstance(got, int) and got >= 500:
                problems.append(f"{kind} {key} as {persona}: {got} (server error)")
            anonymous_in = persona == "anonymous" and isinstance(got, int) and got < 300
            if anonymous_in and got != 204 and key not in PUBLIC:
                problems.append(f"{kind} {key} as anonymous: {got} (must log in)")
            if uses_restricted and persona in NOT_ON_LIST and isinstance(got, int) and got < 300:
                problems.append(f"{kind} {key} as {persona}: {got} on a restricted incident")
        if key in expected:
            want = dict(zip(PERSONAS, expected[key][-len(PERSONAS) :], strict=True))
            for persona in PERSONAS:
                if want[persona] != results[persona]:
                    problems.append(
                        f"{kind} {key} as {persona}: expected {want[persona]}, "
                        f"got {results[persona]}"
                    )
            if kind == "page" and expected[key][0] != row[0]:
                problems.append(f"page {key}: expected method {expected[key][0]}, got {row[0]}")
    return problems


_RESTRICTED_PK: list[int] = []


def _mentions_restricted(url: str) -> bool:
    pk = _RESTRICTED_PK[-1]
    return bool(re.search(rf"incidents?/{pk}(/|$|\.)|checklists/{pk}(/|$)", url)) or bool(
        re.search(rf"/(similar|require)/{pk}(/|$)", url)
    )


def _write(pages: dict[str, tuple], operations: dict[str, tuple]) -> None:
    """Write a proposal for tests/permission_matrix.py from what the app does now."""
    header = DATA_FILE.read_text(encoding="utf-8").split("# --- DATA", 1)[0]
    page_rows = {k: (v[0], *v[2:]) for k, v in sorted(pages.items())}
    api_rows = {k: tuple(v[1:]) for k, v in sorted(operations.items())}

    def rows(data: dict[str, tuple]) -> str:
        lines = [f"    {key!r}: ({', '.join(repr(v) for v in row)})," for key, row in data.items()]
        return "{\n" + "\n".join(lines) + "\n}\n"

    body = (
        "# --- DATA (regenerate with TRUSTDESK_MATRIX_WRITE=1, then review the diff) ---\n"
        "# fmt: off\n"
        f"PAGES: dict[str, tuple] = {rows(page_rows)}\n"
        f"API: dict[str, tuple] = {rows(api_rows)}"
        "# fmt: on\n"
    )
    DATA_FILE.write_text(header + body, encoding="utf-8")


@pytest.fixture
def quiet_logs() -> Iterator[None]:
    """Thousands of expected 4xx would each log a warning; keep the output readable."""
    loggers = [logging.getLogger(name) for name in ("django.request", "weasyprint", "axes")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_every_page_and_operation_answers_each_persona_as_the_matrix_says(world, quiet_logs):
    _RESTRICTED_PK.append(world["restricted"].pk)
    _CLIENTS.clear()
    pages = run_pages(world)
    operations = run_api(world)
    if os.environ.get("TRUSTDESK_MATRIX_WRITE"):
        _write(pages, operations)
    problems = _check("page", pages, matrix.PAGES, 2) + _check("api", operations, matrix.API, 1)
    assert problems == [], f"{len(problems)} permission problems:\n" + "\n".join(problems)
