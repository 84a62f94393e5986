"""Admin: the contributing-factor taxonomy is maintained here. Post-mortems themselves change
only through the services (audit, timeline), so they are read-only in the admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ActionItem, ContributingFactor, PostMortem


@admin.register(ContributingFactor)
class ContributingFactorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "active", "position"]
    list_editable = ["active", "position"]
    search_fields = ["name", "code", "description"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Codes are what exports and the API use: fixed once the factor exists.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PostMortem)
class PostMortemAdmin(_ReadOnly):
    list_display = ["__str__", "status", "due_at", "published_at"]
    list_filter = ["status"]
    search_fields = ["title"]


@admin.register(ActionItem)
class ActionItemAdmin(_ReadOnly):
    list_display = ["description", "status", "priority", "due_on"]
    list_filter = ["status", "priority"]
