from django.contrib import admin

from .models import (
    EngagementMatch,
    EngagementRule,
    Override,
    Rotation,
    RotationLayer,
    RotationMember,
)


class MemberInline(admin.TabularInline):
    model = RotationMember
    extra = 1


class LayerInline(admin.TabularInline):
    model = RotationLayer
    extra = 0
    show_change_link = False


class OverrideInline(admin.TabularInline):
    model = Override
    extra = 0


@admin.register(Rotation)
class RotationAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "tz", "shift_days", "handoff_time"]
    inlines = [MemberInline, LayerInline, OverrideInline]


@admin.register(EngagementRule)
class EngagementRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "enabled", "team", "person", "role"]


@admin.register(EngagementMatch)
class EngagementMatchAdmin(admin.ModelAdmin):
    list_display = ["rule", "incident", "matched_at"]
    readonly_fields = ["rule", "incident", "matched_at", "reasons", "engaged"]
