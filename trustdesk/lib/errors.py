"""Domain errors that views and the API turn into clear 4xx answers naming the field."""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_errors(self) -> list[dict[str, str]]:
        return [{"field": self.field or "__all__", "message": self.message}]


class InvalidInput(DomainError):
    """One or more fields are wrong. ``errors`` maps field name to message."""

    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        first_field, first_message = next(iter(errors.items()))
        super().__init__(f"{first_field}: {first_message}", field=first_field)

    def as_errors(self) -> list[dict[str, str]]:
        return [{"field": f, "message": m} for f, m in self.errors.items()]


class Conflict(DomainError):
    status_code = 409


class IllegalTransition(Conflict):
    def __init__(self, current: str, target: str, allowed: Iterable[str]) -> None:
        self.current = current
        self.target = target
        self.allowed = [str(a) for a in allowed]
        allowed_text = ", ".join(self.allowed) or "none (final state)"
        super().__init__(
            f"cannot move from {current} to {target}; allowed: {allowed_text}", field="to"
        )
