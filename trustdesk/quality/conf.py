"""Quality settings that are not a region's programme (those live in ``Program``)."""

from __future__ import annotations

import hashlib

from django.conf import settings

from trustdesk.lib.env import env_str


def seed_salt() -> str:
    """Mixed into every sampling seed so nobody can predict which of their work will be
    drawn. The seed itself is stored with each sample, so a draw stays reproducible even if
    the salt later changes. Defaults to a value derived from the secret key."""
    configured = getattr(settings, "QUALITY_SEED_SALT", None) or env_str(
        "TRUSTDESK_QUALITY_SEED_SALT"
    )
    if configured:
        return str(configured)
    return hashlib.sha256(f"quality-sampling:{settings.SECRET_KEY}".encode()).hexdigest()
