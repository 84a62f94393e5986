"""Evidence is served only through these views. By default an image is its blurred,
greyscale thumbnail. Revealing the original is a POST that writes an audit event and hands
the user a short-lived signed permission for that one file (DESIGN.md invariant 7)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from trustdesk.audit import services as audit
from trustdesk.core.http import AuthedRequest

from .. import access, evidence
from ..models import Attachment

REVEAL_SECONDS = 120
_SALT = "trustdesk.intake.evidence.reveal"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def reveal_token(attachment: Attachment, user_id: int) -> str:
    return signing.dumps({"a": attachment.pk, "u": user_id}, salt=_SALT)


def _check_token(token: str, attachment: Attachment, user_id: int) -> None:
    try:
        data = signing.loads(token, salt=_SALT, max_age=REVEAL_SECONDS)
    except signing.BadSignature:
        raise PermissionDenied("Reveal again: the permission is missing or has expired.") from None
    if data != {"a": attachment.pk, "u": user_id}:
        raise PermissionDenied("This reveal belongs to someone else.")


@login_required
@require_GET
def blurred(request: AuthedRequest, pk: int) -> HttpResponse:
    attachment = access.get_attachment_for_user(request.user, pk)
    if not attachment.evidence.is_image:
        raise Http404("Only images have a preview")
    response = HttpResponse(evidence.render_blurred(attachment.evidence), content_type="image/png")
    response["Content-Disposition"] = "inline"
    return _private(response)


@login_required
@require_POST
def reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record who revealed what and when, then grant a two-minute look at the original."""
    attachment = access.get_attachment_for_user(request.user, pk)
    report = attachment.report
    category = report.group.category or report.category
    audit.record(
        actor=request.user,
        action="evidence.reveal",
        obj=attachment,
        after={
            "sha256": attachment.evidence.sha256,
            "filename": attachment.filename,
            "report": report.ref,
            "group": report.group.ref,
            "category": category.code if category else "",
        },
    )
    extra = evidence.revealed(request.user, attachment, category)
    url = reverse("intake:evidence_original", args=[attachment.pk])
    url += "?token=" + reveal_token(attachment, request.user.pk)
    if request.headers.get("Accept", "").startswith("application/json"):
        return _private(JsonResponse({"url": url, "seconds": REVEAL_SECONDS, **extra}))
    return redirect(url)


@login_required
@require_GET
def original(request: AuthedRequest, pk: int) -> HttpResponse:
    attachment = access.get_attachment_for_user(request.user, pk)
    _check_token(request.GET.get("token", ""), attachment, request.user.pk)
    stored = attachment.evidence
    try:
        data = evidence.read_original(stored)
    except FileNotFoundError:
        raise Http404("The file is missing from the evidence store") from None
    if stored.is_image:
        response = HttpResponse(data, content_type=stored.content_type)
        response["Content-Disposition"] = "inline"
    else:
        # Anything that is not a verified image downloads; the browser never renders it.
        response = HttpResponse(data, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=attachment.filename or stored.sha256
        )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return _private(response)
