from django.contrib import admin
from django.http import HttpRequest

from .models import CyberTiplineDraft, LumenSubmission, PreservationDuty


@admin.register(CyberTiplineDraft)
class CyberTiplineDraftAdmin(admin.ModelAdmin):
    list_display = ("id", "incident", "status", "report_number", "generated_at", "submitted_at")
    list_filter = ("status",)
    readonly_fields = ("incident", "xml", "sha256", "generated_at", "generated_by")


@admin.register(PreservationDuty)
class PreservationDutyAdmin(admin.ModelAdmin):
    list_display = ("incident", "reason", "reference", "starts_at", "ends_at")
    list_filter = ("reason",)

    # A legal hold is changed only through services, with its audit trail.
    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LumenSubmission)
class LumenSubmissionAdmin(admin.ModelAdmin):
    list_display = ("request", "status", "http_status", "sent_at", "sent_by")
    list_filter = ("status",)
