"""Property-based API test: schemathesis generates requests from /api/openapi.json and calls
every operation as an administrator (token with every scope). No answer may be a 5xx, and
every answer must match the schema the operation declares.

Kept small (a few examples per operation) so the whole run stays under two minutes.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from trustdesk.accounts.services import create_token

pytestmark = pytest.mark.django_db
MAX_EXAMPLES = 3


# The document is built from the URL conf and needs no database, so it loads at collection.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go through the real WSGI handler, whose request signals close a connection
    that is inside a transaction; the test's own transaction would go with it (PostgreSQL).
    Django's test client detaches the same handler for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_headers(admin, incident):
    _, raw = create_token(actor=admin, user=admin, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_it_answers_every_operation_without_5xx_and_as_documented(case, admin_headers):
    case.call_and_validate(
        headers=admin_headers, checks=[not_a_server_error, response_schema_conformance]
    )
