"""``/api/v1/wellbeing``: my exposure and preferences, a person's exposure (for themselves,
their lead and admins), a team's load (its lead and admins), and the owner suggestion for an
incident. Exposure visibility is ``models.exposure_owners``, as in the UI."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from trustdesk.accounts.api import request_user
from trustdesk.accounts.models import User
from trustdesk.incidents import access as incident_access
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput
from trustdesk.taxonomy.models import Category

from . import access, load, services, suggest
from .models import BlurLevel
from .viewing import effective

router = Router(tags=["wellbeing"])


def _minutes(duration: timedelta) -> int:
    return int(duration.total_seconds() // 60)


class CategoryLoadOut(Schema):
    category: str
    name: str
    minutes_7d: int
    minutes_28d: int


class ExposureOut(Schema):
    username: str
    minutes_today: int
    minutes_7d: int
    minutes_28d: int
    categories: list[CategoryLoadOut]


class TeamLoadOut(Schema):
    team: str
    members: int
    minutes_7d: int
    minutes_28d: int
    categories: list[CategoryLoadOut]
    above_threshold: list[str] = Field(description="Usernames, alphabetical (not a ranking)")


class CandidateOut(Schema):
    username: str
    name: str
    reason: str
    minutes_7d: int | None = Field(
        description="Only when you may see this person's exposure; otherwise null"
    )


class SuggestionOut(Schema):
    incident: int
    category: str
    high_impact: bool
    candidates: list[CandidateOut]


class PreferenceIn(Schema):
    category: str = Field("", description="A category code; empty for your default")
    blur_level: int = Field(BlurLevel.MEDIUM, ge=1, le=3)
    greyscale: bool = True
    mute_video: bool = True
    pause_video: bool = True
    collapse_text: bool = True


class ViewingOut(Schema):
    category: str
    blur_level: int
    greyscale: bool
    mute_video: bool
    pause_video: bool
    collapse_text: bool


def _categories(rows: list[load.CategoryLoad]) -> list[CategoryLoadOut]:
    return [
        CategoryLoadOut(
            category=r.category.code,
            name=r.category.name,
            minutes_7d=_minutes(r.week),
            minutes_28d=_minutes(r.month),
        )
        for r in rows
    ]


def _exposure(person: User) -> ExposureOut:
    now = timezone.now()
    found = load.for_person(person, now, now - timedelta(days=1))
    return ExposureOut(
        username=person.username,
        minutes_today=_minutes(found.today),
        minutes_7d=_minutes(found.week),
        minutes_28d=_minutes(found.month),
        categories=_categories(found.rows),
    )


@router.get("/me/exposure", response={200: ExposureOut, **error_responses()})
def my_exposure(request: HttpRequest) -> ExposureOut:
    """My exposure by category over the last 7 and 28 days ("today": the last 24 hours)."""
    return _exposure(request_user(request))


@router.get("/people/{username}/exposure", response={200: ExposureOut, **error_responses(404)})
def person_exposure(request: HttpRequest, username: str) -> ExposureOut:
    """A person's exposure: for themselves, the lead of their team and administrators."""
    return _exposure(access.get_person_for_viewer(request_user(request), username))


@router.get("/teams/{slug}/load", response={200: TeamLoadOut, **error_responses(403, 404)})
def team_load(request: HttpRequest, slug: str) -> TeamLoadOut:
    """A team's load by category and who is above the threshold: its lead and admins."""
    team = get_object_or_404(access.require_lead(request_user(request)), slug=slug)
    found = load.for_team(team, timezone.now())
    return TeamLoadOut(
        team=team.slug,
        members=found.members,
        minutes_7d=_minutes(found.load.week),
        minutes_28d=_minutes(found.load.month),
        categories=_categories(found.load.rows),
        above_threshold=[p.username for p in found.above_threshold],
    )


@router.get(
    "/incidents/{incident_id}/suggestion",
    response={200: SuggestionOut, **error_responses(403, 404)},
)
def owner_suggestion(request: HttpRequest, incident_id: int) -> SuggestionOut:
    """On-call people for the incident, least recent exposure to its category first."""
    user = request_user(request)
    incident = incident_access.get_incident_for_user(user, incident_id)
    access.require_responder(user)
    return SuggestionOut(
        incident=incident.pk,
        category=incident.category.code,
        high_impact=suggest.is_high_impact(incident.category),
        candidates=[
            CandidateOut(
                username=c.user.username,
                name=c.user.display_name,
                reason=c.reason,
                minutes_7d=_minutes(c.exposure) if c.figure_shown else None,
            )
            for c in suggest.rank(incident, user, timezone.now())
        ],
    )


def _category(code: str) -> Category | None:
    if not code:
        return None
    found = Category.objects.filter(code=code).first()
    if found is None:
        raise InvalidInput({"category": f"Unknown category {code!r}."})
    return found


@router.get("/me/viewing", response={200: ViewingOut, **error_responses(422)})
def my_viewing(request: HttpRequest, category: str = "") -> ViewingOut:
    """How sensitive material is shown to me for ``category``, organisation minimum applied."""
    found = effective(request_user(request), _category(category))
    return ViewingOut(category=category, **found.__dict__)


@router.put("/me/preferences", response={200: ViewingOut, **error_responses(422)})
def set_preference(request: HttpRequest, payload: PreferenceIn) -> ViewingOut:
    """Save my preference for a category (or my default); below the minimum is a 422."""
    user = request_user(request)
    category = _category(payload.category)
    values: dict[str, Any] = payload.dict(exclude={"category"})
    services.save_preference(actor=user, category=category, values=values)
    return ViewingOut(category=payload.category, **effective(user, category).__dict__)
