from django.urls import path

from . import views, views_sql

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/queue.csv", views.queue_export, {"fmt": "csv"}, name="queue_csv"),
    path("export/queue.xlsx", views.queue_export, {"fmt": "xlsx"}, name="queue_xlsx"),
    path("export/<slug:key>.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export/<slug:key>.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("sql", views_sql.sql_console, name="sql"),
    path("sql/query.csv", views_sql.sql_download, {"fmt": "csv"}, name="sql_csv"),
    path("sql/query.xlsx", views_sql.sql_download, {"fmt": "xlsx"}, name="sql_xlsx"),
]
