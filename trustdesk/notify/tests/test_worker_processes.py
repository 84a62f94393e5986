"""Real worker processes against a real SMTP server: one is killed (SIGKILL) in the middle
of a delivery, others take over, two run in parallel; every mail arrives exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

from .conftest import _free_port

ROOT = Path(__file__).resolve().parents[3]
PEOPLE = 12
SETUP = f"""
from trustdesk.accounts.models import User
from trustdesk.notify.services import notify
people = [User.objects.create(username="slow", email="slow@example.org")]
people += [User.objects.create(username=f"p{{n}}", email=f"p{{n}}@example.org")
           for n in range({PEOPLE - 1})]
notify(recipients=people, event_key="incident.1.created", subject="Opened")
notify(recipients=people, event_key="incident.1.sev1", subject="Now SEV1")
"""


class SlowInbox:
    """Holds the first RCPT for slow@ until released, so a worker can be killed mid-send."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "slow@example.org" and not self.stalled.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        subject = next(
            line for line in envelope.content.decode().splitlines() if line.startswith("Subject")
        )
        self.received.extend(f"{to} {subject}" for to in envelope.rcpt_tos)
        return "250 OK"


def _manage(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _statuses(db: Path) -> Counter[str]:
    with sqlite3.connect(db) as conn:
        return Counter(row[0] for row in conn.execute("SELECT status FROM notify_delivery"))


def test_killed_and_parallel_workers_deliver_each_mail_exactly_once(tmp_path) -> None:
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    db = tmp_path / "workers.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trustdesk.notify.tests.worker_settings",
        "TRUSTDESK_WORKER_TEST_DB": str(db),
        "TRUSTDESK_SMTP_HOST": "127.0.0.1",
        "TRUSTDESK_SMTP_PORT": str(controller.port),
    }
    workers: list[subprocess.Popen[bytes]] = []
    try:
        assert _manage(env, "migrate", "-v0").wait(120) == 0
        assert _manage(env, "shell", "-c", SETUP).wait(60) == 0
        assert _statuses(db) == {"pending": 2 * PEOPLE}

        doomed = _manage(env, "deliver", "--interval", "0.1", "--limit", "1")
        assert inbox.stalled.wait(30), "the first worker never reached the SMTP server"
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(10)
        assert _statuses(db)["sending"] == 1  # its row is stuck until the lease runs out

        workers = [_manage(env, "deliver", "--interval", "0.1", "--limit", "3") for _ in "ab"]
        inbox.release.set()
        deadline = time.monotonic() + 60
        while _statuses(db) != {"sent": 2 * PEOPLE} and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(10)
        controller.stop()

    assert _statuses(db) == {"sent": 2 * PEOPLE}
    counts = Counter(inbox.received)
    assert len(counts) == 2 * PEOPLE
    assert set(counts.values()) == {1}, [k for k, v in counts.items() if v > 1]
    with sqlite3.connect(db) as conn:
        [(attempts,)] = conn.execute(
            "SELECT attempts FROM notify_delivery d JOIN accounts_user u ON u.id = d.recipient_id "
            "WHERE u.username = 'slow' AND d.event_key = 'incident.1.created'"
        )
    assert attempts == 2  # the killed try, then the one that took over
