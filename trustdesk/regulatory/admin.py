"""Admin for the regime pack. Rule versions are never edited in place: saving the current
version's form adds the next version (``rulebook.save_version``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest

from trustdesk.lib.errors import DomainError

from . import rulebook
from .models import Authority, Jurisdiction, RegulatoryRequest, Rule, RuleVersion


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "tz", "holiday_country", "holiday_subdiv"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "jurisdiction", "kind", "tz", "holiday_country"]
    list_filter = ["jurisdiction", "kind"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: Authority, form: Any, change: bool) -> None:
        if not change:
            obj.from_pack = False
        super().save_model(request, obj, form, change)


class VersionInline(admin.TabularInline):
    model = RuleVersion
    fk_name = "rule"
    extra = 0
    can_delete = False
    fields = ["number", "title", "clock_kind", "duration", "effective_from", "effective_to"]
    readonly_fields = [
        "number",
        "title",
        "clock_kind",
        "duration",
        "effective_from",
        "effective_to",
    ]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "jurisdiction", "current", "pack_hash_short"]
    list_filter = ["jurisdiction"]
    search_fields = ["code", "versions__title", "versions__citation"]
    readonly_fields = ["current", "pack_hash", "created_at"]
    inlines = [VersionInline]

    @admin.display(description="pack")
    def pack_hash_short(self, obj: Rule) -> str:
        return obj.pack_hash[:10] or "local"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RuleVersionForm(ModelForm):
    class Meta:
        model = RuleVersion
        fields = ["rule", *rulebook.EDITABLE, "change_note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rule = data.get("rule") or getattr(self.instance, "rule", None)
        if rule is None or self.errors:
            return data
        if not (data.get("change_note") or "").strip():
            self.add_error("change_note", "Say what changed and on what source.")
        try:
            rulebook.check(rule, {name: data.get(name) for name in rulebook.EDITABLE})
        except DomainError as exc:
            for error in exc.as_errors():
                field = error["field"] if error["field"] in self.fields else None
                self.add_error(field, error["message"])
        return data


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    form = RuleVersionForm
    list_display = ["rule", "number", "title", "clock_kind", "duration", "verification", "source"]
    list_filter = ["rule__jurisdiction", "verification", "source", "clock_kind"]
    search_fields = ["rule__code", "title", "citation"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["rule"] if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only the current text can be revised; older versions are history.
        if obj is not None and obj.rule.current_id != obj.pk:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: RuleVersion, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in rulebook.EDITABLE}
        version = rulebook.save_version(
            actor=request.user,  # type: ignore[arg-type]
            rule=form.cleaned_data.get("rule") or obj.rule,
            values=values,
            change_note=form.cleaned_data.get("change_note", ""),
        )
        obj.pk = version.pk
        messages.info(request, f"Saved as version {version.number}; earlier versions are kept.")


@admin.register(RegulatoryRequest)
class RegulatoryRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "authority", "rule", "status", "due_at", "owner"]
    list_filter = ["status", "jurisdiction"]
    search_fields = ["title", "reference"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # changes go through the request pages, which write the audit trail
