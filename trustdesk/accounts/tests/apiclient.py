"""A test client that speaks to the JSON API with a bearer token, as an integration does."""

from __future__ import annotations

from typing import Any

from django.test import Client

from trustdesk.accounts.models import User
from trustdesk.accounts.services import create_token


class ApiClient:
    """JSON in, JSON out; each call returns the Django test response (``.json()`` to read)."""

    def __init__(self, user: User) -> None:
        _, raw = create_token(actor=user, user=user, name="tests")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {})

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(path, body or {}, content_type="application/json")

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(path, body, content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.client.delete(path)


def as_user(user: User) -> ApiClient:
    return ApiClient(user)


def error_fields(response: Any) -> list[str]:
    """The fields an error answer names, in order."""
    return [e["field"] for e in response.json()["errors"]]
