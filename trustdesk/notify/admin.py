from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "event_key", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["subject", "event_key", "recipient__username"]
    readonly_fields = ["recipient", "event_key", "subject", "body", "link", "created_at"]
