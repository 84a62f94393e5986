"""Regulatory pages: the deadline board, logging a request, its detail and actions, the rule
register and the compliance view. Each view checks access, calls a service, and renders.

Actions are plain form posts that redirect back to the request, so every page works without
JavaScript; a domain error comes back as a message naming the field that is wrong.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trustdesk.audit import services as audit
from trustdesk.core.http import AuthedRequest
from trustdesk.incidents.forms import apply_domain_error
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import DomainError, InvalidInput

from . import access, board, compliance, deadlines, responses, services
from .forms import (
    BoardFilterForm,
    ComplianceForm,
    ExtensionForm,
    LinkForm,
    ReasonForm,
    RequestForm,
    ResponseForm,
    WhenForm,
    owners,
)
from .lifecycle import ACTION_LABELS, ACTIONABLE, REASON_REQUIRED, Status, allowed_transitions
from .models import Jurisdiction, RegulatoryRequest, Rule, Verification
from .schemas import bare_transitions


def _tz(request: AuthedRequest) -> str:
    return request.user.tz or "UTC"


# --- the board -------------------------------------------------------------------------------


def _board_context(request: AuthedRequest) -> dict[str, Any]:
    form = BoardFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = board.Filters(
        jurisdiction=data["jurisdiction"].code if data.get("jurisdiction") else "",
        authority=data["authority"].code if data.get("authority") else "",
        status=data.get("status") or "",
        owner=data.get("owner") or "",
        region=data.get("region") or "",
    )
    now = timezone.now()
    requests = board.filtered(access.visible_requests(request.user), filters, request.user)
    return {"form": form, "rows": board.rows(requests, now), "now": now}


@login_required
@require_GET
def board_view(request: AuthedRequest) -> HttpResponse:
    context = _board_context(request)
    context["can_create"] = access.can_create(request.user)
    return render(request, "regulatory/board.html", context)


@require_GET
def board_rows(request: AuthedRequest) -> HttpResponse:
    """The board's rows alone, polled by HTMX so countdowns stay live. A session that ended
    reloads the page (and so reaches the login page) instead of swapping it into the table."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return render(request, "regulatory/_board_rows.html", _board_context(request))


# --- logging a request -----------------------------------------------------------------------


def _create_from_form(request: AuthedRequest, form: RequestForm) -> RegulatoryRequest:
    data = form.cleaned_data
    incident = None
    if data["incident"] is not None:
        incident = Incident.objects.visible_to(request.user).filter(pk=data["incident"]).first()
        if incident is None:
            raise InvalidInput(
                {"incident": f"No incident INC-{data['incident']} that you can see."}
            )
    if data["create_incident"] and not request.user.is_responder:
        raise InvalidInput({"create_incident": "Only incident responders open incidents."})
    return services.create_request(
        actor=request.user,
        authority=data["authority"],
        rule=data["rule"],
        received_at=data["received_at"],
        served_at=data["served_at"],
        reference=data["reference"],
        title=data["title"],
        summary=data["summary"],
        requested_actions=data["requested_actions"] or None,
        content_items=form.lines("content_items"),
        accounts=form.lines("accounts"),
        confidential=data["confidential"],
        user_may_be_notified=data["user_may_be_notified"],
        ordered_duration=data["ordered_duration"],
        ordered_unit=data["ordered_unit"],
        urgent=data["urgent"],
        owner=data["owner"],
        incident=incident,
        create_incident=data["create_incident"],
        incident_category=data["incident_category"],
        incident_severity=data["incident_severity"],
        source=data["source"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: AuthedRequest) -> HttpResponse:
    if not access.can_create(request.user):
        raise PermissionDenied("Auditors read; they do not log requests.")
    form = RequestForm(request.POST or None, initial=dict(request.GET.items()))
    if request.method == "POST" and form.is_valid():
        try:
            created = _create_from_form(request, form)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"{created.ref} logged. Its clock is running.")
            return redirect("regulatory:detail", pk=created.pk)
    status = 422 if form.errors else 200
    return render(request, "regulatory/form.html", _form_context(form), status=status)


def _form_context(form: RequestForm) -> dict[str, Any]:
    chosen = form.data.get("rule") if form.is_bound else form.initial.get("rule")
    rule = Rule.objects.select_related("current").filter(pk=_int(chosen)).first()
    return {"form": form, "chosen_rule": rule.current if rule else None}


@login_required
@require_GET
def form_part(request: AuthedRequest, part: str) -> HttpResponse:
    """The parts of the form that depend on what is chosen above them: the authority and
    rule lists (on jurisdiction and received date), and the rule's details and time zone
    (on authority and rule). New lists tell the details to refresh."""
    form = RequestForm(initial=dict(request.GET.items()))
    response = render(request, f"regulatory/_form_{part}.html", _form_context(form))
    if part == "choices":
        response["HX-Trigger-After-Swap"] = "choices-updated"
    return response


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- a request -------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    found = access.get_request_for_user(request.user, pk)
    editable = access.can_edit(request.user, found)
    transitions = [
        {"to": s.value, "label": ACTION_LABELS[s], "needs_reason": s in REASON_REQUIRED}
        for s in bare_transitions(found.status)
    ]
    tz = _tz(request)
    context = {
        "req": found,
        "version": found.rule_version,
        "line": board.row(found, timezone.now()),
        "can_edit": editable,
        "transitions": transitions if editable else [],
        "can_respond": editable and Status.RESPONDED in allowed_transitions(found.status),
        "can_action": editable and found.status in ACTIONABLE and found.actioned_at is None,
        "events": found.events.select_related("actor").order_by("-occurred_at", "-id"),
        "pauses": found.pauses.all(),
        "extensions": found.extensions.select_related("created_by"),
        "evidence": found.evidence.select_related("uploaded_by"),
        "escalations": found.escalations.all(),
        "response": getattr(found, "response", None),
        "response_form": ResponseForm(tz=tz, auto_id="response-%s"),
        "extension_form": ExtensionForm(tz=found.tz, auto_id="extension-%s"),
        "when_form": WhenForm(tz=tz, auto_id="when-%s"),
        "link_form": LinkForm(auto_id="link-%s"),
        "owners": owners(),
        "verification_help": {v.value: v.label for v in Verification},
    }
    return render(request, "regulatory/detail.html", context)


def _act(request: AuthedRequest, pk: int, change: Any, done: str) -> HttpResponse:
    """Run one change on a request the user may edit; report success or the error."""
    found = access.get_rw_request_for_user(request.user, pk)
    try:
        change(found)
    except DomainError as exc:
        field = exc.as_errors()[0]["field"]
        prefix = "" if field == "__all__" else f"{field.replace('_', ' ')}: "
        messages.error(request, f"{prefix}{exc.as_errors()[0]['message']}")
    else:
        messages.success(request, done)
    try:
        access.get_request_for_user(request.user, pk)
    except Http404:
        return redirect("regulatory:board")
    return redirect("regulatory:detail", pk=pk)


def _form_error(request: AuthedRequest, pk: int, form: Any) -> HttpResponse:
    field, errors = next(iter(form.errors.items()))
    label = "" if field == "__all__" else f"{form.fields[field].label or field}: "
    messages.error(request, f"{label}{errors[0]}")
    return redirect("regulatory:detail", pk=pk)


@login_required
@require_POST
def transition(request: AuthedRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _form_error(request, pk, form)
    data = form.cleaned_data

    def change(found: RegulatoryRequest) -> None:
        services.transition(actor=request.user, request=found, to=data["to"], reason=data["reason"])

    return _act(request, pk, change, "Status changed.")


@login_required
@require_POST
def actioned(request: AuthedRequest, pk: int) -> HttpResponse:
    form = WhenForm(request.POST, tz=_tz(request))
    if not form.is_valid():
        return _form_error(request, pk, form)

    def change(found: RegulatoryRequest) -> None:
        services.record_action(
            actor=request.user,
            request=found,
            at=form.cleaned_data["at"],
            note=form.cleaned_data["note"],
        )

    return _act(request, pk, change, "Action recorded.")


@login_required
@require_POST
def respond(request: AuthedRequest, pk: int) -> HttpResponse:
    form = ResponseForm(request.POST, tz=_tz(request))
    if not form.is_valid():
        return _form_error(request, pk, form)
    data = form.cleaned_data

    def change(found: RegulatoryRequest) -> None:
        responses.record_response(
            actor=request.user,
            request=found,
            outcome=data["outcome"],
            summary=data["summary"],
            legal_grounds=data["legal_grounds"],
            responded_at=data["responded_at"],
            files=request.FILES.getlist("files"),
        )

    return _act(request, pk, change, "Response recorded.")


@login_required
@require_POST
def pause(request: AuthedRequest, pk: int) -> HttpResponse:
    form = WhenForm(request.POST, tz=_tz(request))
    if not form.is_valid():
        return _form_error(request, pk, form)

    def change(found: RegulatoryRequest) -> None:
        deadlines.pause_clock(
            actor=request.user,
            request=found,
            reason=form.cleaned_data["note"],
            at=form.cleaned_data["at"],
        )

    return _act(request, pk, change, "Clock paused.")


@login_required
@require_POST
def resume(request: AuthedRequest, pk: int) -> HttpResponse:
    form = WhenForm(request.POST, tz=_tz(request))
    if not form.is_valid():
        return _form_error(request, pk, form)

    def change(found: RegulatoryRequest) -> None:
        deadlines.resume_clock(actor=request.user, request=found, at=form.cleaned_data["at"])

    return _act(request, pk, change, "Clock resumed.")


@login_required
@require_POST
def extend(request: AuthedRequest, pk: int) -> HttpResponse:
    found = access.get_rw_request_for_user(request.user, pk)
    form = ExtensionForm(request.POST, tz=found.tz)
    if not form.is_valid():
        return _form_error(request, pk, form)
    data = form.cleaned_data

    def change(found: RegulatoryRequest) -> None:
        deadlines.extend(
            actor=request.user,
            request=found,
            reason=data["reason"],
            units=data["units"] or 0,
            new_due_at=data["new_due_at"],
            keep_days=data["keep_days"] or 0,
            granted_by=data["granted_by"],
        )

    return _act(request, pk, change, "Extension recorded.")


@login_required
@require_POST
def upload_evidence(request: AuthedRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("file")

    def change(found: RegulatoryRequest) -> None:
        if upload is None:
            raise InvalidInput({"file": "Choose a file."})
        responses.add_evidence(
            actor=request.user,
            request=found,
            upload=upload,
            description=request.POST.get("description", ""),
        )

    return _act(request, pk, change, "Evidence added.")


@login_required
@require_GET
def download_evidence(request: AuthedRequest, pk: int, evidence_id: int) -> FileResponse:
    found = access.get_request_for_user(request.user, pk)
    item = get_object_or_404(found.evidence, pk=evidence_id)
    audit.record(
        actor=request.user,
        action="regulatory.evidence.download",
        obj=found,
        after={"evidence": item.pk, "sha256": item.sha256},
    )
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)


@login_required
@require_POST
def assign(request: AuthedRequest, pk: int) -> HttpResponse:
    username = request.POST.get("owner", "")
    owner = owners().filter(username=username).first() if username else None

    def change(found: RegulatoryRequest) -> None:
        if username and owner is None:
            raise InvalidInput({"owner": f"No active user {username!r}."})
        services.assign_owner(actor=request.user, request=found, owner=owner)

    return _act(request, pk, change, "Owner changed.")


@login_required
@require_POST
def link(request: AuthedRequest, pk: int) -> HttpResponse:
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _form_error(request, pk, form)
    data = form.cleaned_data

    def change(found: RegulatoryRequest) -> None:
        incident = None
        if data["incident"] is not None:
            incident = Incident.objects.visible_to(request.user).filter(pk=data["incident"]).first()
            if incident is None:
                raise InvalidInput(
                    {"incident": f"No incident INC-{data['incident']} that you can see."}
                )
        if data["create"] and not request.user.is_responder:
            raise InvalidInput({"create": "Only incident responders open incidents."})
        services.link_incident(
            actor=request.user,
            request=found,
            incident=incident,
            create=data["create"],
            category=data["category"],
            severity=data["severity"],
        )

    return _act(request, pk, change, "Incident linked.")


# --- the rule register and compliance -------------------------------------------------------


@login_required
@require_GET
def rules(request: AuthedRequest) -> HttpResponse:
    jurisdictions = Jurisdiction.objects.prefetch_related("rules__current__authority").order_by(
        "name"
    )
    today = timezone.now().date()
    return render(
        request, "regulatory/rules.html", {"jurisdictions": jurisdictions, "today": today}
    )


def _compliance_data(request: AuthedRequest) -> tuple[ComplianceForm, Any, Any, Any]:
    params = request.GET.copy()
    if not params.get("received_from") and not params.get("received_to") and "all" not in params:
        start, end = compliance.quarter_bounds(timezone.now().date())
        params["received_from"], params["received_to"] = start.isoformat(), end.isoformat()
    form = ComplianceForm(params)
    chosen = form.filters()
    requests = compliance.filtered(access.visible_requests(request.user), chosen)
    requests = requests.prefetch_related("evidence")
    rows, total = compliance.figures(requests, chosen.group)
    return form, requests, rows, total


def query_string(form: ComplianceForm) -> str:
    data = form.data
    assert isinstance(data, QueryDict)
    return data.urlencode()


@login_required
@require_GET
def compliance_view(request: AuthedRequest) -> HttpResponse:
    form, requests, rows, total = _compliance_data(request)
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "requests": requests,
        "query": query_string(form),
    }
    return render(request, "regulatory/compliance.html", context)


@login_required
@require_GET
def compliance_export(request: AuthedRequest) -> HttpResponse:
    """CSV (summary or per request) or XLSX (both sheets), of requests the viewer can see."""
    form, requests, rows, total = _compliance_data(request)
    kind = request.GET.get("format", "csv")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    audit.record(
        actor=request.user,
        action="regulatory.compliance.export",
        after={"format": kind, "query": query_string(form)},
    )
    if kind == "xlsx":
        body = compliance.as_xlsx(
            compliance.summary_rows(rows, total), map(compliance.request_row, requests)
        )
        response = HttpResponse(
            body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="compliance-{stamp}.xlsx"'
        return response
    if kind == "csv-requests":
        text = compliance.as_csv(compliance.REQUEST_HEADER, map(compliance.request_row, requests))
        name = f"compliance-requests-{stamp}.csv"
    else:
        text = compliance.as_csv(compliance.SUMMARY_HEADER, compliance.summary_rows(rows, total))
        name = f"compliance-summary-{stamp}.csv"
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
