import pytest
from django.test import Client

from trustdesk.accounts.services import create_token


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Evidence files go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def api(im):
    """A client speaking to the API with the incident manager's bearer token."""
    _, raw = create_token(actor=im, user=im, name="detection bridge")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def auditor_api(auditor):
    _, raw = create_token(actor=auditor, user=auditor, name="read only")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def committed_taxonomy(transactional_db):
    """Transactional tests empty every table afterwards, the migration-loaded rows included;
    load them again for the test that needs a real commit (another thread reads the data)."""
    from trustdesk.intake.models import IntakeAddress
    from trustdesk.intake.seed import seed_addresses
    from trustdesk.taxonomy.loader import load_taxonomy
    from trustdesk.taxonomy.models import Category, Keyword, Market

    load_taxonomy(Category, Keyword, Market)
    seed_addresses(IntakeAddress)
