import pytest

from trustdesk.postmortems.tests.factories import make_postmortem, resolve


@pytest.fixture
def pm(im):
    """A SEV1 incident resolved by ``im``: its draft post-mortem, written by ``im``."""
    return make_postmortem(actor=im)


@pytest.fixture
def restricted_pm(im, restricted_incident):
    """The restricted (child-safety) SEV1 incident, resolved: ``im`` is on its list."""
    resolve(restricted_incident, actor=im)
    return restricted_incident.postmortem
