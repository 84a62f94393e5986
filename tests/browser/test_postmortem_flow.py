"""From resolution to a published post-mortem, in a real browser."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents import services as incident_services
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.postmortems.models import PostMortem

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture(autouse=True)
def factors(taxonomy):
    """Transactional tests empty every table afterwards, the factors loaded by migration too."""
    from trustdesk.postmortems.loader import load_factors
    from trustdesk.postmortems.models import ContributingFactor

    load_factors(ContributingFactor)


def _sign_in(page, user):
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/incidents/")


def test_resolving_opens_a_draft_that_is_written_reviewed_and_published(
    page, log_in, chromium, live_server
):
    im = UserFactory(
        username="ivan.im",
        first_name="Ivan",
        last_name="Moreau",
        role=Role.INCIDENT_MANAGER,
        tz="Europe/Amsterdam",
    )
    lead = UserFactory(
        username="lena.lead", first_name="Lena", last_name="Lindqvist", role=Role.LEAD
    )
    incident = make_incident(actor=im, title="Livestreamed attack re-uploaded", severity="SEV1")
    for status in ("triaged", "investigating", "mitigating", "monitoring"):
        incident_services.transition(actor=im, incident=incident, to=status)

    log_in(im)
    page.goto(f"/incidents/{incident.pk}/")
    panel = page.locator("#panel-postmortem")
    expect(panel).to_contain_text("Opens with its facts filled in when the incident is resolved")
    page.locator("#panel-header").get_by_role("button", name="Resolve").click()
    expect(page.locator("#panel-header .chip")).to_have_text("Resolved")
    # The panel reloads by itself once the header says Resolved.
    draft_link = panel.get_by_role("link", name=re.compile(r"^PM-\d+: Post-mortem: Livestreamed"))
    expect(draft_link).to_be_visible()
    draft_link.click()

    page.wait_for_url(re.compile(r"/postmortems/\d+/$"))
    pm = PostMortem.objects.get(incident=incident)
    expect(page.locator("#pm-head")).to_contain_text("Draft")
    expect(page.locator("#panel-facts")).to_contain_text("Time to resolve")
    expect(page.locator("#panel-timeline")).to_contain_text("Status Monitoring → Resolved")

    factors = page.locator("#panel-factors")
    factors.get_by_text("Add a contributing factor").click()
    factors.get_by_label("Factor").select_option(label="Detection gap")
    factors.get_by_label("Note").fill("Re-uploads evaded the first hash")
    factors.get_by_role("button", name="Add factor").click()
    expect(factors.locator(".pm-factors")).to_contain_text("Detection gap")
    expect(page.locator("#flash")).to_contain_text("Contributing factor added: Detection gap.")

    actions = page.locator("#panel-actions")
    actions.get_by_text("Add an action item").click()
    actions.get_by_label("Action").fill("Add perceptual hashing for re-uploads")
    actions.get_by_label("Owner").select_option(label="Ivan Moreau · Incident manager")
    due = (timezone.now() + timedelta(days=14)).date().isoformat()
    actions.get_by_label("Due date").fill(due)
    actions.get_by_label("Addresses factor").select_option(label="Detection gap")
    actions.get_by_role("button", name="Add action item").click()
    expect(actions.locator(".pm-items")).to_contain_text("Add perceptual hashing for re-uploads")
    expect(actions.locator(".pm-completion")).to_contain_text("0 of 1 done")

    review = page.locator("#panel-review")
    review.get_by_label("Reviewers").select_option(label="Lena Lindqvist · Lead")
    review.get_by_role("button", name="Save reviewers").click()
    expect(review.locator(".pm-reviewers")).to_contain_text("Lena Lindqvist")
    review.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#pm-head .pm-status")).to_have_text("In review")
    expect(review).to_contain_text("You wrote this one, so the named reviewers decide.")

    lead_context = chromium.new_context(base_url=live_server.url)
    lead_page = lead_context.new_page()
    _sign_in(lead_page, lead)
    lead_page.goto(f"/postmortems/{pm.pk}/")
    lead_page.locator("#panel-review").get_by_role("button", name="Approve").click()
    expect(lead_page.locator("#pm-head .pm-status")).to_have_text("Approved")
    lead_context.close()

    page.reload()
    page.locator("#panel-review").get_by_role("button", name="Publish").click()
    expect(page.locator("#pm-head .pm-status")).to_have_text("Published")
    expect(page.locator("#panel-review")).to_contain_text("it counts in analytics")
    pm.refresh_from_db()
    assert pm.status == "published"
    assert pm.factor_links.get().factor.code == "detection-gap"
    assert pm.action_items.get().factor == pm.factor_links.get()
