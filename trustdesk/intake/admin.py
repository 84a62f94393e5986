from django.contrib import admin

from .models import DeadLetter, IntakeAddress, Report, ReportGroup


@admin.register(IntakeAddress)
class IntakeAddressAdmin(admin.ModelAdmin):
    list_display = ["address", "reporter_type", "default_market", "active"]
    list_filter = ["reporter_type", "active"]
    search_fields = ["address", "description"]


@admin.register(ReportGroup)
class ReportGroupAdmin(admin.ModelAdmin):
    """Read-only: triage decisions go through the triage pages, which audit them."""

    list_display = ["__str__", "status", "suggested_severity", "report_count", "region"]
    list_filter = ["status", "region", "suggested_severity"]
    exclude = ["signature"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "channel", "reporter_type", "received_at", "group"]
    list_filter = ["channel", "reporter_type", "verified"]
    raw_id_fields = ["group", "submitted_by", "intake_address"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "channel", "source", "received_at", "attempts", "replayed_at"]
    list_filter = ["channel"]
    exclude = ["raw"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
