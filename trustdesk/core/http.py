"""Typing help for views behind ``login_required``."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from trustdesk.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request whose user is logged in (the view is behind ``login_required``) and that
    went through django-htmx's middleware."""

    user: User
    htmx: HtmxDetails
