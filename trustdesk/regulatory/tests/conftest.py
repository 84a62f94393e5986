import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence files go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ams_lead(db):
    return UserFactory(username="amy.amslead", role=Role.LEAD, region="AMS")


@pytest.fixture
def apac_lead(db):
    return UserFactory(username="pat.apaclead", role=Role.LEAD, region="APAC")
