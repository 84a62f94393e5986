"""The signed-in user's own API tokens. Another user's token is a 404 here, never a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trustdesk.core.http import AuthedRequest
from trustdesk.lib.errors import DomainError

from . import services
from .forms import TokenForm


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    """List my tokens; creating one shows its raw value on this response only. The page is
    rendered rather than redirected to, so the secret never passes through the session."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = raw = None
    if form.is_bound and form.is_valid():
        try:
            created, raw = services.create_token(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "tokens": request.user.api_tokens.all(),
        "created": created,
        "raw_token": raw,
    }
    status = 422 if form.errors else 200
    response = render(request, "accounts/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_token(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    try:
        services.revoke_token(actor=request.user, token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token “{token.name}” ({token.prefix}…) revoked.")
    return redirect("account_tokens")
