"""Demo data for the desk's other queues: open regulatory requests with running clocks, and
escalations waiting in triage. Created through the apps' own services, like real traffic."""

from __future__ import annotations

from datetime import datetime, timedelta

from trustdesk.accounts.models import User
from trustdesk.enforcement import services as enforcement
from trustdesk.enforcement.sor import eea_countries
from trustdesk.incidents.lifecycle import Status as IncidentStatus
from trustdesk.incidents.models import Incident
from trustdesk.intake.incoming import IncomingItem, IncomingReport
from trustdesk.intake.services import receive_batch
from trustdesk.regulatory import services as regulatory
from trustdesk.regulatory.lifecycle import Status
from trustdesk.regulatory.models import Authority, Rule

# (rule, authority, owner, hours since received, reference, title, requested actions)
_REQUESTS = [
    (
        "BR-TSE-RES23610-ART38",
        "BR-TSE",
        "lucas.almeida",
        20,
        "TSE-0600123-45.2026",
        "Remove deepfake video of a gubernatorial candidate",
        ["remove", "report"],
    ),
    (
        "AU-OSA-S109",
        "AU-ESAFETY",
        "arjun.mehta",
        6,
        "eSafety-RN-2026-1182",
        "Removal notice: re-uploads of a terrorist livestream",
        ["remove"],
    ),
    (
        "EU-DSA-ART9",
        "IE-CNAM",
        "niamh.obrien",
        30,
        "CNAM/DSA9/2026/044",
        "Order to act against illegal hate speech (IE)",
        ["remove", "respond"],
    ),
    (
        "US-TAKE-IT-DOWN",
        "US-INDIVIDUAL",
        "jordan.brooks",
        40,
        "TID-20261124-0087",
        "TAKE IT DOWN request: AI-generated intimate images",
        ["remove"],
    ),
    (
        "IN-ITR-3-1-D-3H",
        "IN-MEITY",
        "tan.weilin",
        1,
        "MeitY/69A/2026/3312",
        "Takedown notice for misinformation on a communal clash",
        ["remove", "report"],
    ),
    (
        "US-2703F",
        "US-STATE-LE",
        "valeria.hernandez",
        50,
        "TX-DPS-PRES-5531",
        "Preservation request for accounts in a sextortion case",
        ["preserve"],
    ),
    (
        "CL-CPP-218BIS",
        "CL-FISCALIA",
        "lucas.almeida",
        12,
        "FN-2026-77812",
        "Data preservation order (secret) for a grooming investigation",
        ["preserve"],
    ),
]

# (market, category slug, reporter type, count, text, url stem)
_CLUSTERS = [
    (
        "MX",
        "public-security",
        "user",
        9,
        "Video shows kids doing the blackout challenge, please remove it",
        "https://video.example/mx-bc",
    ),
    (
        "BR",
        "scams-fraud",
        "trusted_flagger",
        6,
        "Anúncio falso usando a marca do Banco do Brasil para roubar dados do cartão",
        "https://ads.example/bb-promo",
    ),
    (
        "ES",
        "harmful-speech",
        "ngo",
        5,
        "Publicación incita al odio contra la comunidad gitana antes de las elecciones",
        "https://posts.example/es-roma",
    ),
    (
        "AU",
        "self-harm",
        "detection_system",
        4,
        "Classifier hit: self-harm hashtag trending among under-16 accounts",
        "https://tags.example/au-sh",
    ),
    (
        "GB",
        "cyber-violence",
        "press",
        1,
        "Journalist asks for comment on a harassment pile-on against an MP",
        "",
    ),
]


def seed_requests(*, now: datetime) -> int:
    """Open requests at different points of their clocks, so the board shows every colour."""
    users = {u.username: u for u in User.objects.all()}
    rules = {r.code: r for r in Rule.objects.all()}
    authorities = {a.code: a for a in Authority.objects.all()}
    made = 0
    for rule, authority, owner, hours_ago, reference, title, actions in _REQUESTS:
        if rule not in rules or authority not in authorities:
            continue  # a regime pack without the rule: skip rather than fail the demo
        request = regulatory.create_request(
            actor=users[owner],
            authority=authorities[authority],
            rule=rules[rule],
            received_at=now - timedelta(hours=hours_ago),
            reference=reference,
            title=title,
            requested_actions=actions,
            owner=users[owner],
        )
        if hours_ago >= 12:
            regulatory.transition(
                actor=users[owner],
                request=request,
                to=Status.ACKNOWLEDGED,
                at=request.received_at + timedelta(minutes=25),
            )
        made += 1
    return made


def seed_reports(*, now: datetime) -> int:
    """Escalations still waiting in triage: a few clusters of near-duplicates and singles."""
    reports = []
    for market, category, reporter, count, text, url in _CLUSTERS:
        for i in range(count):
            reports.append(
                IncomingReport(
                    channel="api",
                    external_id=f"demo-{market}-{category}-{i}",
                    received_at=now - timedelta(minutes=7 * (count - i)),
                    reporter_type=reporter,
                    market=market,
                    category=category,
                    title=text[:80],
                    text=f"{text} (report {i + 1})" if i else text,
                    items=[IncomingItem(url=f"{url}/{i % 3}")] if url else [],
                )
            )
    return len(receive_batch(reports=reports))


def seed_decisions(*, now: datetime, limit: int = 4) -> int:
    """Enforcement decisions on resolved incidents in EEA markets, so statements of reasons
    and the transparency report have something to show. Not restricted incidents: the demo
    should not put child-safety content ids on screen."""
    eea = set(eea_countries())
    incidents = (
        Incident.objects.filter(
            status__in=[IncidentStatus.RESOLVED, IncidentStatus.CLOSED],
            restricted=False,
            markets__code__in=eea,
        )
        .select_related("category", "commander")
        .prefetch_related("markets")
        .distinct()
        .order_by("-reported_at")[:limit]
    )
    made = 0
    for incident in incidents:
        actor = incident.commander or User.objects.filter(role="lead").first()
        if actor is None:
            continue
        scope = sorted({m.code for m in incident.markets.all()} & eea)
        decided = (incident.resolved_at or now) - timedelta(hours=2)
        rows = [
            {
                "content_url": f"https://video.example/demo/{incident.pk}/{n}",
                "content_type": "video",
                "restriction": "visibility_removed" if n else "account_suspended",
                "ground": "incompatible_content",
                "tos_clause": "Community Guidelines 4.2",
                "tos_explanation": "Content encouraging a dangerous act, removed under our rules.",
                "explanation": f"Part of the coordinated wave handled in {incident.ref}.",
                "category": incident.category.code,
                "automated_detection": n % 2 == 0,
                "automated_decision": "not",
                "source_type": "own_initiative",
                "territorial_scope": scope,
                "content_date": incident.reported_at.date().isoformat(),
                "decided_at": decided.isoformat(),
                "applied_at": (decided + timedelta(minutes=20)).isoformat(),
            }
            for n in range(3)
        ]
        made += len(enforcement.bulk_create_decisions(actor=actor, rows=rows, incident=incident))
    return made
