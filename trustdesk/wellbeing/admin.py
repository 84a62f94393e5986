from django.contrib import admin

from .models import OrgPolicy, SupportResource


@admin.register(OrgPolicy)
class OrgPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "category",
        "min_blur_level",
        "require_greyscale",
        "require_collapsed_text",
        "high_impact",
    )


@admin.register(SupportResource)
class SupportResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "url", "position", "active")
    list_editable = ("position", "active")
