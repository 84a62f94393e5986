"""Whatever a client sends, the answer is never a 500 (DESIGN.md invariant 8)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustdesk.accounts.tests.apiclient import as_user
from trustdesk.incidents import services

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["SEV1", "MX", "violence", "merged", "lena.lead", "done", "\x00"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)

# A valid body per write route; the property replaces one field with anything at all.
VALID = {
    ("post", ""): {"title": "t", "category": "violence", "severity": "SEV2", "markets": ["MX"]},
    ("patch", "/{id}"): {"severity": "SEV1", "detected_at": "2026-11-25T10:00:00Z"},
    ("post", "/{id}/transitions"): {"to": "merged", "reason": "dup", "merged_into": 1},
    ("post", "/{id}/participants"): {"username": "lena.lead", "role": "legal", "reason": "r"},
    ("post", "/{id}/timeline"): {"text": "hi", "pinned": False},
    ("post", "/{id}/tasks"): {"title": "t", "owner": "lena.lead", "due_at": "2026-12-01T00:00Z"},
    ("patch", "/{id}/tasks/{task}"): {"status": "done", "owner": "lena.lead", "title": "t"},
    ("post", "/{id}/timeline/{event}/pin"): {"pinned": True},
}
FILTERS = ["status", "severity", "region", "market", "category", "assignee", "q", "restricted"]
FILTERS += ["sort", "limit", "offset"]

PROPERTY = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def scene(lead, incident):
    task = services.create_task(actor=lead, incident=incident, title="t")
    return as_user(lead), {"id": incident.pk, "task": task.pk, "event": incident.events.first().pk}


@PROPERTY
@given(route=st.sampled_from(sorted(VALID)), data=st.data())
def test_no_field_value_makes_a_write_crash(scene, route, data):
    client, ids = scene
    method, path = route
    body = dict(VALID[route])
    body[data.draw(st.sampled_from(sorted(body)))] = data.draw(VALUES)
    response = getattr(client, method)("/api/v1/incidents" + path.format(**ids), body)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.json()["detail"]


@PROPERTY
@given(params=st.dictionaries(st.sampled_from(FILTERS), st.text(max_size=25), max_size=5))
def test_no_filter_value_makes_the_list_crash(scene, params):
    client, _ = scene
    assert client.get("/api/v1/incidents", params).status_code in (200, 422)
