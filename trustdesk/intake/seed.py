"""Default intake addresses, seeded by migration and editable in the admin."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DOMAIN = "intake.trustdesk.localhost"
DATA = Path(__file__).resolve().parent / "data" / "regulators.json"


def seed_addresses(address_model: Any) -> None:
    """Takes the model class so a data migration can pass its historical model."""
    senders = json.loads(DATA.read_text("utf-8"))
    defaults = [
        ("reports", "user", {}, "Reports from users and the public"),
        ("internal", "internal", {}, "Escalations from internal teams"),
        ("press", "press", {}, "Press enquiries"),
        ("ngo", "ngo", {}, "NGO partners"),
        ("flaggers", "trusted_flagger", {}, "Trusted flaggers (list their domains to verify)"),
        ("regulators", "regulator", senders["regulator"], "Regulators (listed domains only)"),
        (
            "law-enforcement",
            "law_enforcement",
            senders["law_enforcement"],
            "Law-enforcement requests (listed domains only)",
        ),
    ]
    for local, reporter_type, verified, description in defaults:
        address_model.objects.get_or_create(
            address=f"{local}@{DOMAIN}",
            defaults={
                "reporter_type": reporter_type,
                "verified_senders": verified,
                "description": description,
            },
        )
