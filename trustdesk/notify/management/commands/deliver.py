"""``trustdesk deliver``: a dedicated outbox loop, for sites that want mail out in seconds
rather than at the scheduler's minute. Run as many as you like: rows are claimed atomically."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trustdesk.notify import outbox


class Command(BaseCommand):
    help = "Deliver pending notifications (email, webhooks) from the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between passes.")
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            counts = outbox.deliver_pending(limit=options["limit"])
            if any(counts.values()):
                self.stdout.write(
                    f"sent {counts['sent']}, failed {counts['failed']}, skipped {counts['skipped']}"
                )
            if options["once"]:
                return
            time.sleep(options["interval"])
