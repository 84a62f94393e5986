"""``trustdesk import reports FILE [--mode all-or-nothing|skip-bad-rows] [--errors OUT.csv]``."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from trustdesk.intake.importing import FileRefused, Mode, read_rows, run_import


class Command(BaseCommand):
    help = "Import reports from a CSV or XLSX file (one report per row)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["reports"], help="What to import")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mode", choices=[m.value for m in Mode], default=Mode.ALL_OR_NOTHING.value
        )
        parser.add_argument("--errors", type=Path, help="Also write the row errors to this CSV")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            total = sum(1 for _ in read_rows(data, path.name))
            with tqdm(
                total=total, unit="row", disable=options["no_progress"], file=self.stderr
            ) as bar:
                summary = run_import(
                    data, path.name, mode=Mode(options["mode"]), actor=None, progress=bar.update
                )
        except FileRefused as exc:
            raise CommandError(f"{path}: {exc}") from None
        for error in summary.errors:
            self.stdout.write(f"row {error.row}: {error.field}: {error.message}")
        if options["errors"] and summary.errors:
            with options["errors"].open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["row", "field", "message"])
                writer.writerows((e.row, e.field, e.message) for e in summary.errors)
        if not summary.stored:
            raise CommandError(
                f"nothing stored: {summary.bad_rows} of {summary.rows} rows are wrong "
                "(fix them, or use --mode skip-bad-rows)"
            )
        self.stdout.write(
            f"{summary.created} stored, {summary.duplicates} already received, "
            f"{summary.bad_rows} bad rows skipped, of {summary.rows} rows"
        )
