"""Shared fixtures: the personas every permission test speaks of.

- ``admin``, ``lead``: see everything;
- ``im`` (incident manager) and ``im2``: see unrestricted incidents and those they are on;
- ``stakeholder``: a Legal team member who sees only what they are engaged on;
- ``outsider``: a stakeholder engaged on nothing;
- ``auditor``: reads, never writes.
"""

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents.tests.factories import make_incident


@pytest.fixture
def admin(db):
    return UserFactory(username="ada.admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def lead(db):
    return UserFactory(username="lena.lead", role=Role.LEAD, region="EMEA")


@pytest.fixture
def im(db):
    return UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER, region="AMS")


@pytest.fixture
def im2(db):
    return UserFactory(username="isla.im", role=Role.INCIDENT_MANAGER, region="APAC")


@pytest.fixture
def stakeholder(db):
    return UserFactory(username="sam.legal", role=Role.STAKEHOLDER)


@pytest.fixture
def outsider(db):
    return UserFactory(username="otto.outsider", role=Role.STAKEHOLDER)


@pytest.fixture
def auditor(db):
    return UserFactory(username="aud.itor", role=Role.AUDITOR)


@pytest.fixture
def incident(im):
    return make_incident(actor=im)


@pytest.fixture
def restricted_incident(im):
    return make_incident(
        actor=im,
        title="Grooming ring escalated by NCMEC",
        category="STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        severity="SEV1",
        markets=("BR",),
    )
