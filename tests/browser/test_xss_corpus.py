"""An XSS corpus in every free-text field renders inert in a real browser.

Each field gets its own payload (script tags, event handlers, javascript: links in Markdown,
SVG), created through the services as a user would. Every page that shows them is then
opened in Chromium: a dialog (``alert``) fails the test, no element may carry an ``on*``
attribute or a ``javascript:`` link from a payload, and plain-text fields must show the
payload as text.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents import services as incidents
from trustdesk.incidents.tests.factories import make_incident

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    '"><svg/onload=alert(4)>',
    "'><img src=x onerror=alert(5)>",
    "<iframe src=javascript:alert(6)></iframe>",
    "<a href=javascript:alert(7)>click</a>",
    "<details open ontoggle=alert(8)>",
    "<body onload=alert(9)>",
    "{{7*7}}<math><mtext><table><mglyph><style><img src=x onerror=alert(10)>",
]
MARKDOWN_PAYLOADS = [
    "[click me](javascript:alert(11))",
    "![x](javascript:alert(12))",
    "<img src=x onerror=alert(13)>",
    "[svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMTQpPg==)",
]

# Reports what a page would run: inline handlers, javascript: URLs, scripts with alert().
FIND_ACTIVE = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = attr.value.toLowerCase();
      if (name.startsWith('on') && value.includes('alert')) found.push(el.tagName + ' ' + name);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name)
          && value.replace(/\\s/g, '').startsWith('javascript:')) {
        found.push(el.tagName + ' ' + name);
      }
    }
    if (el.tagName === 'SCRIPT' && el.textContent.includes('alert(')) found.push('SCRIPT');
  }
  return found;
}"""


def _payload(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


@pytest.fixture
def corpus(taxonomy):
    """One of everything with a free-text field, each field carrying a payload."""
    from trustdesk.intake.services import open_incident_from_group
    from trustdesk.intake.tests.factories import make_report
    from trustdesk.oncall.updates import send_update
    from trustdesk.playbooks import editing
    from trustdesk.postmortems.services import drafting
    from trustdesk.quality.services.coaching import add_note as add_coaching_note
    from trustdesk.regulatory import regimes
    from trustdesk.regulatory.models import Authority, Jurisdiction, Rule, RuleVersion
    from trustdesk.regulatory.tests.factories import make_request

    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER, region="AMS")
    incident = make_incident(actor=im, title=_payload(0), summary=_payload(1))
    incidents.add_note(actor=im, incident=incident, text=_payload(2))
    incidents.create_task(actor=im, incident=incident, title=_payload(3))
    send_update(
        actor=im, incident=incident, audience="internal", subject=_payload(4), body=_payload(5)
    )
    report = make_report(
        title=_payload(6), text=_payload(7), reporter_name=_payload(8), reporter_contact="x@y.z"
    )
    regimes.load_pack(regimes.Models(Jurisdiction, Authority, Rule, RuleVersion))
    request = make_request(
        actor=im, title=_payload(9), summary=_payload(0), reference=_payload(1)[:100]
    )
    pm = drafting.create_draft(actor=im, incident=incident, reasons=["severity"])
    drafting.update(
        actor=im,
        postmortem=pm,
        title=_payload(2),
        summary=MARKDOWN_PAYLOADS[0],
        went_well=MARKDOWN_PAYLOADS[1],
        went_poorly=MARKDOWN_PAYLOADS[2],
        root_cause=MARKDOWN_PAYLOADS[3],
        lessons=_payload(3),
    )
    reported = open_incident_from_group(actor=im, group=report.group, title=_payload(5))
    admin = UserFactory(username="ada.admin", role=Role.ADMIN)
    add_coaching_note(actor=admin, person=im, text=_payload(6))
    playbook = editing.save_version(
        actor=admin,
        draft=editing.Draft(
            title=_payload(7),
            summary=_payload(8),
            steps=[
                editing.StepDraft(
                    title=_payload(9), role="commander", offset_minutes=0, body=_payload(1)
                )
            ],
        ),
    ).playbook
    return {
        "user": im,
        "pages": {
            f"/incidents/{incident.pk}/": [_payload(0), _payload(1), _payload(2), _payload(3)],
            "/incidents/": [_payload(0)],
            f"/oncall/incidents/{incident.pk}/updates": [_payload(4)],
            f"/triage/groups/{report.group_id}/": [_payload(7)],
            f"/incidents/{reported.pk}/": [_payload(5)],
            f"/regulatory/{request.pk}/": [_payload(9), _payload(0)],
            "/regulatory/": [_payload(9)],
            f"/postmortems/{pm.pk}/": [_payload(2), _payload(3)],
            "/postmortems/": [_payload(2)],
            "/notifications/": [],
            "/quality/scorecard/": [_payload(6)],
            f"/playbooks/{playbook.pk}/": [_payload(7), _payload(9)],
            "/playbooks/": [_payload(7)],
        },
    }


def _log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_every_payload_renders_as_inert_text(page, live_server, corpus):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _log_in(page, live_server, corpus["user"])
    for url, visible in corpus["pages"].items():
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("load")
        assert page.evaluate(FIND_ACTIVE) == [], url
        text = page.inner_text("body")
        for payload in visible:
            assert payload in text, f"{payload!r} not shown as text on {url}"
    assert dialogs == []
