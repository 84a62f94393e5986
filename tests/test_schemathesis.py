"""Property-based API test: schemathesis generates requests from /api/openapi.json and calls
every operation as an administrator (token with every scope). No answer may be a 5xx, and
every answer must match the schema the operation declares.

Kept small (a few examples per operation) so the whole run stays under two minutes.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from trustdesk.accounts.services import create_token

pytestmark = pytest.mark.django_db
MAX_EXAMPLES = 3


# The document is built from the URL conf and needs no database, so it loads at collection.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


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
