from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("incidents/<int:pk>/cybertip/", views.cybertip_index, name="cybertip_index"),
    path("incidents/<int:pk>/cybertip/new", views.cybertip_generate, name="cybertip_generate"),
    path("cybertip/<int:pk>/", views.cybertip_detail, name="cybertip_detail"),
    path("cybertip/<int:pk>/download", views.cybertip_download, name="cybertip_download"),
    path("cybertip/<int:pk>/submitted", views.cybertip_submitted, name="cybertip_submitted"),
    path("requests/<int:pk>/", views.request_exports, name="request"),
    path("requests/<int:pk>/lumen", views.lumen_send, name="lumen_send"),
    path("requests/<int:pk>/pack", views.pack_download, name="pack"),
]
