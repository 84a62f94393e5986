"""The analytics dashboard in a real browser: the charts draw with data from the page, and
clicking a bar opens the incidents behind it. The ``page`` fixture fails the test on any
script error or CSP violation."""

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents.tests.factories import make_incident

pytestmark = pytest.mark.browser

SEVERITY_CANVAS = 'canvas[data-chart="incidents_by_severity"]'

# Where the SEV1 bar of the latest week is, in page pixels, from the chart's own layout.
BAR_CENTRE = """(selector) => {
  const canvas = document.querySelector(selector);
  const chart = window.Chart.getChart(canvas);
  const index = chart.data.datasets.findIndex((d) => d.label.startsWith("SEV1"));
  const bars = chart.getDatasetMeta(index).data;
  const bar = bars[bars.length - 1];
  const box = canvas.getBoundingClientRect();
  return {x: box.left + bar.x, y: box.top + (bar.y + bar.base) / 2};
}"""


def test_the_charts_draw_and_a_bar_opens_its_incidents(page, log_in):
    page.set_default_timeout(20_000)  # the dashboard runs a dozen queries on a shared machine
    lead = UserFactory(username="lena.lead", role=Role.LEAD)
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER)
    make_incident(actor=im, title="Challenge in Mexico", severity="SEV1")
    make_incident(actor=im, title="Challenge in Brazil", severity="SEV1", markets=("BR",))
    make_incident(actor=im, title="Scam wave", severity="SEV3")
    log_in(lead)

    page.goto("/analytics/")
    page.wait_for_function(
        "(s) => window.Chart && window.Chart.getChart(document.querySelector(s))",
        arg=SEVERITY_CANVAS,
    )
    drawn = page.evaluate(
        """() => [...document.querySelectorAll("canvas[data-chart]")].map((canvas) => {
             const chart = window.Chart.getChart(canvas);
             return chart ? chart.data.datasets.reduce(
               (sum, d) => sum + d.data.reduce((a, b) => a + (b || 0), 0), 0) : null;
           })"""
    )
    assert len(drawn) == 8 and None not in drawn
    assert drawn[0] == 3  # incidents by severity: every incident once

    page.locator(SEVERITY_CANVAS).scroll_into_view_if_needed()
    point = page.evaluate(BAR_CENTRE, SEVERITY_CANVAS)
    page.mouse.click(point["x"], point["y"])

    page.wait_for_url("**/incidents/?**severity=SEV1**")
    rows = page.locator("table.queue tbody")
    assert rows.get_by_text("Challenge in Mexico").is_visible()
    assert rows.get_by_text("Challenge in Brazil").is_visible()
    assert rows.get_by_text("Scam wave").count() == 0
