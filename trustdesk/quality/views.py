"""Quality pages. Each view checks access, calls a service or a read model, and renders.

Quality data is about people: a scorecard, a review or a coaching note someone may not see
is a 404, as if it did not exist. Pages for leads only (team, calibration) are a 403.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.http import AuthedRequest
from trustdesk.lib.errors import DomainError
from trustdesk.lib.regions import Region

from . import access, services, subjects
from .calibration import calibration_report
from .forms import (
    DisputeForm,
    GoalForm,
    GoalUpdateForm,
    NoteForm,
    ProgramForm,
    ReassignForm,
    ResolveForm,
    ScoreForm,
)
from .lifecycle import SCORED, ReviewStatus
from .models import CoachingNote, Goal, GoalStatus, Program, Review, Rubric, SamplingRun
from .people import led_by
from .scorecards import period_starts, scorecard, team_view


def quality_user(view: Any) -> Any:
    """Logged in, and an incident manager, lead or admin."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access.require_quality_user(request.user)
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return wrapper


# --- home --------------------------------------------------------------------------------


@quality_user
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    queue = list(
        Review.objects.filter(reviewer=user)
        .to_do()
        .select_related("reviewee", "sample__run")
        .order_by("assigned_at", "id")
    )
    done = list(
        Review.objects.filter(reviewer=user, status__in=SCORED)
        .select_related("reviewee")
        .order_by("-submitted_at")[:10]
    )
    awaiting = list(
        Review.objects.visible_to(user)
        .primary()
        .filter(reviewee=user, status=ReviewStatus.SUBMITTED)
    )
    context: dict[str, Any] = {
        "queue": queue,
        "done": done,
        "awaiting": awaiting,
        "headlines": subjects.headlines(user, queue + done + awaiting),
        "is_lead": access.leads_anyone(user),
    }
    if context["is_lead"]:
        context.update(_lead_inbox(request))
    return render(request, "quality/home.html", context)


def _lead_inbox(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    led = led_by(user)
    regions = access.team_regions(user)
    return {
        "disputes": Review.objects.filter(status=ReviewStatus.DISPUTED, reviewee__in=led)
        .exclude(reviewer=user)
        .select_related("reviewee", "reviewer"),
        "follow_ups": Goal.objects.filter(
            person__in=led, status=GoalStatus.OPEN, follow_up_on__lte=timezone.now().date()
        ).select_related("person"),
        "runs": SamplingRun.objects.filter(region__in=regions).exclude(unassigned=[])[:5],
    }


# --- reviews -----------------------------------------------------------------------------


def _review_context(request: AuthedRequest, review: Review, **overrides: Any) -> dict[str, Any]:
    user = request.user
    subject = subjects.describe(review, user)
    criteria = list(review.rubric_version.criteria.all())
    stored = {s.criterion_id: s for s in review.scores.all()}
    see_scores = access.can_see_scores(user, review)
    can_score = access.can_score(user, review)
    events = subject.events_by_id()
    rows = [
        {
            "criterion": c,
            "score": stored.get(c.pk),
            "evidence": [
                events[pk] for pk in getattr(stored.get(c.pk), "evidence", []) if pk in events
            ],
        }
        for c in criteria
    ]
    context: dict[str, Any] = {
        "review": review,
        "subject": subject,
        "rows": rows if see_scores else [],
        "see_scores": see_scores,
        "blind": review.is_scored and not see_scores,
        "my_pending": access.pending_sibling(user, review),
        "is_reviewer": user.pk == review.reviewer_id,
        "form": ScoreForm(criteria=criteria, events=subject.events, scores=stored)
        if can_score
        else None,
        "can_answer": access.can_answer(user, review),
        "dispute_form": DisputeForm(),
        "can_resolve": access.can_resolve(user, review),
        "resolve_form": ResolveForm(criteria=criteria, current=stored),
        "can_reassign": access.can_reassign(user, review),
        "reassign_form": ReassignForm(reviewee=review.reviewee),
    }
    context.update(overrides)
    return context


@quality_user
@require_GET
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    review = access.get_review_for_user(request.user, pk)
    return render(request, "quality/review.html", _review_context(request, review))


@quality_user
@require_POST
def review_scores(request: AuthedRequest, pk: int) -> HttpResponse:
    review = access.get_review_for_user(request.user, pk)
    if not access.can_score(request.user, review):
        raise PermissionDenied("This review is not yours to score, or is already submitted.")
    subject = subjects.describe(review, request.user)
    criteria = list(review.rubric_version.criteria.all())
    form = ScoreForm(request.POST, criteria=criteria, events=subject.events)
    submit = request.POST.get("action") == "submit"
    if form.is_valid():
        try:
            services.save_scores(
                actor=request.user,
                review=review,
                scores=form.score_inputs(),
                summary=form.cleaned_data["summary"],
                submit=submit,
            )
        except DomainError as exc:
            form.apply_error(exc)
        else:
            done = "Review submitted." if submit else "Draft saved."
            messages.success(request, done)
            return redirect("quality:review", pk=review.pk)
    context = _review_context(request, review, form=form, form_error=True)
    return render(request, "quality/review.html", context, status=422)


@quality_user
@require_POST
def review_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    review = access.get_review_for_user(request.user, pk)
    if request.POST.get("action") == "acknowledge":
        services.acknowledge(actor=request.user, review=review)
        messages.success(request, "Acknowledged. Thank you.")
        return redirect("quality:review", pk=review.pk)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            services.dispute(actor=request.user, review=review, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(request, "Disputed. Your lead will decide.")
            return redirect("quality:review", pk=review.pk)
    context = _review_context(request, review, dispute_form=form, open_dispute=True)
    return render(request, "quality/review.html", context, status=422)


@quality_user
@require_POST
def review_resolve(request: AuthedRequest, pk: int) -> HttpResponse:
    review = access.get_review_for_user(request.user, pk)
    form = ResolveForm(request.POST, criteria=list(review.rubric_version.criteria.all()))
    if form.is_valid():
        try:
            services.resolve(
                actor=request.user,
                review=review,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
                amended=form.amended(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Dispute decided.")
            return redirect("quality:review", pk=review.pk)
    context = _review_context(request, review, resolve_form=form)
    return render(request, "quality/review.html", context, status=422)


@quality_user
@require_POST
def review_reassign(request: AuthedRequest, pk: int) -> HttpResponse:
    review = access.get_review_for_user(request.user, pk)
    form = ReassignForm(request.POST, reviewee=review.reviewee)
    if form.is_valid():
        try:
            services.reassign(
                actor=request.user, review=review, reviewer=form.cleaned_data["reviewer"]
            )
        except DomainError as exc:
            form.add_error("reviewer", exc.message)
        else:
            messages.success(
                request, f"Reassigned to {form.cleaned_data['reviewer'].display_name}."
            )
            return redirect("quality:review", pk=review.pk)
    context = _review_context(request, review, reassign_form=form)
    return render(request, "quality/review.html", context, status=422)


# --- scorecards, coaching ----------------------------------------------------------------


def _scorecard_page(request: AuthedRequest, person: Any, **forms: Any) -> HttpResponse:
    card = scorecard(person, request.user)
    coach = access.can_coach(request.user, person)
    rubric = _criteria_choices()
    context = {
        "card": card,
        "is_me": person.pk == request.user.pk,
        "can_coach": coach,
        "note_form": forms.get("note_form") or NoteForm(),
        "goal_form": forms.get("goal_form") or GoalForm(criteria=rubric),
        "criteria_labels": dict(rubric),
        "headlines": subjects.headlines(request.user, card.reviews),
    }
    status = 422 if forms else 200
    return render(request, "quality/scorecard.html", context, status=status)


def _criteria_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for rubric in Rubric.objects.all():
        version = rubric.current
        for criterion in version.criteria.all() if version else []:
            seen.setdefault(criterion.key, criterion.label)
    return list(seen.items())


@quality_user
@require_GET
def my_scorecard(request: AuthedRequest) -> HttpResponse:
    return _scorecard_page(request, request.user)


@quality_user
@require_GET
def scorecard_for(request: AuthedRequest, username: str) -> HttpResponse:
    person = access.get_scorecard_person(request.user, username)
    return _scorecard_page(request, person)


def _coached(request: AuthedRequest, username: str) -> Any:
    person = access.get_scorecard_person(request.user, username)
    if not access.can_coach(request.user, person):
        raise PermissionDenied("Only this person's leads write coaching notes and goals.")
    return person


@quality_user
@require_POST
def add_note(request: AuthedRequest, username: str) -> HttpResponse:
    person = _coached(request, username)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(
                request, "Note saved." if form.cleaned_data["draft"] else "Note shared."
            )
            return redirect("quality:scorecard_for", username=person.username)
    return _scorecard_page(request, person, note_form=form)


@quality_user
@require_POST
def share_note(request: AuthedRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(CoachingNote.objects.visible_to(request.user), pk=pk)
    services.share_note(actor=request.user, note=note)
    messages.success(request, "Note shared.")
    return redirect("quality:scorecard_for", username=note.person.username)


@quality_user
@require_POST
def add_goal(request: AuthedRequest, username: str) -> HttpResponse:
    person = _coached(request, username)
    form = GoalForm(request.POST, criteria=_criteria_choices())
    if form.is_valid():
        try:
            services.add_goal(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        else:
            messages.success(request, "Goal set.")
            return redirect("quality:scorecard_for", username=person.username)
    return _scorecard_page(request, person, goal_form=form)


@quality_user
@require_POST
def update_goal(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.visible_to(request.user).select_related("person"), pk=pk)
    form = GoalUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what became of the goal.")
    else:
        try:
            services.update_goal(actor=request.user, goal=goal, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Goal updated.")
    return redirect("quality:scorecard_for", username=goal.person.username)


# --- leads: team, programme, calibration, rubric -------------------------------------------


def _region(request: AuthedRequest) -> tuple[str, list[str]]:
    access.require_lead(request.user)
    regions = access.team_regions(request.user)
    if not regions:
        raise PermissionDenied("You lead no region's incident managers.")
    wanted = request.GET.get("region") or request.user.region or regions[0]
    return (wanted if wanted in regions else regions[0]), regions


@quality_user
@require_GET
def team(request: AuthedRequest) -> HttpResponse:
    region, regions = _region(request)
    view = team_view(request.user, region)
    can_edit = access.can_edit_program(request.user, region)
    context = {
        "view": view,
        "regions": regions,
        "region_label": Region(region).label,
        "can_edit": can_edit,
        "program_form": ProgramForm(instance=view.program) if can_edit else None,
        "last_period": services.last_complete_period(
            timezone.now().date(), view.program.period_days
        ),
    }
    return render(request, "quality/team.html", context)


def _editable_program(request: AuthedRequest, region: str) -> Program:
    if region not in Region.values:
        raise Http404("No such region")
    if not access.can_edit_program(request.user, region):
        raise PermissionDenied("Only the region's leads and admins run its programme.")
    return Program.for_region(region)


@quality_user
@require_POST
def update_program(request: AuthedRequest, region: str) -> HttpResponse:
    program = _editable_program(request, region)
    form = ProgramForm(request.POST, instance=Program.for_region(region))
    if form.is_valid():
        try:
            services.update_program(actor=request.user, program=program, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Programme saved. It applies from the next sampling run.")
    else:
        field, errors = next(iter(form.errors.items()))
        messages.error(
            request, f"{form.fields[field].label if field in form.fields else ''}: {errors[0]}"
        )
    return redirect(f"{_team_url()}?region={region}")


@quality_user
@require_POST
def run_sample(request: AuthedRequest, region: str) -> HttpResponse:
    program = _editable_program(request, region)
    start = services.last_complete_period(timezone.now().date(), program.period_days)
    try:
        run = services.run_period(region=region, period_start=start, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        count = Review.objects.filter(sample__run=run, calibration_of__isnull=True).count()
        messages.success(
            request, f"Sample for the period from {start:%d %b} drawn: {count} reviews."
        )
    return redirect(f"{_team_url()}?region={region}")


def _team_url() -> str:
    return reverse("quality:team")


@quality_user
@require_GET
def calibration(request: AuthedRequest) -> HttpResponse:
    region, regions = _region(request)
    program = Program.for_region(region)
    since = period_starts(program)[0]
    report = calibration_report(request.user, region=region, since=since)
    context = {
        "report": report,
        "regions": regions,
        "region": region,
        "since": since,
        "until": since + timedelta(days=program.period_days * len(period_starts(program))),
    }
    return render(request, "quality/calibration.html", context)


@quality_user
@require_GET
def rubric(request: AuthedRequest) -> HttpResponse:
    rubrics = Rubric.objects.prefetch_related("versions__criteria")
    return render(request, "quality/rubric.html", {"rubrics": rubrics})
