"""Read-mostly admin: decisions and statements change only through ``services`` (audit),
so the admin lists them for support and never edits them."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import EnforcementDecision, PuidRecord, SorBatch, SorSubmission


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(EnforcementDecision)
class EnforcementDecisionAdmin(_ReadOnly):
    list_display = ["puid", "restriction", "ground", "source_type", "incident", "decided_at"]
    list_filter = ["restriction", "ground", "source_type"]
    search_fields = ["puid", "content_url", "content_id", "account_id"]


@admin.register(SorSubmission)
class SorSubmissionAdmin(_ReadOnly):
    list_display = ["puid", "status", "batch", "queued_at", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["puid"]


@admin.register(SorBatch)
class SorBatchAdmin(_ReadOnly):
    list_display = ["id", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["status"]


@admin.register(PuidRecord)
class PuidRecordAdmin(_ReadOnly):
    list_display = ["puid", "decision_id", "created_at"]
    search_fields = ["puid"]
