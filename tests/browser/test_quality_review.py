"""A quality review end to end, in a real browser: a lead scores a sampled incident against
the rubric; the incident manager whose work it was finds it on their scorecard."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents import services as incident_services
from trustdesk.quality import services
from trustdesk.quality.models import Program, Review

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture
def rubrics(taxonomy):
    """Transactional tests empty the tables the data migration filled: load the rubrics."""
    from trustdesk.quality.loader import load_rubrics
    from trustdesk.quality.models import Criterion, Rubric, RubricVersion

    load_rubrics(Rubric, RubricVersion, Criterion)


def _closed_last_period(owner, lead):
    """An incident Ivan commanded and closed in the last complete sampling period."""
    from trustdesk.taxonomy.models import Category, Market

    start = services.last_complete_period(timezone.now().date(), 7)
    opened = datetime.combine(start, time(9), tzinfo=UTC) + timedelta(days=1)
    incident = incident_services.create_incident(
        actor=owner,
        title="Blackout challenge resurfacing among teens",
        category=Category.objects.get(code="STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"),
        severity="SEV2",
        markets=Market.objects.filter(code="MX"),
        reported_at=opened,
    )
    incident_services.add_participant(actor=owner, incident=incident, user=owner, role="commander")
    for hours, status in ((1, "triaged"), (2, "investigating"), (6, "resolved"), (8, "closed")):
        incident_services.transition(
            actor=owner, incident=incident, to=status, at=opened + timedelta(hours=hours)
        )
    return incident, start


def test_a_reviewer_scores_a_sampled_incident_and_the_person_sees_it(page, log_in, rubrics):
    lead = UserFactory(username="lars.lead", first_name="Lars", role=Role.LEAD, region="AMS")
    ivan = UserFactory(
        username="ivan.im", first_name="Ivan", role=Role.INCIDENT_MANAGER, region="AMS"
    )
    incident, period = _closed_last_period(ivan, lead)
    Program.objects.create(region="AMS", calibration_share=0)
    services.run_period(region="AMS", period_start=period)
    review = Review.objects.get()
    assert (review.reviewer, review.reviewee, review.incident) == (lead, ivan, incident)

    log_in(lead)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quality").click()
    queue = page.get_by_role("table")
    expect(queue).to_contain_text(incident.ref)
    expect(queue).to_contain_text("Blackout challenge resurfacing among teens")
    queue.get_by_role("link", name="Score").click()

    page.wait_for_url(re.compile(rf"/quality/reviews/{review.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(incident.ref)
    for criterion in review.rubric_version.criteria.all():
        fieldset = page.locator(f"#criterion-{criterion.key}")
        fieldset.locator(".scale-value").get_by_text("4", exact=True).click()
    severity = page.locator("#criterion-severity")
    severity.get_by_label("Comment").fill("Right call at triage; upgrade to SEV1 not needed.")
    severity.get_by_text("Evidence on the timeline").click()
    severity.get_by_text("Status Reported → Triaged").click()
    expect(page.locator("[data-score-preview]")).to_contain_text("Score so far: 75%")
    page.get_by_label("Overall comment").fill("Calm, well-documented handling.")
    page.get_by_role("button", name="Submit review").click()

    expect(page.locator("#flash")).to_contain_text("Review submitted.")
    expect(page.locator(".result-score")).to_have_text("75%")
    review.refresh_from_db()
    assert review.status == "submitted"
    assert len(review.scores.get(criterion__key="severity").evidence) == 1

    page.context.clear_cookies()
    log_in(ivan)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quality").click()
    page.get_by_role("link", name="My scorecard").first.click()
    page.wait_for_url("**/quality/scorecard/")
    reviews = page.get_by_role("table").filter(has_text="Reviewer")
    row = reviews.get_by_role("row").filter(has_text=incident.ref)
    expect(row).to_contain_text("Lars")
    expect(row).to_contain_text("75%")
    expect(row).to_contain_text("Passed")
    expect(page.locator(".kpi").first).to_contain_text("75%")

    row.get_by_role("link", name=incident.ref).click()
    expect(page.get_by_text("Calm, well-documented handling.")).to_be_visible()
    expect(page.get_by_text("Right call at triage; upgrade to SEV1 not needed.")).to_be_visible()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#flash")).to_contain_text("Acknowledged.")
    review.refresh_from_db()
    assert review.status == "acknowledged"
