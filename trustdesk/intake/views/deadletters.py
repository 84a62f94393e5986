"""Dead letters, for leads: what was accepted but could not be read, and its replay."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from trustdesk.core.http import AuthedRequest
from trustdesk.lib.errors import DomainError

from .. import access, services
from ..forms import ReplayForm
from ..models import DeadLetter


def _require_lead(request: AuthedRequest) -> None:
    if not request.user.sees_everything:
        raise PermissionDenied("Dead letters are for leads and admins.")


@login_required
@require_GET
def dead_letters(request: AuthedRequest) -> HttpResponse:
    _require_lead(request)
    letters = DeadLetter.objects.visible_to(request.user).defer("raw")
    if request.GET.get("show") != "all":
        letters = letters.filter(replayed_at__isnull=True)
    page = Paginator(letters, 50).get_page(request.GET.get("page"))
    return render(
        request, "intake/dead_letters.html", {"page": page, "show": request.GET.get("show", "")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def dead_letter(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_lead(request)
    letter = access.get_dead_letter_for_user(request.user, pk)
    form = ReplayForm(request.POST or None, initial={"payload": letter.raw_text})
    status = 200
    if request.method == "POST" and form.is_valid():
        edited = form.cleaned_data["payload"]
        raw = None if edited.replace("\r\n", "\n") == letter.raw_text else edited.encode()
        try:
            result = services.replay_dead_letter(actor=request.user, dead_letter=letter, raw=raw)
        except DomainError as exc:
            form.add_error("payload", exc.message)
            letter.refresh_from_db()
            status = 422
        else:
            assert result.report is not None
            messages.success(
                request, f"Replayed as {result.report.ref} in {result.report.group.ref}."
            )
            return redirect("intake:dead_letters")
    return render(
        request, "intake/dead_letter.html", {"letter": letter, "form": form}, status=status
    )
