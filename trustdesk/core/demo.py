"""Demo data: fictional people and teams, and three months of incidents.

Everything is created through the incident services, so the timelines, the audit chain and
the visibility rules are the real thing, not fixtures. The services stamp notes,
participants and tasks with ``timezone.now()``; to replay history, every step runs under a
clock set to the moment it happened (``_clock``), and steps of all incidents run in time
order, so incident numbers and the audit log read chronologically.

Stories and people live in ``data/demo_*.json``. A seeded ``random.Random`` picks who does
what and when, so the same seed gives the same data (relative to "now").
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from trustdesk.accounts.models import Membership, Role, Team, User
from trustdesk.core import demo_desk
from trustdesk.incidents import services
from trustdesk.incidents.lifecycle import OPEN_STATUSES, Status
from trustdesk.incidents.models import (
    Incident,
    IncidentAccess,
    ParticipantRole,
    Task,
    TaskStatus,
)
from trustdesk.taxonomy.models import Category, Keyword, Market
from trustdesk.taxonomy.severity import Severity

DEMO_PASSWORD = "trustdesk-demo"  # noqa: S105 - public on purpose: printed by `trustdesk demo`
DEFAULT_SEED = 2026
# One account per role, for the "log in as" hint.
SUGGESTED_LOGINS = ["admin", "siobhan.kelly", "lucas.almeida", "rafael.souza", "tomas.novak"]
_DATA_DIR = Path(__file__).resolve().parent / "data"

# Follow the sun: when a region's day ends, the next one west takes over.
_NEXT_REGION = {"AMS": "APAC", "APAC": "EMEA", "EMEA": "AMS"}

_ENGAGEMENT: dict[str, tuple[ParticipantRole, str]] = {
    "legal": (ParticipantRole.LEGAL, "legal review"),
    "public-policy": (ParticipantRole.POLICY, "policy call and regulator contact"),
    "comms": (ParticipantRole.LIAISON, "press and public statements"),
    "product": (ParticipantRole.SME, "product mitigation"),
    "engineering": (ParticipantRole.SME, "tooling and matching changes"),
    "ler": (ParticipantRole.LIAISON, "law-enforcement liaison"),
    "child-safety": (ParticipantRole.SME, "child-safety specialist review"),
}

_TEAM_NOTES = {
    "legal": "Legal review done: scope and deadline confirmed. Keep a record of every action "
    "for the response.",
    "public-policy": "Policy call: enforce under the current policy; borderline items stay up "
    "with a label.",
    "comms": "Comms: holding statement approved; press enquiries get it verbatim.",
    "product": "Product: the mitigation ships behind a flag today; metrics watched for 48 hours.",
    "engineering": "Engineering: matching rules deployed; false positives sampled hourly.",
    "ler": "LER: data preserved for 90 days; police requests go through the LER queue.",
    "child-safety": "Child Safety: specialist review done in the secure tool; reports filed "
    "where required.",
}

_RESPONDER_NOTES = (
    "Volume check: {n} reports in the last hour, most from {market}.",
    "Sampled 50 items from the cluster: {pct}% violating, the rest borderline or counter-speech.",
    "Checked for spread beyond {market}: nothing matching elsewhere so far.",
    "Status update sent to the stakeholders; next check-in in two hours.",
    "Reviewer wellbeing: the queue is split across two pods, with breaks after every 45 minutes "
    "of exposure.",
    "Handover notes brought up to date for the next shift.",
)

# Minutes from the previous step to each status, by severity where it matters.
_ACK_MINUTES = {
    Severity.SEV1: (3, 15),
    Severity.SEV2: (15, 90),
    Severity.SEV3: (60, 360),
    Severity.SEV4: (180, 900),
}
_STEP_MINUTES = {
    Status.MONITORING: (60, 720),
    Status.RESOLVED: (360, 4320),
    Status.CLOSED: (1440, 11520),
    Status.DECLINED: (30, 480),
    Status.MERGED: (20, 240),
}
_MAX_AGE = timedelta(days=89)
# Not really worked as incidents: a couple of notes each, not a full timeline.
_SHORT_LIVED = {Status.REPORTED, Status.DECLINED, Status.MERGED}


@dataclass
class SeedResult:
    accounts: list[User]
    incidents: int


def seed(
    *, now: datetime | None = None, rng_seed: int = DEFAULT_SEED, progress: bool = False
) -> SeedResult:
    """Create (or refresh) the demo accounts and add the demo incidents, all or nothing."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    with transaction.atomic():
        people = _create_people(_read("demo_people.json"))
        _load_starter_content()
        planner = _Planner(rng=random.Random(rng_seed), now=now, people=people)
        for story in _read("demo_incidents.json")["incidents"]:
            planner.plan(story)
        steps = sorted(planner.steps, key=lambda step: (step.at, step.order))
        # tqdm's disable=None means: show the bar only on a terminal.
        bar = tqdm(
            steps, desc="Seeding demo data", unit=" steps", disable=None if progress else True
        )
        for step in bar:
            with _clock(step.at):
                step.run()
        demo_desk.seed_requests(now=now)
        demo_desk.seed_reports(now=now)
        demo_desk.seed_decisions(now=now)
    return SeedResult(accounts=people.accounts, incidents=len(planner.stories))


def _load_starter_content() -> None:
    """Playbooks, LATAM market profiles and the risk calendar, before the incidents, so the
    demo's open incidents get their checklists the way real ones would."""
    from trustdesk.playbooks.seed import load_starter_content

    load_starter_content()


def format_accounts(accounts: list[User]) -> str:
    """The demo accounts as a table a newcomer can pick a login from."""
    order = [Role.ADMIN, Role.LEAD, Role.INCIDENT_MANAGER, Role.STAKEHOLDER, Role.AUDITOR]
    rows = sorted(accounts, key=lambda u: (order.index(Role(u.role)), u.region, u.username))
    lines = [f"  {'username':<18} {'role':<17} {'name':<18} {'time zone':<20} title"]
    for user in rows:
        lines.append(
            f"  {user.username:<18} {user.get_role_display():<17} {user.display_name:<18} "
            f"{user.tz:<20} {user.title}"
        )
    lines.append(f"  Every demo account's password is: {DEMO_PASSWORD}")
    return "\n".join(lines)


def _read(name: str) -> dict[str, Any]:
    with (_DATA_DIR / name).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@contextmanager
def _clock(at: datetime) -> Iterator[None]:
    with mock.patch.object(timezone, "now", return_value=at):
        yield


@dataclass
class _People:
    accounts: list[User]
    ims: dict[str, list[User]]
    teams: dict[str, list[User]]


def _create_people(data: dict[str, Any]) -> _People:
    # One Argon2 hash serves every account: hashing it 26 times would cost seconds, and the
    # password is the same public demo password anyway.
    password = make_password(DEMO_PASSWORD)
    teams = {}
    for row in data["teams"]:
        teams[row["slug"]], _ = Team.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "region": row["region"],
                "email": f"{row['slug']}@example.org",
            },
        )
    people = _People(accounts=[], ims={}, teams={slug: [] for slug in teams})
    for row in data["accounts"]:
        user, _ = User.objects.update_or_create(
            username=row["username"],
            defaults={
                "first_name": row["first"],
                "last_name": row["last"],
                "email": f"{row['username']}@example.org",
                "role": row["role"],
                "region": row["region"],
                "tz": row["tz"],
                "title": row["title"],
                "is_active": True,
                "is_staff": row["role"] == Role.ADMIN,
                "is_superuser": row["role"] == Role.ADMIN,
                "password": password,
            },
        )
        people.accounts.append(user)
        if user.role == Role.INCIDENT_MANAGER:
            people.ims.setdefault(user.region, []).append(user)
        for slug in row["teams"]:
            Membership.objects.update_or_create(
                team=teams[slug], user=user, defaults={"is_lead": user.role == Role.LEAD}
            )
            people.teams[slug].append(user)
    return people


@dataclass
class _Step:
    at: datetime
    order: int
    run: Callable[[], Any]


@dataclass
class _Live:
    """One incident being replayed. Steps are planned before it exists, so they hold this."""

    incident: Incident | None = None
    tasks: dict[int, Task] = field(default_factory=dict)

    def require(self) -> Incident:
        assert self.incident is not None, "a step ran before the incident was created"
        return self.incident


@dataclass
class _Cast:
    reporter: User
    commander: User | None
    scribe: User | None
    engaged: list[tuple[str, User]]
    handover: tuple[datetime, User] | None = None

    def lead_at(self, at: datetime) -> User:
        """Whoever runs the incident at that moment."""
        if self.handover is not None and at >= self.handover[0]:
            return self.handover[1]
        return self.commander or self.reporter


class _Planner:
    def __init__(self, *, rng: random.Random, now: datetime, people: _People) -> None:
        self.rng = rng
        self.now = now
        self.people = people
        self.steps: list[_Step] = []
        self.stories: list[_Live] = []
        self._order = itertools.count()
        self._by_key: dict[str, tuple[_Live, datetime]] = {}
        self._markets = {m.code: m for m in Market.objects.all()}
        self._categories = {c.code: c for c in Category.objects.all()}
        self._keywords = {k.code: k for k in Keyword.objects.all()}

    def _add(self, at: datetime, run: Callable[[], Any]) -> None:
        self.steps.append(_Step(at, next(self._order), run))

    def _minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))

    def plan(self, story: dict[str, Any]) -> None:
        live = _Live()
        self.stories.append(live)
        severity = Severity(story["severity"])
        final = Status(story["status"])
        path = self._path(final, severity)
        stamps = self._stamps(story, path, severity, final)
        reported_at = stamps.pop(Status.REPORTED)
        if "key" in story:
            self._by_key[story["key"]] = (live, reported_at)
        cast = self._cast(story, path, stamps)
        end = self._end(final, stamps)
        detected_at = reported_at - self._minutes(10, 12 * 60)
        self._add(
            reported_at,
            partial(self._create, live, story, cast.reporter, reported_at, detected_at),
        )
        self._plan_transitions(live, story, path, stamps, cast)
        start = stamps.get(Status.TRIAGED, reported_at) + timedelta(minutes=2)
        engaged_at = self._plan_people(live, story, cast, start, end)
        # Notes and tasks come from people already engaged (a task's owner must see it).
        worked_from = min(max(start, engaged_at) + timedelta(minutes=1), end)
        self._plan_notes(live, story, cast, worked_from, end)
        self._plan_tasks(live, story, cast, worked_from, end, final)

    def _path(self, final: Status, severity: Severity) -> list[Status]:
        """The statuses an incident went through after ``reported`` to reach ``final``."""
        if final in OPEN_STATUSES:
            return list(OPEN_STATUSES[1 : OPEN_STATUSES.index(final) + 1])
        if final == Status.DECLINED:
            return [Status.DECLINED] if self.rng.random() < 0.5 else [Status.TRIAGED, final]
        if final == Status.MERGED:
            return [Status.TRIAGED, Status.MERGED]
        path = [Status.TRIAGED, Status.INVESTIGATING]
        if severity in (Severity.SEV1, Severity.SEV2) or self.rng.random() < 0.6:
            path.append(Status.MITIGATING)
            if self.rng.random() < 0.7:
                path.append(Status.MONITORING)
        path.append(Status.RESOLVED)
        if final == Status.CLOSED:
            path.append(Status.CLOSED)
        return path

    def _step_minutes(self, status: Status, severity: Severity) -> timedelta:
        if status == Status.TRIAGED:
            return self._minutes(*_ACK_MINUTES[severity])
        if status == Status.INVESTIGATING:
            return self._minutes(5, 30) if severity == Severity.SEV1 else self._minutes(15, 180)
        if status == Status.MITIGATING:
            low_high = {Severity.SEV1: (20, 180), Severity.SEV2: (60, 480)}
            return self._minutes(*low_high.get(severity, (120, 1440)))
        return self._minutes(*_STEP_MINUTES[status])

    def _stamps(
        self, story: dict[str, Any], path: list[Status], severity: Severity, final: Status
    ) -> dict[Status, datetime]:
        durations = [self._step_minutes(status, severity) for status in path]
        total = sum(durations, timedelta())
        latest = self.now - total - timedelta(minutes=20)
        if final in OPEN_STATUSES:
            reported_at = latest - self._minutes(0, 36 * 60)
        elif final == Status.RESOLVED:
            reported_at = latest - self._minutes(40, 7 * 24 * 60)
        elif "merge_into" in story:
            target_reported_at = self._by_key[story["merge_into"]][1]
            reported_at = min(target_reported_at + self._minutes(30, 600), latest)
        else:
            oldest = self.now - _MAX_AGE
            reported_at = (
                oldest + (latest - oldest) * self.rng.random() if latest > oldest else latest
            )
        stamps = {Status.REPORTED: reported_at}
        at = reported_at
        for status, duration in zip(path, durations, strict=True):
            at += duration
            stamps[status] = at
        return stamps

    def _end(self, final: Status, stamps: dict[Status, datetime]) -> datetime:
        """Until when the incident was worked: notes and tasks happen before this."""
        for status in (Status.RESOLVED, Status.DECLINED, Status.MERGED):
            if status in stamps:
                return stamps[status] - timedelta(minutes=1)
        return self.now - timedelta(minutes=2)

    def _cast(
        self, story: dict[str, Any], path: list[Status], stamps: dict[Status, datetime]
    ) -> _Cast:
        region = self._markets[story["markets"][0]].region
        ims = self.people.ims[region]
        reporter = self.rng.choice(ims)
        if Status.TRIAGED not in path:
            return _Cast(reporter=reporter, commander=None, scribe=None, engaged=[])
        commander = self.rng.choice(ims)
        scribe = None
        if story["severity"] in (Severity.SEV1, Severity.SEV2) or self.rng.random() < 0.4:
            scribe = self.rng.choice([u for u in ims if u != commander])
        engaged = [(slug, self.rng.choice(self.people.teams[slug])) for slug in story["engage"]]
        cast = _Cast(reporter, commander, scribe, engaged)
        worked_until = self._end(Status(story["status"]), stamps)
        if story["severity"] == Severity.SEV1 and worked_until - stamps[Status.TRIAGED] > timedelta(
            hours=10
        ):
            next_ims = self.people.ims[_NEXT_REGION[region]]
            at = stamps[Status.TRIAGED] + self._minutes(6 * 60, 9 * 60)
            cast.handover = (at, self.rng.choice(next_ims))
        return cast

    def _plan_transitions(
        self,
        live: _Live,
        story: dict[str, Any],
        path: list[Status],
        stamps: dict[Status, datetime],
        cast: _Cast,
    ) -> None:
        for status in path:
            at = stamps[status]
            actor = cast.lead_at(at) if status != Status.TRIAGED else cast.commander
            self._add(at, partial(self._transition, live, story, status, actor, at))

    def _plan_people(
        self, live: _Live, story: dict[str, Any], cast: _Cast, start: datetime, end: datetime
    ) -> datetime:
        """Commander, scribe, engaged stakeholders, need-to-know grants and a follow-the-sun
        handover. Returns when the stakeholders were engaged."""
        if cast.commander is None:
            return start
        ack = start - timedelta(minutes=2)
        lead = cast.commander
        self._add(ack + timedelta(seconds=40), partial(self._join, live, lead, lead, "commander"))
        if cast.scribe is not None:
            at = min(ack + self._minutes(3, 20), end)
            self._add(at, partial(self._join, live, lead, cast.scribe, "scribe"))
        engaged_at = min(start + self._minutes(5, 40), end)
        for slug, user in cast.engaged:
            role, reason = _ENGAGEMENT[slug]
            self._add(engaged_at, partial(self._join, live, lead, user, role, reason))
        engaged_users = {user for _, user in cast.engaged}
        for slug in story.get("need_to_know", []):
            for user in self.people.teams[slug]:
                if user not in engaged_users:
                    reason = f"{_ENGAGEMENT[slug][1]} (on call for {slug.replace('-', ' ')})"
                    self._add(start, partial(self._grant, live, lead, user, reason))
        if cast.handover is not None and cast.handover[0] < end:
            at, successor = cast.handover
            reason = f"follow-the-sun handover to {successor.region}"
            self._add(at, partial(self._join, live, lead, successor, "commander", reason))
        return engaged_at

    def _plan_notes(
        self, live: _Live, story: dict[str, Any], cast: _Cast, start: datetime, end: datetime
    ) -> None:
        written = list(story["notes"])
        worked = cast.commander is not None and story["status"] not in _SHORT_LIVED
        count = self.rng.randint(max(2, len(written)), 6 if worked else 3)
        extra: list[tuple[User | None, str]] = [
            (user, _TEAM_NOTES[slug]) for slug, user in cast.engaged
        ]
        market = self._markets[story["markets"][0]].name
        for template in self.rng.sample(_RESPONDER_NOTES, len(_RESPONDER_NOTES)):
            text = template.format(
                n=self.rng.randint(40, 900), pct=self.rng.randint(55, 95), market=market
            )
            extra.append((None, text))
        extra = extra[: count - len(written)]
        self.rng.shuffle(extra)
        story_slots = set(self.rng.sample(range(count), len(written)))
        times = sorted(start + (end - start) * self.rng.random() for _ in range(count))
        for index, at in enumerate(times):
            if index in story_slots:
                author, text = None, written.pop(0)
            else:
                author, text = extra.pop()
            if author is None:
                author = (
                    cast.lead_at(at) if self.rng.random() < 0.7 else cast.scribe or cast.lead_at(at)
                )
            pinned = story["severity"] == Severity.SEV1 and index == min(story_slots, default=-1)
            self._add(at, partial(self._note, live, author, text, pinned))

    def _plan_tasks(
        self,
        live: _Live,
        story: dict[str, Any],
        cast: _Cast,
        start: datetime,
        end: datetime,
        final: Status,
    ) -> None:
        titles = list(story["tasks"])
        owners = [user for _, user in cast.engaged] + [cast.scribe or cast.lead_at(start)]
        for index, title in enumerate(titles[:4]):
            created = start + (end - start) * self.rng.uniform(0.05, 0.4)
            owner = self.rng.choice(owners)
            due = created + self._minutes(120, 48 * 60)
            actor = cast.lead_at(created)
            self._add(created, partial(self._task, live, index, actor, title, owner, due))
            outcome = self._task_outcome(final)
            if outcome is not None:
                done_at = created + (end - created) * self.rng.uniform(0.3, 1.0)
                self._add(done_at, partial(self._update_task, live, index, owner, outcome))

    def _task_outcome(self, final: Status) -> TaskStatus | None:
        roll = self.rng.random()
        if final in OPEN_STATUSES:
            if roll < 0.35:
                return TaskStatus.DONE
            return TaskStatus.IN_PROGRESS if roll < 0.65 else None
        return TaskStatus.CANCELLED if roll < 0.1 else TaskStatus.DONE

    # The steps themselves: each one service call.

    def _create(
        self,
        live: _Live,
        story: dict[str, Any],
        actor: User,
        at: datetime,
        detected_at: datetime,
    ) -> None:
        keyword = story["keyword"]
        live.incident = services.create_incident(
            actor=actor,
            title=story["title"],
            summary=story["summary"],
            category=self._categories[story["category"]],
            severity=story["severity"],
            markets=[self._markets[code] for code in story["markets"]],
            keywords=[self._keywords[keyword]] if keyword else [],
            restricted=story.get("restricted"),
            detected_at=detected_at,
            reported_at=at,
        )

    def _transition(
        self, live: _Live, story: dict[str, Any], to: Status, actor: User | None, at: datetime
    ) -> None:
        reason, merged_into = story.get("reason", ""), None
        if to == Status.MERGED:
            merged_into = self._by_key[story["merge_into"]][0].require()
            reason = f"Same trend as {merged_into.ref}; its reports are folded in there."
        services.transition(
            actor=actor,
            incident=live.require(),
            to=to,
            reason=reason,
            merged_into=merged_into,
            at=at,
        )

    def _join(self, live: _Live, actor: User, user: User, role: str, reason: str = "") -> None:
        services.add_participant(
            actor=actor, incident=live.require(), user=user, role=role, reason=reason
        )

    def _grant(self, live: _Live, actor: User, user: User, reason: str) -> None:
        access = services.grant_access(
            actor=actor, incident=live.require(), user=user, reason=reason
        )
        # The field's default is bound to the real clock; the replay keeps its own.
        IncidentAccess.objects.filter(pk=access.pk).update(granted_at=timezone.now())

    def _note(self, live: _Live, actor: User, text: str, pinned: bool) -> None:
        services.add_note(actor=actor, incident=live.require(), text=text, pinned=pinned)

    def _task(
        self, live: _Live, index: int, actor: User, title: str, owner: User, due: datetime
    ) -> None:
        task = services.create_task(
            actor=actor, incident=live.require(), title=title, owner=owner, due_at=due
        )
        Task.objects.filter(pk=task.pk).update(created_at=timezone.now())  # as for grants
        live.tasks[index] = task

    def _update_task(self, live: _Live, index: int, actor: User, status: TaskStatus) -> None:
        services.update_task(actor=actor, task=live.tasks[index], status=status)
