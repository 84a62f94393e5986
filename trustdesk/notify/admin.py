from django.contrib import admin

from .models import Delivery, DeliveryAttempt, Destination, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "event_key", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["subject", "event_key", "recipient__username"]
    readonly_fields = ["recipient", "event_key", "subject", "body", "link", "created_at"]


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "address", "enabled", "disabled_reason"]
    list_filter = ["kind", "enabled"]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ["started_at", "ok", "permanent", "error", "worker"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_key", "recipient", "transport", "status", "attempts", "created_at"]
    list_filter = ["status", "transport"]
    search_fields = ["event_key", "recipient__username", "thread_key"]
    inlines = [AttemptInline]
