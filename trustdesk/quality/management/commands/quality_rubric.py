"""Publish a new version of a quality rubric from a JSON file, or show the current ones.

    manage.py quality_rubric show
    manage.py quality_rubric publish incident-handling rubric.json --note "Why it changed"

The file holds ``{"pass_mark": 70, "criteria": [...]}`` in the shape of
``trustdesk/quality/data/rubrics.json``. Earlier versions stay as they were.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustdesk.lib.errors import DomainError
from trustdesk.quality.models import Rubric
from trustdesk.quality.services import publish_version


class Command(BaseCommand):
    help = "Show quality rubrics, or publish a new version of one from a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show")
        publish = sub.add_parser("publish")
        publish.add_argument("rubric", help="The rubric's slug")
        publish.add_argument("file", type=Path)
        publish.add_argument("--note", required=True, help="What changed and why")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            for rubric in Rubric.objects.all():
                version = rubric.current
                keys = ", ".join(c.key for c in version.criteria.all()) if version else "-"
                number = version.number if version else "-"
                self.stdout.write(f"{rubric.slug} v{number}: {keys}")
            return
        found = Rubric.objects.filter(slug=options["rubric"]).first()
        if found is None:
            raise CommandError(f"No rubric {options['rubric']!r}; see `quality_rubric show`.")
        try:
            data = json.loads(options["file"].read_text(encoding="utf-8"))
            version = publish_version(
                actor=None,
                rubric=found,
                criteria=data["criteria"],
                pass_mark=data.get("pass_mark", 70),
                note=options["note"],
            )
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"published {found.slug} v{version.number}")
