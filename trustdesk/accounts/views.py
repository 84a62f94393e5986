"""Sign-in (password, then the second factor), the second-factor settings page, and the
signed-in user's own API tokens. Another user's token is a 404 here, never a 403."""

from __future__ import annotations

import time
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken

from trustdesk.core.http import AuthedRequest
from trustdesk.lib.errors import DomainError

from . import second_factor, services
from .forms import CodeForm, PasswordConfirmForm, TokenForm
from .models import User


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    """List my tokens; creating one shows its raw value on this response only. The page is
    rendered rather than redirected to, so the secret never passes through the session."""
    form = TokenForm(request.POST if request.method == "POST" else None, role=request.user.role)
    created = raw = None
    if form.is_bound and form.is_valid():
        try:
            created, raw = services.create_token(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
                scopes=form.cleaned_data["scopes"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = TokenForm(role=request.user.role)
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


# --- Sign-in with a second factor -----------------------------------------------------------

_PENDING = "trustdesk.2fa.pending"
_PENDING_SECONDS = 300
_PENDING_ATTEMPTS = 5


class LoginView(auth_views.LoginView):
    """The password step. A user with an authenticator is not signed in yet: the session
    remembers who passed the password (for five minutes) and the code step finishes."""

    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = cast(User, form.get_user())
        if not second_factor.has_second_factor(user):
            return super().form_valid(form)
        self.request.session[_PENDING] = {
            "user": user.pk,
            "backend": getattr(user, "backend", ""),
            "at": time.time(),
            "next": self.get_success_url(),
            "failures": 0,
        }
        return redirect("login_verify")


def login_verify(request: HttpRequest) -> HttpResponse:
    """The code step: a 6-digit code from the authenticator, or a one-time recovery code."""
    pending = request.session.get(_PENDING)
    if not pending or time.time() - pending["at"] > _PENDING_SECONDS:
        request.session.pop(_PENDING, None)
        messages.info(request, "Sign in again: the code step waits five minutes at most.")
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(_PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        device = second_factor.verify(user, form.cleaned_data["code"])
        if device is not None:
            request.session.pop(_PENDING, None)
            auth_login(request, user, backend=pending["backend"] or None)
            otp_login(request, device)
            return redirect(pending["next"])
        pending["failures"] += 1
        if pending["failures"] >= _PENDING_ATTEMPTS:
            request.session.pop(_PENDING, None)
            messages.error(request, "Too many wrong codes. Sign in again.")
            return redirect("login")
        request.session[_PENDING] = pending
        form.add_error("code", "That code is not valid (or was already used).")
    status = 422 if form.errors else 200
    response = render(
        request, "registration/login_verify.html", {"form": form, "who": user}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Managing my second factor ----------------------------------------------------------------


def _two_factor_page(
    request: AuthedRequest,
    *,
    codes: list[str] | None = None,
    code_form: CodeForm | None = None,
    password_form: PasswordConfirmForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    enrolled = second_factor.has_second_factor(user)
    context: dict[str, Any] = {
        "enrolled": enrolled,
        "required": second_factor.required_for(user),
        "codes": codes,
        "code_form": code_form or CodeForm(),
        "recovery_form": PasswordConfirmForm(user=user, auto_id="recovery_%s"),
        "disable_form": PasswordConfirmForm(user=user, auto_id="disable_%s"),
        "recovery_left": StaticToken.objects.filter(device__user=user).count(),
    }
    if password_form is not None:
        context[str(password_form.auto_id).split("_")[0] + "_form"] = password_form
    if not enrolled:
        device = second_factor.pending_device(user)
        context["secret"] = second_factor.secret_base32(device)
        context["qr"] = second_factor.qr_data_uri(device)
    response = render(request, "accounts/two_factor.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def two_factor(request: AuthedRequest) -> HttpResponse:
    """Set up an authenticator (secret + QR code, confirmed with a code), then see the
    recovery codes once. POST confirms the pending authenticator."""
    if request.method != "POST":
        return _two_factor_page(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        device = second_factor.pending_device(request.user)
        try:
            codes = second_factor.confirm_totp(
                actor=request.user, device=device, code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            messages.success(request, "Second factor on. Keep your recovery codes safe.")
            return _two_factor_page(request, codes=codes)
    return _two_factor_page(request, code_form=form, status=422)


@login_required
@require_POST
def two_factor_recovery_codes(request: AuthedRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST, user=request.user, auto_id="recovery_%s")
    if not form.is_valid():
        return _two_factor_page(request, password_form=form, status=422)
    try:
        codes = second_factor.regenerate_recovery_codes(actor=request.user, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("account_2fa")
    messages.success(request, "New recovery codes made; the old ones no longer work.")
    return _two_factor_page(request, codes=codes)


@login_required
@require_POST
def two_factor_disable(request: AuthedRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST, user=request.user, auto_id="disable_%s")
    if not form.is_valid():
        return _two_factor_page(request, password_form=form, status=422)
    second_factor.disable(actor=request.user, user=request.user)
    messages.success(request, "Second factor removed.")
    return redirect("account_2fa")
