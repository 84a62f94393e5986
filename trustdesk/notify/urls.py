from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all", views.mark_all_read, name="mark_all_read"),
    path("bell", views.bell, name="bell"),
    path("channels", views.channels, name="channels"),
    path("quiet-hours", views.quiet_hours, name="quiet_hours"),
    path("working-hours", views.working_hours, name="working_hours"),
    path("deliveries", views.delivery_log, name="deliveries"),
    path("<int:pk>/open", views.open_notification, name="open"),
]
