"""``trustdesk bench intake [--reports N] [--batch 1000] [--unique-share 0.5]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustdesk.intake import bench


class Command(BaseCommand):
    help = (
        "Measure intake throughput on the current database (everything is rolled back). "
        "Usage: bench intake [--reports N] [--batch 1000] [--unique-share 0.5]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["intake"], help="What to measure")
        parser.add_argument("--reports", type=int, default=20_000)
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument(
            "--unique-share",
            type=float,
            default=0.5,
            help="Share of reports about something new (the rest repeat or paraphrase)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["batch"] <= 1000:
            raise CommandError("--batch must be between 1 and 1000 (the API's limit).")
        if options["reports"] < options["batch"]:
            raise CommandError("--reports must be at least one batch.")
        if not 0.0 <= options["unique_share"] <= 1.0:
            raise CommandError("--unique-share is a fraction between 0 and 1.")
        result = bench.run(
            reports=options["reports"],
            batch=options["batch"],
            unique_share=options["unique_share"],
            progress=lambda text: self.stderr.write(text),
        )
        for line in result.lines():
            self.stdout.write(line)
