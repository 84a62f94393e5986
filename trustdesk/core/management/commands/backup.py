from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustdesk.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and evidence files to a .tar.gz with a SHA-256 manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="Where to write the archive (.tar.gz)")

    def handle(self, *args: Any, out: Path, **options: Any) -> None:
        try:
            manifest = create_backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {manifest['engine']} database and "
                f"{len(manifest['files']) - 1} files to {out}"
            )
        )
