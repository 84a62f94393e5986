"""``trustdesk serve``: the production web server, gunicorn in front of ``trustdesk.wsgi``.

gunicorn runs in this process (its Python API), so the command is the server: signals
reach its master directly (SIGTERM stops gracefully, SIGHUP reloads workers).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

from trustdesk.core.staticfiles import collect_static_if_needed


class WebServer(BaseApplication):
    """gunicorn configured from our settings instead of its own command line."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # gunicorn >= 25.1 opens a control socket at one fixed path per user, so a second
        # server on the machine (the demo beside a test run) would take over the first's.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        from trustdesk.wsgi import application

        return application


class Command(BaseCommand):
    help = (
        "Serve the web UI and the API with gunicorn. Defaults come from TRUSTDESK_BIND and "
        "TRUSTDESK_WEB_WORKERS; static files are collected first when they changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            action="append",
            help="host:port or unix:/path to listen on; repeatable (default: TRUSTDESK_BIND, "
            f"now {','.join(settings.WEB_BIND)})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.WEB_WORKERS,
            help="Web worker processes (default: TRUSTDESK_WEB_WORKERS, now %(default)s)",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Serve the static files as they were last collected",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers: int = options["workers"]
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if not options["no_collectstatic"] and collect_static_if_needed():
            self.stdout.write(f"Collected static files into {settings.STATIC_ROOT}")
        # The web workers fork from this process: none of them may inherit its connection.
        connections.close_all()
        WebServer(
            {
                "bind": options["bind"] or settings.WEB_BIND,
                "workers": workers,
                "proc_name": "trustdesk-web",
                "accesslog": "-",
                "errorlog": "-",
                "timeout": 60,
                "graceful_timeout": 20,
            }
        ).run()
