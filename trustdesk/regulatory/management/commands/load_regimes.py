from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from trustdesk.regulatory import regimes
from trustdesk.regulatory.models import Authority, Jurisdiction, Rule, RuleVersion


class Command(BaseCommand):
    help = (
        "Load the regime pack (trustdesk/regulatory/data/regimes/*.toml). Changed rules get a "
        "new version; requests keep the version they were computed with. Nothing is deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Only read and check the pack files"
        )
        parser.add_argument(
            "--overwrite-local",
            action="store_true",
            help="Replace rules an administrator edited with the pack's text (as a new version)",
        )
        parser.add_argument("--dir", help="Read another directory of pack files")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"]) if options["dir"] else regimes.PACK_DIR
        try:
            pack = regimes.read_pack(directory)
        except regimes.PackError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{len(pack.jurisdictions)} jurisdictions, {len(pack.authorities)} authorities, "
            f"{len(pack.rules)} rules read from {directory}"
        )
        if options["check"]:
            return
        models = regimes.Models(Jurisdiction, Authority, Rule, RuleVersion)
        with transaction.atomic():
            report = regimes.load_pack(models, pack, overwrite_local=options["overwrite_local"])
        self.stdout.write(
            f"created {len(report.created)}, updated {len(report.updated)}, "
            f"unchanged {len(report.unchanged)}, kept local edits {len(report.kept_local)}"
        )
        for code in report.updated:
            self.stdout.write(f"  new version: {code}")
        for code in report.kept_local:
            self.stdout.write(
                self.style.WARNING(
                    f"  kept the administrator's edit of {code}; the pack differs "
                    "(--overwrite-local to replace it)"
                )
            )
