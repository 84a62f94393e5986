"""``trustdesk demo``: everything on one machine, for a first look.

Migrates the database (SQLite under TRUSTDESK_DATA_DIR unless DATABASE_URL says otherwise),
seeds the demo data when there are no incidents yet, collects static files, then runs the
web server, a background worker and the scheduler as child processes until Ctrl-C.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from trustdesk.accounts.models import User
from trustdesk.core import demo
from trustdesk.core.staticfiles import collect_static_if_needed
from trustdesk.core.supervisor import Supervisor
from trustdesk.incidents.models import Incident

_READY_TIMEOUT = 60.0


class Command(BaseCommand):
    help = (
        "Run trustdesk on this machine: migrate, seed demo data if there are no incidents, "
        "then serve web + worker + scheduler until Ctrl-C."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = _tcp_address(settings.WEB_BIND[0])
        self._timed("Migrating the database", _migrate)
        existing = Incident.objects.count()
        if existing:
            self.stdout.write(f"Keeping the existing data ({existing} incidents).")
        else:
            self.stdout.write("Seeding demo data (first run)...")
            started = time.monotonic()
            result = demo.seed(progress=True)
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"  {result.incidents} incidents created in {elapsed:.1f}s. Accounts:"
            )
            self.stdout.write(demo.format_accounts(result.accounts))
        self._timed("Collecting static files", collect_static_if_needed)
        _check_free(host, port)
        # The children open their own connections; ours would only hold SQLite locks.
        connections.close_all()
        url = f"http://{_display_host(host)}:{port}"
        code = self._run_children(url)
        if code:
            raise CommandError("trustdesk demo stopped because a process died (see above).")

    def _timed(self, label: str, work: Callable[[], object]) -> None:
        self.stdout.write(f"{label}...", ending="")
        self.stdout.flush()
        started = time.monotonic()
        work()
        self.stdout.write(f" done ({time.monotonic() - started:.1f}s)")

    @property
    def mail_dir(self) -> str:
        """The demo has no mail server: mail goes to files unless one is configured."""
        return os.environ.get("TRUSTDESK_MAIL_DIR") or str(settings.DATA_DIR / "mail")

    def _run_children(self, url: str) -> int:
        python = [sys.executable, "-m", "trustdesk.cli"]
        # This process has run the system checks; each child repeating them costs seconds.
        supervisor = Supervisor(
            {
                "web": [*python, "serve", "--no-collectstatic", "--skip-checks"],
                "worker": [*python, "worker", "--skip-checks"],
                "scheduler": [*python, "scheduler", "--skip-checks"],
            },
            say=self.stdout.write,
            env={
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                "TRUSTDESK_MAIL_DIR": self.mail_dir,
                # Demo accounts have no authenticator app: the second factor is off here.
                "TRUSTDESK_2FA_REQUIRED_ROLES": _DEMO_2FA_ROLES,
            },
        )
        with supervisor.signals_handled():
            supervisor.start()
            try:
                if supervisor.wait_until(lambda: _answers(url), timeout=_READY_TIMEOUT):
                    self._banner(url)
                    return supervisor.wait()
                if supervisor.stop_signal is not None:
                    return 0
                if supervisor.exited() is None:
                    self.stderr.write(f"The web server did not answer within {_READY_TIMEOUT}s.")
                    return 1
                name, status = supervisor.exited() or ("?", 0)
                self.stderr.write(f"{name} exited with status {status} while starting.")
                return 1
            finally:
                supervisor.stop()

    def _banner(self, url: str) -> None:
        db = settings.DATABASES["default"]
        where = db["NAME"] if connection.vendor == "sqlite" else f"{connection.vendor} {db['NAME']}"
        logins = User.objects.filter(username__in=demo.SUGGESTED_LOGINS, is_active=True)
        lines = [
            "",
            self.style.SUCCESS(f"trustdesk is running at {url}"),
            f"  Log in with the password {demo.DEMO_PASSWORD!r} as, for example:",
        ]
        for user in sorted(logins, key=lambda u: demo.SUGGESTED_LOGINS.index(u.username)):
            lines.append(f"    {user.username:<16} {user.get_role_display()}, {user.title}")
        lines += [
            "  Every demo account shares this password.",
            "  The second factor is off in the demo; production requires 2FA for admins and leads.",
            f"  Database: {where}",
            f"  Mail (email notifications) is written to files in {self.mail_dir}",
            "  Processes: web (gunicorn), worker, scheduler. Press Ctrl-C to stop.",
            "",
        ]
        # One write, so the children's log lines do not land in the middle of it.
        self.stdout.write("\n".join(lines))
        self.stdout.flush()


# Off unless the operator asked for it (TRUSTDESK_2FA_REQUIRED_ROLES=admin,lead trustdesk demo).
_DEMO_2FA_ROLES = os.environ.get("TRUSTDESK_2FA_REQUIRED_ROLES") or "none"


def _migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def _tcp_address(bind: str) -> tuple[str, int]:
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or bind.startswith("unix:"):
        raise CommandError(f"TRUSTDESK_BIND must be host:port for the demo, got {bind!r}.")
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 - what an empty host means


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):  # noqa: S104 - listening everywhere; this machine answers
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _check_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise CommandError(
                f"{host}:{port} is already in use (another trustdesk?). Stop it, or choose "
                "another address, e.g. TRUSTDESK_BIND=127.0.0.1:8001."
            ) from None


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/login/", timeout=2):  # noqa: S310 - our own http URL
            return True
    except urllib.error.HTTPError:
        return True  # it answered; an error page shows in the log above
    except OSError:
        return False
