from datetime import UTC, datetime

import pytest
import time_machine

from trustdesk.incidents import services as incidents
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.intake.services import open_incident_from_group
from trustdesk.intake.tests.factories import make_report, png_attachment

LONG_AGO = datetime(2019, 3, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def old_declined(im):
    """An incident declined long ago, with one report carrying a screenshot."""
    with time_machine.travel(LONG_AGO, tick=False):
        report = make_report(attachments=(png_attachment(),))
        incident = open_incident_from_group(actor=im, group=report.group, title="Old one")
        incidents.transition(actor=im, incident=incident, to="declined", reason="Not abuse")
    return incident


@pytest.fixture
def old_open(im):
    with time_machine.travel(LONG_AGO, tick=False):
        return make_incident(actor=im, title="Still running")


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW
