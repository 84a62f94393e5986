from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trustdesk.retention.purge import run_purge


class Command(BaseCommand):
    help = "Delete data past its retention policy, except what a legal hold or duty keeps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be deleted; delete nothing"
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        run = run_purge(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        for data_class, count in sorted(run.deleted.items()):
            kept = run.kept.get(data_class, 0)
            self.stdout.write(f"{verb} {count} {data_class} (kept by a hold or duty: {kept})")
        self.stdout.write(self.style.SUCCESS(f"Purge run #{run.pk}: {run.get_status_display()}"))
