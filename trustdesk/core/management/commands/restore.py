from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustdesk.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `trustdesk backup` (refuses a non-empty target)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `backup`")
        parser.add_argument(
            "--force", action="store_true", help="Replace a database or files that hold data"
        )

    def handle(self, *args: Any, archive: Path, force: bool = False, **options: Any) -> None:
        if not archive.is_file():
            raise CommandError(f"{archive}: no such file")
        try:
            result = restore_backup(archive, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the {result.engine} database ({result.migrations} migrations) "
                f"and {result.files} files. Run `trustdesk audit verify` to check the chain."
            )
        )
