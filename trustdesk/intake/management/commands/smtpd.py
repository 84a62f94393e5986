"""``trustdesk smtpd``: the SMTP listener that turns mail to intake addresses into reports.

Run it behind your MTA (which does TLS, SPF/DKIM/DMARC and relaying) or on a private port:
``trustdesk smtpd --host 0.0.0.0 --port 2525``.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from django.core.management.base import BaseCommand, CommandParser

from trustdesk.intake import conf
from trustdesk.intake.mail import IntakeSMTPHandler
from trustdesk.intake.models import IntakeAddress


def make_controller(host: str, port: int) -> Controller:
    return Controller(
        IntakeSMTPHandler(),
        hostname=host,
        port=port,
        data_size_limit=conf.max_message_bytes(),
        ident="trustdesk intake",
    )


class Command(BaseCommand):
    help = "Receive escalations by email (aiosmtpd) for the configured intake addresses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)

    def handle(self, *args: Any, **options: Any) -> None:
        addresses = list(
            IntakeAddress.objects.filter(active=True).values_list("address", flat=True)
        )
        controller = make_controller(options["host"], options["port"])
        controller.start()
        listed = ", ".join(addresses) or "none (add some in the admin)"
        self.stdout.write(
            f"trustdesk smtpd listening on {options['host']}:{options['port']} for "
            f"{len(addresses)} address(es): {listed}"
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
            self.stdout.write("trustdesk smtpd stopped")
