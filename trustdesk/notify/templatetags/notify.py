"""``{% unread_notifications %}``: the unread count for the header, for logged-in users."""

from __future__ import annotations

from django import template

from trustdesk.notify.services import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
