from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/open", views.open_notification, name="open"),
]
