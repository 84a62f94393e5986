"""``trustdesk seed_demo``: the demo accounts and three months of incidents."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustdesk.core import demo
from trustdesk.incidents.models import Incident


class Command(BaseCommand):
    help = (
        "Create the demo accounts (shared public password) and about 50 realistic incidents "
        "from the last 90 days. Refuses when incidents exist, unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add the demo incidents even though the database already has incidents",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help="Random seed: the same seed gives the same data (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        existing = Incident.objects.count()
        if existing and not options["force"]:
            raise CommandError(
                f"The database already has {existing} incidents; demo data belongs in an empty "
                "one. Use --force to add the demo incidents anyway."
            )
        started = time.monotonic()
        result = demo.seed(rng_seed=options["seed"], progress=options["verbosity"] > 0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.incidents} demo incidents in "
                f"{time.monotonic() - started:.1f}s. Demo accounts:"
            )
        )
        self.stdout.write(demo.format_accounts(result.accounts))
