"""Intake channels: one small class each, all ending in ``services.receive_report`` (or
``receive_batch``). A channel's ``parse`` turns its raw bytes into an ``IncomingReport``; the
same method replays a dead letter, so what failed can be retried after a fix."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from pydantic import ValidationError

from trustdesk.accounts.models import User
from trustdesk.lib.errors import InvalidInput

from . import conf, services
from .incoming import (
    BaseChannel,
    IncomingAttachment,
    IncomingItem,
    IncomingReport,
    Outcome,
    ParseError,
    Result,
)
from .models import Channel, DeadLetter, ReporterType, WebhookDelivery
from .schemas import ReportIn, validation_errors
from .services.receive import gc_paused


def _user(meta: Mapping[str, Any]) -> User | None:
    user_id = meta.get("user")
    return User.objects.filter(pk=user_id).first() if user_id else None


def _decode_attachment(index: int, filename: str, data_base64: str) -> bytes:
    try:
        return base64.b64decode(data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            {f"attachments.{index}.data_base64": f"{filename}: not valid base64."}
        ) from None


class ApiChannel(BaseChannel):
    """JSON reports, one or a batch of up to 1,000, from integrations with an API token."""

    name = Channel.API
    reporter_default = ReporterType.USER

    def from_json(
        self, data: Any, *, submitted_by: User | None = None, channel: str | None = None
    ) -> IncomingReport:
        """Validate one JSON report. Raises ``InvalidInput`` naming the wrong fields."""
        if not isinstance(data, dict):
            raise InvalidInput({"__all__": "Each report is a JSON object."})
        payload = dict(data)
        payload.setdefault("reporter_type", self.reporter_default)
        try:
            parsed = ReportIn.model_validate(payload)
        except ValidationError as exc:
            raise validation_errors(exc) from None
        attachments = []
        raw = dict(data)
        for i, att in enumerate(parsed.attachments):
            blob = _decode_attachment(i, att.filename, att.data_base64)
            attachments.append(IncomingAttachment(att.filename, att.content_type, blob))
        if attachments:
            raw["attachments"] = [
                {
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": len(a.data),
                    "sha256": hashlib.sha256(a.data).hexdigest(),
                }
                for a in attachments
            ]
        return IncomingReport(
            channel=channel or self.name,
            external_id=parsed.external_id,
            received_at=parsed.received_at,
            reporter_type=parsed.reporter_type,
            reporter_name=parsed.reporter_name,
            reporter_contact=parsed.reporter_contact,
            market=parsed.market,
            country=parsed.country,
            phone=parsed.phone,
            locale=parsed.locale,
            jurisdiction=parsed.jurisdiction,
            language=parsed.language,
            category=parsed.category,
            label=parsed.label,
            keywords=parsed.keywords,
            title=parsed.title,
            text=parsed.text,
            items=[IncomingItem(**item.model_dump()) for item in parsed.content],
            attachments=attachments,
            minors_involved=parsed.minors_involved,
            raw=raw,
            submitted_by=submitted_by,
        )

    def parse(self, raw: bytes, meta: Mapping[str, Any]) -> IncomingReport:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"Not JSON: {exc}") from None
        return self.from_json(data, submitted_by=_user(meta))

    def receive_batch(self, items: Sequence[Any], *, actor: User | None) -> list[Result]:
        """Per-item answers: a wrong item does not stop the others."""
        with gc_paused():
            return self._receive_batch(items, actor)

    def _receive_batch(self, items: Sequence[Any], actor: User | None) -> list[Result]:
        results: list[Result] = []
        valid: list[tuple[int, IncomingReport]] = []
        for index, item in enumerate(items):
            try:
                valid.append((index, self.from_json(item, submitted_by=actor)))
            except InvalidInput as exc:
                results.append(Result(index, Outcome.INVALID, errors=exc.as_errors()))
        stored = services.receive_batch(reports=[incoming for _, incoming in valid], actor=actor)
        for result in stored:
            result.index = valid[result.index][0]
            results.append(result)
        return sorted(results, key=lambda r: r.index)


class WebhookRefused(Exception):
    def __init__(self, status: int, message: str, *, report_id: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.report_id = report_id


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a sender puts in ``X-Trustdesk-Signature``: ``sha256=<hex>`` of
    HMAC-SHA256 over ``<timestamp>.<body>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookChannel(BaseChannel):
    """Signed deliveries from detection systems. Body: ``{"delivery_id": ..., "report":
    {...}}``; a delivery id is accepted once per source, and a timestamp more than five
    minutes from our clock is refused."""

    name = Channel.WEBHOOK

    def verify(self, *, source: str, timestamp: str, signature: str, body: bytes) -> None:
        secrets = conf.webhook_secrets().get(source)
        if not secrets:
            raise WebhookRefused(404, f"No webhook source named {source!r}.")
        try:
            sent_at = int(timestamp)
        except (TypeError, ValueError):
            raise WebhookRefused(400, "X-Trustdesk-Timestamp must be Unix seconds.") from None
        if abs(time.time() - sent_at) > conf.WEBHOOK_TOLERANCE.total_seconds():
            raise WebhookRefused(
                401,
                "Stale delivery: the timestamp is more than 5 minutes "
                "from our clock. Sign it afresh.",
            )
        if not any(hmac.compare_digest(sign(s, timestamp, body), signature) for s in secrets):
            raise WebhookRefused(401, "Bad signature.")

    def parse(self, raw: bytes, meta: Mapping[str, Any]) -> IncomingReport:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"Not JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("report"), dict):
            raise ParseError('Expected {"delivery_id": ..., "report": {...}}.', field="report")
        report = dict(data["report"])
        report.setdefault("external_id", str(data.get("delivery_id", "")))
        api = ApiChannel()
        api.reporter_default = ReporterType.DETECTION
        try:
            incoming = api.from_json(report, channel=self.name)
        except InvalidInput as exc:
            raise ParseError(str(exc), field=exc.field or "report") from None
        incoming.raw = {"source": meta.get("source", ""), **data}
        return incoming

    def receive(
        self, *, source: str, timestamp: str, signature: str, body: bytes
    ) -> Result | DeadLetter:
        """Verify, refuse replays, then receive. What is authentic but unreadable becomes a
        dead letter."""
        self.verify(source=source, timestamp=timestamp, signature=signature, body=body)
        try:
            delivery_id = str(json.loads(body).get("delivery_id") or "")
        except (ValueError, AttributeError, UnicodeDecodeError):
            delivery_id = ""
        if not delivery_id:
            delivery_id = "sha256:" + hashlib.sha256(body).hexdigest()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    delivery = WebhookDelivery.objects.create(
                        source=source, delivery_id=delivery_id
                    )
            except IntegrityError:
                first = WebhookDelivery.objects.get(source=source, delivery_id=delivery_id)
                raise WebhookRefused(
                    409,
                    f"Delivery {delivery_id} was already received.",
                    report_id=first.report_id,
                ) from None
            try:
                incoming = self.parse(body, {"source": source})
                result = services.receive_report(report=incoming, actor=None)
            except (ParseError, InvalidInput) as exc:
                return services.keep_dead_letter(
                    channel=self.name,
                    raw=body,
                    error=exc.message,
                    source=source,
                    meta={"source": source, "delivery_id": delivery_id},
                )
            delivery.report = result.report
            delivery.save(update_fields=["report"])
            return result


class WebFormChannel(BaseChannel):
    """Internal escalations typed in by staff. The form carries a submission id made when it
    was shown, so a double click or a resubmitted page stores one report."""

    name = Channel.WEB_FORM

    def from_form(self, data: Mapping[str, Any], *, user: User) -> IncomingReport:
        urls = [u for u in str(data.get("urls", "")).split() if u]
        attachments = [
            IncomingAttachment(f.name or "upload", f.content_type or "", f.read())
            for f in data.get("files") or []
        ]
        raw: dict[str, Any] = {k: str(v) for k, v in data.items() if k != "files"}
        raw["files"] = [a.filename for a in attachments]
        return IncomingReport(
            channel=self.name,
            external_id=str(data.get("submission_id", "")),
            reporter_type=ReporterType.INTERNAL,
            reporter_name=user.display_name,
            reporter_contact=user.email,
            market=str(data.get("market", "")),
            category=str(data.get("category", "")),
            title=str(data.get("title", "")),
            text=str(data.get("text", "")),
            items=[IncomingItem(url=u) for u in urls],
            attachments=attachments,
            minors_involved=bool(data.get("minors_involved")),
            raw=raw,
            submitted_by=user,
        )

    def parse(self, raw: bytes, meta: Mapping[str, Any]) -> IncomingReport:
        user = _user(meta)
        if user is None:
            raise ParseError("The submitting user no longer exists.", field="user")
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ParseError(f"Not JSON: {exc}") from None
        return self.from_form(data, user=user)


def channel_for(name: str) -> BaseChannel:
    from .importing import ImportChannel
    from .mail import EmailChannel

    registry: dict[str, type[BaseChannel]] = {
        Channel.API: ApiChannel,
        Channel.EMAIL: EmailChannel,
        Channel.WEB_FORM: WebFormChannel,
        Channel.IMPORT: ImportChannel,
        Channel.WEBHOOK: WebhookChannel,
    }
    return registry[name]()
