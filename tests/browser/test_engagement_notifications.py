"""An engagement rule, written by a lead in the browser, fires on a new restricted incident:
the stakeholder it names sees it in their notifications and can open the incident; an
outsider cannot."""

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.oncall.models import EngagementMatch
from trustdesk.taxonomy.models import Category

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"


def test_an_engaged_stakeholder_is_notified_and_sees_the_restricted_incident(page, log_in):
    lead = UserFactory(username="lena.lead", role=Role.LEAD, region="EMEA")
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER, region="AMS")
    cleo = UserFactory(username="cleo.cs", role=Role.STAKEHOLDER, first_name="Cleo")
    outsider = UserFactory(username="otto.outsider", role=Role.STAKEHOLDER)

    log_in(lead)
    page.goto("/oncall/rules/new")
    page.get_by_label("Name").fill("Child safety on minors")
    page.get_by_label("Reason").fill("Child Safety owns minor-safety incidents")
    minors = Category.objects.get(code=MINORS)
    page.get_by_label("Categories").select_option(str(minors.pk))
    page.get_by_label("Person").select_option(str(cleo.pk))
    page.get_by_label("Role").select_option("sme")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("cell", name="Child safety on minors")).to_be_visible()
    page.context.clear_cookies()

    incident = make_incident(
        actor=im,
        title="Grooming ring reported by NCMEC",
        category=MINORS,
        severity="SEV1",
        markets=("BR",),
    )
    assert incident.restricted
    assert EngagementMatch.objects.get().engaged == ["cleo.cs"]

    log_in(cleo)
    expect(page.locator("#notify-bell .count")).to_have_text("1")
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_text("Grooming ring reported by NCMEC")).to_be_visible()
    expect(page.get_by_text("Child Safety owns minor-safety incidents")).to_be_visible()
    page.get_by_role("button", name="Open").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    expect(page.get_by_role("heading", name="Grooming ring reported by NCMEC")).to_be_visible()
    expect(page.get_by_text("engagement rule: Child safety on minors").first).to_be_visible()
    page.context.clear_cookies()

    log_in(outsider)
    response = page.goto(f"/incidents/{incident.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("#notify-bell .count")).to_have_count(0)
