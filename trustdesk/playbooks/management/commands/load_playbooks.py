"""``manage.py load_playbooks``: the starter playbooks, market profiles and risk calendar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trustdesk.playbooks.seed import load_starter_content


class Command(BaseCommand):
    help = (
        "Load the playbooks, LATAM market profiles and risk events shipped with trustdesk. "
        "Existing ones are kept; --update adds a new version where a shipped playbook changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="Add a new version to shipped playbooks whose text changed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_starter_content(update=options["update"])
        self.stdout.write(
            f"Playbooks: {len(report.playbooks_created)} created, "
            f"{len(report.playbooks_updated)} updated, {len(report.playbooks_kept)} kept."
        )
        self.stdout.write(
            f"Market profiles: {report.profiles.created} created, {report.profiles.kept} kept. "
            f"Risk events: {report.risk_events.created} created, {report.risk_events.kept} kept."
        )
