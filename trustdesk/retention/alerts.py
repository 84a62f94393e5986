"""Alerting administrators when the nightly audit verification finds a broken chain."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from trustdesk.accounts.models import Role, User
from trustdesk.audit.services import VerifyResult
from trustdesk.notify.services import notify


def alert_broken_chain(result: VerifyResult) -> None:
    """Notify every active administrator (in-app and by email), once per broken link: the
    event key names the link, so the next nightly run does not repeat the alert."""
    with transaction.atomic():
        notify(
            recipients=User.objects.filter(role=Role.ADMIN, is_active=True),
            event_key=f"audit-chain-broken-{result.broken_at}",
            subject=f"Audit log chain broken at event #{result.broken_at}",
            body=(
                f"The nightly verification found that {result.reason} at audit event "
                f"#{result.broken_at} ({result.checked} events verified before it). Someone "
                "may have edited or removed audit rows: preserve the database as it is and "
                "investigate before restoring from a backup."
            ),
            link=reverse("audit:search"),
            urgent=True,
        )
