"""Second-factor enforcement for browser sessions.

- A user with an authenticator must have passed it in this session (``is_verified``): a
  session that signed in some other way (the admin's own sign-in form) is signed out.
- A user whose role requires a second factor and who has none is sent to enrolment before
  anything else.

Requests with ``Authorization: Bearer`` are left alone: an API token is its own factor.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import second_factor

# Pages a signed-in user may reach before finishing the second factor.
_OPEN_NAMES = ("login", "login_verify", "logout", "account_2fa")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or request.headers.get("Authorization"):
            return None
        path = request.path_info
        if path.startswith("/static/") or any(path == reverse(n) for n in _OPEN_NAMES):
            return None
        is_api = path.startswith("/api/")
        if second_factor.has_second_factor(user):  # type: ignore[arg-type]
            if user.is_verified():  # type: ignore[union-attr,attr-defined]  # OTPMiddleware
                return None
            logout(request)
            if is_api:
                return _api_refusal(401, "Sign in again with your second factor.")
            messages.info(request, "Sign in with your password and authenticator code.")
            return redirect(f"{reverse('login')}?next={path}")
        if second_factor.required_for(user):  # type: ignore[arg-type]
            if is_api:
                return _api_refusal(
                    403, "Your role requires a second factor: set it up at /account/2fa first."
                )
            return redirect("account_2fa")
        return None


def _api_refusal(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": []}, status=status)
