"""The analyst export pages under /analyst/ and the participant's /me/data.xlsx.

Included at the root of portal/urls.py: `path("", include("portal.exports.urls"))`.
"""

from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("analyst/", views.analyst_home, name="analyst_home"),
    path("analyst/exports/", views.export_new, name="new"),
    path("analyst/exports/jobs/", views.export_jobs, name="jobs"),
    path("analyst/exports/<int:pk>/", views.export_job, name="job"),
    path("analyst/exports/<int:pk>/progress", views.export_progress, name="progress"),
    path("analyst/exports/<int:pk>/download", views.export_download, name="download"),
    path("analyst/exchanges/", views.exchange_log, name="exchanges"),
    path("me/data.xlsx", views.own_data, name="own_data"),
]
