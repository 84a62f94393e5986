from django.urls import path

from . import views

app_name = "markets"

urlpatterns = [
    path("markets/", views.index, name="index"),
    path("markets/<str:code>/", views.profile, name="profile"),
    path("markets/<str:code>/edit", views.edit_profile, name="edit"),
    path("markets/<str:code>/history", views.history, name="history"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/events/new", views.event_form, name="event_create"),
    path("calendar/events/<int:pk>/", views.event_form, name="event_edit"),
    path("calendar/events/<int:pk>/delete", views.delete_event, name="event_delete"),
    path("calendar/feed.ics", views.feed, name="feed"),
    path("calendar/feed/reset", views.reset_feed, name="feed_reset"),
]
