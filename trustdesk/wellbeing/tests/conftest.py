import pytest
from django.test import Client

from trustdesk.accounts.models import Membership, Team, TeamKind
from trustdesk.accounts.services import create_token


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def api_for():
    def client_for(user):
        _, raw = create_token(actor=user, user=user, name="wellbeing test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return client_for


@pytest.fixture
def ams_team(im, lead):
    """The AMS incident-management team: ``lead`` leads it, ``im`` is a member."""
    team = Team.objects.create(
        slug="ims-ams", name="IMs AMS", kind=TeamKind.INCIDENT_MANAGEMENT, region="AMS"
    )
    Membership.objects.create(team=team, user=lead, is_lead=True)
    Membership.objects.create(team=team, user=im)
    return team
