"""API token scopes: what a token may be used for, and which scope each API operation needs.

A token's effective power is its owner's role **intersected** with the token's scopes, both
read at request time: a token never outranks its owner, and a user who is demoted or
deactivated takes their tokens down with them. The owner's role checks in each service still
apply on top (a scope lets a token *reach* an operation; the role decides what it may do).

Each operation's scope is declared here, per router (the first path segment after
``/api/v1/``), with ``OPERATION_SCOPES`` for exceptions. An operation that declares no scope
is refused to every token (403) and fails the permission-matrix test, so a new router must
add its line here. See docs/security.md ("API tokens").
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Role

INCIDENTS_READ = "incidents:read"
INCIDENTS_WRITE = "incidents:write"
REPORTS_WRITE = "reports:write"
REGULATORY = "regulatory"
ANALYTICS = "analytics"
ADMIN = "admin"

SCOPES: dict[str, str] = {
    INCIDENTS_READ: "Read incidents, triage, post-mortems, playbooks, on-call and quality",
    INCIDENTS_WRITE: "Change incidents, triage, post-mortems, checklists, on-call and quality",
    REPORTS_WRITE: "Submit reports (intake integrations)",
    REGULATORY: "Read and work regulatory requests",
    ANALYTICS: "Read metrics, analytics and exports",
    ADMIN: "Administration (retention policies and other admin-only operations)",
}

# What each role may hold. A token's scopes outside its owner's current role are inert.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(SCOPES),
    Role.LEAD: frozenset(SCOPES) - {ADMIN},
    Role.INCIDENT_MANAGER: frozenset(
        {INCIDENTS_READ, INCIDENTS_WRITE, REPORTS_WRITE, REGULATORY, ANALYTICS}
    ),
    Role.STAKEHOLDER: frozenset({INCIDENTS_READ, INCIDENTS_WRITE, REPORTS_WRITE, REGULATORY}),
    Role.AUDITOR: frozenset({INCIDENTS_READ, REGULATORY, ANALYTICS}),
}

_READ = (INCIDENTS_READ, INCIDENTS_WRITE)
# First path segment under /api/v1/ -> (scope for GET/HEAD, scope for other methods).
ROUTER_SCOPES: dict[str, tuple[str, str]] = {
    "me": _READ,
    "incidents": _READ,
    "taxonomy": _READ,
    "reports": _READ,  # triage of report groups; submitting reports is below
    "quality": _READ,
    "playbooks": _READ,
    "checklists": _READ,
    "markets": _READ,
    "risk-events": _READ,
    "postmortems": _READ,
    "oncall": _READ,
    "enforcement": _READ,
    "wellbeing": _READ,
    "regulatory": (REGULATORY, REGULATORY),
    "analytics": (ANALYTICS, ANALYTICS),
    # NCMEC drafts, Lumen notices and response packs answer authorities.
    "exports": (REGULATORY, REGULATORY),
    # Legal holds are legal work (leads place them; auditors read them); policies below.
    "retention": (REGULATORY, REGULATORY),
}

# (METHOD, route under api/v1/) -> scope, for operations that differ from their router.
OPERATION_SCOPES: dict[tuple[str, str], str] = {
    ("POST", "reports"): REPORTS_WRITE,
    ("POST", "reports/batch"): REPORTS_WRITE,
    ("POST", "reports/webhook/<source>"): REPORTS_WRITE,
    ("PUT", "retention/policies/<data_class>"): ADMIN,
}

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def scope_for(method: str, route: str) -> str | None:
    """The scope an operation needs, from its Django route (``api/v1/incidents/<int:pk>``)
    or its OpenAPI path (``/api/v1/incidents/{pk}``); None when it declares none."""
    route = _normalise(route)
    method = method.upper()
    if (method, route) in OPERATION_SCOPES:
        return OPERATION_SCOPES[(method, route)]
    scopes = ROUTER_SCOPES.get(route.split("/", 1)[0])
    if scopes is None:
        return None
    return scopes[0] if method in SAFE_METHODS else scopes[1]


def _normalise(route: str) -> str:
    route = route.strip("/").removeprefix("api/").removeprefix("v1/").strip("/")
    parts = []
    for part in route.split("/"):
        if part.startswith("<") and part.endswith(">"):
            part = "<" + part[1:-1].split(":")[-1] + ">"
        elif part.startswith("{") and part.endswith("}"):
            part = "<" + part[1:-1] + ">"
        parts.append(part)
    return "/".join(parts)


def allowed_scopes(role: str) -> frozenset[str]:
    return ROLE_SCOPES.get(role, frozenset())


def effective_scopes(role: str, scopes: Iterable[str]) -> frozenset[str]:
    """The token's scopes that its owner's role still allows."""
    return allowed_scopes(role) & frozenset(scopes)
