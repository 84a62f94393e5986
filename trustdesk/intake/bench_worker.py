"""The child processes of ``trustdesk bench intake --processes N``.

Spawned children import this module before Django is set up, so it imports nothing from
Django or the apps at module level; each function sets Django up on the scratch database
first.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any


def _setup(env: dict[str, str]) -> None:
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    import django

    django.setup()


def prepare_scratch(
    env: dict[str, str], rows: list[dict[str, Any]], size: int, start: Any, results: Any
) -> None:
    """Migrate the scratch database, measure the raw insert there (rolled back), and make
    the token the posting processes use."""
    try:
        results.put(_prepare_scratch(env, rows, size))
    except Exception as exc:
        results.put(f"{type(exc).__name__}: {exc}")


def _prepare_scratch(
    env: dict[str, str], rows: list[dict[str, Any]], size: int
) -> tuple[str, float]:
    _setup(env)
    from django.core.management import call_command
    from django.db import transaction

    from trustdesk.accounts.models import Role, User
    from trustdesk.accounts.services import create_token
    from trustdesk.intake.bench import _raw_insert, _Rollback

    call_command("migrate", verbosity=0)
    raw_seconds = 0.0
    try:
        with transaction.atomic():
            raw_seconds = _raw_insert(rows, size)
            raise _Rollback
    except _Rollback:
        pass
    user = User.objects.create(username=f"bench-{uuid.uuid4().hex[:8]}", role=Role.INCIDENT_MANAGER)
    _, token = create_token(actor=user, user=user, name="bench")
    return token, raw_seconds


def post_share(
    env: dict[str, str],
    batches: list[list[dict[str, Any]]],
    token: str,
    start: Any,
    results: Any,
) -> None:
    """One web process's share: warm up, wait for the others, post, report the times."""
    try:
        _setup(env)
        from django.test import Client

        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")
        client.get("/api/v1/reports/groups?limit=1")
        start.wait()
        began = time.monotonic()
        timings = []
        for rows in batches:
            body = json.dumps({"reports": rows})
            sent = time.monotonic()
            response = client.post("/api/v1/reports/batch", body, content_type="application/json")
            timings.append(time.monotonic() - sent)
            if response.status_code != 200:
                raise RuntimeError(
                    f"batch refused: {response.status_code} {response.content[:300]!r}"
                )
        results.put((began, time.monotonic(), timings))
    except Exception as exc:
        # Reported to the parent, which raises it; a silent child would hang the run.
        results.put(f"{type(exc).__name__}: {exc}")
        start.abort()


def count_groups(env: dict[str, str], prefix: str, start: Any, results: Any) -> None:
    """How many groups the posted reports ended up in (their external ids share ``prefix``)."""
    try:
        _setup(env)
        from trustdesk.intake.models import Channel, Report

        reports = Report.objects.filter(channel=Channel.API, external_id__startswith=prefix)
        results.put(reports.values("group").distinct().count())
    except Exception as exc:
        results.put(f"{type(exc).__name__}: {exc}")
