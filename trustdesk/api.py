"""The JSON API: one NinjaAPI mounted at /api/, routers under /api/v1/.

Every error answers in one shape, so a client needs one parser::

    {"detail": "severity: Input should be 'SEV1', ...",
     "errors": [{"field": "severity", "message": "Input should be ..."}]}

``field`` is the dotted path of the offending input (``markets.1``), or ``__all__`` when the
problem is not one field's. An illegal lifecycle move adds ``current`` and ``allowed``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError, ValidationErrorContext
from ninja.openapi.docs import Swagger
from pydantic import BaseModel

from trustdesk.accounts.api import SessionAuth, TokenAuth
from trustdesk.accounts.api import router as accounts_router
from trustdesk.incidents.api import router as incidents_router
from trustdesk.intake.api import router as intake_router
from trustdesk.lib.errors import DomainError, IllegalTransition
from trustdesk.postmortems.api import router as postmortems_router
from trustdesk.taxonomy.api import router as taxonomy_router

ALL_FIELDS = "__all__"


class TrustdeskAPI(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> ValidationError:
        """Ninja's errors, each with a ``field``: the input's own dotted path, without the
        location (``body``, ``query``) or the name of the handler argument holding it."""
        error = super().validation_error_from_error_contexts(error_contexts)
        fields = [
            _field_path(context.model, raw["loc"])
            for context in error_contexts
            for raw in context.pydantic_validation_error.errors(include_url=False)
        ]
        for item, field in zip(error.errors, fields, strict=True):
            item["field"] = field
        return error


def _field_path(model: Any, loc: tuple[int | str, ...]) -> str:
    loc = model.__ninja_flatten_map_reverse__.get(loc, loc)
    if loc and loc[0] in model.model_fields:
        annotation = model.model_fields[loc[0]].annotation
        # A handler argument typed with a schema is a container, not an input field.
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            loc = loc[1:]
    return ".".join(str(part) for part in loc) or ALL_FIELDS


api = TrustdeskAPI(
    title="trustdesk API",
    version="1",
    description="The trustdesk incident desk. Authenticate with "
    "`Authorization: Bearer td_…`; see docs/api.md for tokens and the error format.",
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[TokenAuth(), SessionAuth()],
)
api.add_router("/v1/", accounts_router)
api.add_router("/v1/incidents", incidents_router)
api.add_router("/v1/taxonomy", taxonomy_router)
api.add_router("/v1/reports", intake_router)
api.add_router("/v1/regulatory", "trustdesk.regulatory.api.router")
api.add_router("/v1/quality", "trustdesk.quality.api.router")
api.add_router("/v1/", "trustdesk.playbooks.api.router")
api.add_router("/v1/postmortems", postmortems_router)
api.add_router("/v1/oncall", "trustdesk.oncall.api.router")
api.add_router("/v1/analytics", "trustdesk.analytics.api.router")
api.add_router("/v1/enforcement", "trustdesk.enforcement.api.router")
api.add_router("/v1/exports", "trustdesk.exports.api.router")
api.add_router("/v1/wellbeing", "trustdesk.wellbeing.api.router")
api.add_router("/v1/retention", "trustdesk.retention.api.router")


def _error(
    request: HttpRequest,
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = {"detail": detail, "errors": errors or [], **extra}
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": item.get("field", ALL_FIELDS), "message": _message(item)} for item in exc.errors
    ]
    return _error(request, 422, _summary(errors), errors)


def _message(item: dict[str, Any]) -> str:
    message = str(item.get("msg", "Invalid value."))
    # Our own validators' messages are already sentences; drop pydantic's prefix.
    return message.removeprefix("Value error, ")


def _summary(errors: list[dict[str, str]]) -> str:
    if not errors:
        return "Invalid input."
    first = errors[0]
    text = first["message"]
    if first["field"] != ALL_FIELDS:
        text = f"{first['field']}: {text}"
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more)"
    return text


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra: dict[str, Any] = {}
    if isinstance(exc, IllegalTransition):
        extra = {"current": exc.current, "allowed": exc.allowed}
    return _error(request, exc.status_code, exc.message, exc.as_errors(), **extra)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same answer for "does not exist" and "not yours to see", so existence never leaks.
    return _error(request, 404, "Not found")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request,
        401,
        "Authentication required: send 'Authorization: Bearer td_…' with an active token.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="trustdesk"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, exc.message)
