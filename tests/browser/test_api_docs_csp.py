"""The Swagger page at /api/docs runs in a real browser under the site's strict CSP.

The ``page`` fixture fails the test on any script error or CSP violation.
"""

import pytest

pytestmark = pytest.mark.browser


def test_the_docs_render_every_operation_under_the_site_csp(page):
    response = page.goto("/api/docs")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=15_000)
    document = page.request.get("/api/openapi.json").json()
    operations = sum(len(methods) for methods in document["paths"].values())
    assert page.locator(".opblock").count() == operations
